// Package testgreeter is a Greeter service for tests that need a real
// service over HTTP and gRPC: generated protobuf and gRPC code, an HTTP
// binding in the shape Kratos's protoc-gen-go-http emits, and a Validate
// method so validation middleware has something to check.
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
