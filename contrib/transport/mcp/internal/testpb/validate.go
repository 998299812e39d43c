package testpb

//go:generate protoc -I. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative greeter.proto
//go:generate protoc -I. --include_source_info --descriptor_set_out=../../testdata/greeter.binpb greeter.proto

import "errors"

// Validate reports an empty name, the way protoc-gen-validate's generated
// Validate methods report broken rules.
func (x *HelloRequest) Validate() error {
	if x.GetName() == "" {
		return errors.New("invalid HelloRequest.Name: value length must be at least 1 runes")
	}
	return nil
}
