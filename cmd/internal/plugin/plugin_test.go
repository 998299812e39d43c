package plugin

import (
	"testing"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func TestCompilerVersion(t *testing.T) {
	tests := []struct {
		v    *pluginpb.Version
		want string
	}{
		{nil, "(unknown)"},
		{&pluginpb.Version{Major: proto.Int32(3), Minor: proto.Int32(21), Patch: proto.Int32(12)}, "v3.21.12"},
		{&pluginpb.Version{Major: proto.Int32(4), Minor: proto.Int32(0), Patch: proto.Int32(0), Suffix: proto.String("rc1")}, "v4.0.0-rc1"},
	}
	for _, tt := range tests {
		gen, err := protogen.Options{}.New(&pluginpb.CodeGeneratorRequest{CompilerVersion: tt.v})
		if err != nil {
			t.Fatal(err)
		}
		if got := CompilerVersion(gen); got != tt.want {
			t.Errorf("CompilerVersion(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	if got := Options(nil); got != nil {
		t.Errorf("Options(nil) = %v, want nil", got)
	}
	in := &descriptorpb.MethodOptions{Deprecated: proto.Bool(true)}
	got := Options(in)
	if !proto.Equal(got, in) {
		t.Errorf("Options() = %v, want %v", got, in)
	}
	if got == proto.Message(in) {
		t.Error("Options() returned its input, want a fresh copy")
	}
}
