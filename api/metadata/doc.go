// Package metadata is the kratos.api.Metadata gRPC service, which lets tools
// discover what a running server serves: ListServices names its services and
// methods, and GetServiceDesc returns the protobuf file descriptors of one
// service, with every file it depends on, so a client can build requests
// without having the .proto files.
//
// The transport/grpc server registers it on every server. The message and
// service code is generated from metadata.proto ("metadata/metadata.proto");
// [Server] is the implementation.
package metadata

//go:generate protoc -I.. -Ithird_party --go_out=.. --go_opt=paths=source_relative --go-grpc_out=.. --go-grpc_opt=paths=source_relative ../metadata/metadata.proto
