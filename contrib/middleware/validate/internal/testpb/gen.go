//go:build ignore

// Command gen regenerates the Go code of users.proto (run it with go
// generate). buf/validate/validate.proto is not vendored: gen writes the
// descriptors that the protovalidate Go package registers for it, with
// their imports, to a temporary FileDescriptorSet that protoc reads. It
// builds protoc-gen-go at the protobuf version of this module and
// protoc-gen-go-http from this repository's cmd module; protoc and
// protoc-gen-go-grpc must be on PATH.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// cmdModule is the repository's cmd module, relative to this directory.
const cmdModule = "../../../../../cmd"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	tmp, err := os.MkdirTemp("", "testpb-gen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	set := &descriptorpb.FileDescriptorSet{}
	addFile(set, map[string]bool{}, validate.File_buf_validate_validate_proto)
	raw, err := proto.Marshal(set)
	if err != nil {
		return err
	}
	setPath := filepath.Join(tmp, "validate.binpb")
	if err := os.WriteFile(setPath, raw, 0o644); err != nil {
		return err
	}

	goPlugin := filepath.Join(tmp, "protoc-gen-go")
	if err := command("go", "build", "-o", goPlugin, "google.golang.org/protobuf/cmd/protoc-gen-go").Run(); err != nil {
		return fmt.Errorf("build protoc-gen-go: %w", err)
	}
	httpPlugin := filepath.Join(tmp, "protoc-gen-go-http")
	cmdDir, err := filepath.Abs(cmdModule)
	if err != nil {
		return err
	}
	if err := command("go", "build", "-C", cmdDir, "-o", httpPlugin, "./protoc-gen-go-http").Run(); err != nil {
		return fmt.Errorf("build protoc-gen-go-http: %w", err)
	}

	protoc := command("protoc",
		"--descriptor_set_in="+setPath,
		"-I.", "-I"+filepath.Join(cmdDir, "..", "third_party"),
		"--plugin=protoc-gen-go="+goPlugin,
		"--plugin=protoc-gen-go-http="+httpPlugin,
		"--go_out=.", "--go_opt=paths=source_relative",
		"--go-grpc_out=.", "--go-grpc_opt=paths=source_relative",
		"--go-http_out=.", "--go-http_opt=paths=source_relative",
		"users.proto")
	if err := protoc.Run(); err != nil {
		return fmt.Errorf("protoc: %w", err)
	}
	return nil
}

// addFile appends fd to set after the files it imports, each file once.
func addFile(set *descriptorpb.FileDescriptorSet, seen map[string]bool, fd protoreflect.FileDescriptor) {
	if seen[fd.Path()] {
		return
	}
	seen[fd.Path()] = true
	imports := fd.Imports()
	for i := range imports.Len() {
		addFile(set, seen, imports.Get(i).FileDescriptor)
	}
	set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
}

func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd
}
