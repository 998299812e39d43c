// Package testpb holds the protobuf messages the encoding tests use; see
// test.proto for what they cover and how to regenerate test.pb.go.
package testpb
