// Package testgreeter is a Greeter service for tests that need a real
// service over HTTP and gRPC: generated protobuf and gRPC code, an HTTP
// binding in the shape Kratos's protoc-gen-go-http emits, and a Validate
// method so validation middleware has something to check. SayHelloFunc
// turns a function into a Greeter server for tests that only need SayHello.
//
// ServeHTTP and ServeGRPC run an already configured Kratos server for the
// length of a test, and DialHTTP and DialGRPC connect clients to it that are
// closed at the end, so each test keeps only its own options, service and
// assertions. The helpers work for any service, not only the Greeter.
//
// Regenerate with:
//
//go:generate protoc -I. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative greeter.proto
package testgreeter

import "errors"

// Validate rejects empty names and the name "invalid" (an empty name cannot
// reach an HTTP route whose path holds the name).
func (x *HelloRequest) Validate() error {
	switch x.GetName() {
	case "":
		return errors.New("name: must not be empty")
	case "invalid":
		return errors.New("name: must not be \"invalid\"")
	}
	return nil
}
