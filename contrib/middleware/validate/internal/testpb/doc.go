// Package testpb holds the protobuf messages and the Users service that the
// validate middleware's tests run over HTTP and gRPC: messages with
// buf.validate rules, and a hand-written Validate method on
// CreateUserRequest so that one message exercises both kinds of check.
package testpb

//go:generate go run gen.go
