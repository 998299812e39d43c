package protoprint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoimports"
)

// compile compiles the .proto source src, imported as path; other imports
// come from protoimports.
func compile(t *testing.T, path string, src []byte) protoreflect.FileDescriptor {
	t.Helper()
	c := protocompile.Compiler{
		Resolver: protocompile.CompositeResolver{
			&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(map[string]string{path: string(src)})},
			protoimports.Resolver(),
		},
	}
	files, err := c.Compile(context.Background(), path)
	if err != nil {
		t.Fatalf("compile %s: %v\n%s", path, err, numbered(src))
	}
	return files[0]
}

// numbered returns src with line numbers, for failure messages.
func numbered(src []byte) string {
	var b strings.Builder
	for i, l := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// normalized returns fd as a descriptor proto in a form that does not
// depend on how it was built: no source info, json_name only when it is
// not the default, options parsed with the extensions in exts.
func normalized(t *testing.T, fd protoreflect.FileDescriptor, exts *protoregistry.Types) *descriptorpb.FileDescriptorProto {
	t.Helper()
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.SourceCodeInfo = nil
	if fdp.GetSyntax() == "proto2" {
		fdp.Syntax = nil
	}
	var fields func(list []*descriptorpb.FieldDescriptorProto)
	var msgs func(list []*descriptorpb.DescriptorProto)
	fields = func(list []*descriptorpb.FieldDescriptorProto) {
		for _, f := range list {
			if f.Extendee != nil || f.GetJsonName() == jsonCamelCase(f.GetName()) {
				f.JsonName = nil
			}
		}
	}
	msgs = func(list []*descriptorpb.DescriptorProto) {
		for _, m := range list {
			fields(m.Field)
			fields(m.Extension)
			msgs(m.NestedType)
		}
	}
	fields(fdp.Extension)
	msgs(fdp.MessageType)

	// Reparse so that extensions are the same known fields on both sides.
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(fdp)
	if err != nil {
		t.Fatal(err)
	}
	out := new(descriptorpb.FileDescriptorProto)
	if err := (proto.UnmarshalOptions{Resolver: exts}).Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// roundTrip prints fd, compiles the output and checks that it describes
// the same file.
func roundTrip(t *testing.T, fd protoreflect.FileDescriptor) []byte {
	t.Helper()
	src, err := Print(fd, "Test header.\n\nSecond paragraph.")
	if err != nil {
		t.Fatalf("Print(%s) error: %v", fd.Path(), err)
	}
	got := compile(t, fd.Path(), src)
	p := &printer{symbols: map[string]bool{}, exts: new(protoregistry.Types)}
	p.collect(fd, map[string]bool{})
	if diff := cmpDiff(normalized(t, fd, p.exts), normalized(t, got, p.exts)); diff != "" {
		t.Errorf("Print(%s) does not compile back to the same file (-want +got):\n%s\nsource:\n%s", fd.Path(), diff, numbered(src))
	}
	return src
}

func TestRoundTripProvidedFiles(t *testing.T) {
	for _, fd := range protoimports.Files() {
		t.Run(fd.Path(), func(t *testing.T) { roundTrip(t, fd) })
	}
}

func TestRoundTripTestdata(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.proto")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test protos: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fd := compile(t, filepath.Base(path), src)
			out := roundTrip(t, fd)
			if testing.Verbose() {
				t.Logf("%s", out)
			}
		})
	}
}
