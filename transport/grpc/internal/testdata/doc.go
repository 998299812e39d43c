// Package testdata holds generated code used only by the transport/grpc
// tests: a greeter service with a unary method and one method of each
// streaming kind.
package testdata

//go:generate protoc -I. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative helloworld/helloworld.proto
