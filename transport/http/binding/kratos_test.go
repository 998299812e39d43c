package binding_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

// kratosHello builds, without protoc, the shape of the HelloRequest that
// Kratos v2.9.2's binding tests use: name, sub{name json "naming"},
// update_mask, test_repeated (json "test_repeated").
func kratosHello(t *testing.T) (hello, sub protoreflect.MessageType) {
	t.Helper()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	fdp := &descriptorpb.FileDescriptorProto{
		Name:       proto.String("kratos/binding/kratos_test.proto"),
		Package:    proto.String("kratos.binding.compat"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/field_mask.proto"},
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("HelloRequest"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("name"), JsonName: proto.String("name"), Number: proto.Int32(1), Label: opt, Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()},
				{Name: proto.String("sub"), JsonName: proto.String("sub"), Number: proto.Int32(2), Label: opt, Type: descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(), TypeName: proto.String(".kratos.binding.compat.Sub")},
				{Name: proto.String("update_mask"), JsonName: proto.String("updateMask"), Number: proto.Int32(3), Label: opt, Type: descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(), TypeName: proto.String(".google.protobuf.FieldMask")},
				{Name: proto.String("test_repeated"), JsonName: proto.String("test_repeated"), Number: proto.Int32(8), Label: descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()},
			},
		}, {
			Name: proto.String("Sub"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("name"), JsonName: proto.String("naming"), Number: proto.Int32(1), Label: opt, Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()},
			},
		}},
	}
	fd, err := protodesc.NewFile(fdp, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatalf("NewFile() error = %v", err)
	}
	return dynamicpb.NewMessageType(fd.Messages().ByName("HelloRequest")), dynamicpb.NewMessageType(fd.Messages().ByName("Sub"))
}

// TestEncodeURLAsKratos runs the table of Kratos v2.9.2's TestEncodeURL.
func TestEncodeURLAsKratos(t *testing.T) {
	helloT, subT := kratosHello(t)
	type req struct {
		name, sub string
		hasSub    bool
		mask      []string
		repeated  []string
	}
	build := func(r *req) proto.Message {
		if r == nil {
			return nil
		}
		m := helloT.New()
		fields := m.Descriptor().Fields()
		if r.name != "" {
			m.Set(fields.ByName("name"), protoreflect.ValueOfString(r.name))
		}
		if r.hasSub {
			s := subT.New()
			if r.sub != "" {
				s.Set(s.Descriptor().Fields().ByName("name"), protoreflect.ValueOfString(r.sub))
			}
			m.Set(fields.ByName("sub"), protoreflect.ValueOfMessage(s))
		}
		if r.mask != nil {
			m.Set(fields.ByName("update_mask"), protoreflect.ValueOfMessage((&fieldmaskpb.FieldMask{Paths: r.mask}).ProtoReflect()))
		}
		if r.repeated != nil {
			l := m.Mutable(fields.ByName("test_repeated")).List()
			for _, s := range r.repeated {
				l.Append(protoreflect.ValueOfString(s))
			}
		}
		return m.Interface()
	}
	const base = "http://helloworld.Greeter/helloworld/"
	tests := []struct {
		template  string
		req       *req
		needQuery bool
		want      string
	}{
		{"{name}/sub/{sub.naming}", &req{name: "test", sub: "2233!!!!", hasSub: true}, false, "test/sub/2233!!!!"},
		{"{name}/sub/{sub.naming}", nil, false, "{name}/sub/{sub.naming}"},
		{"{}/sub/{sub.naming}", &req{name: "test", sub: "hello", hasSub: true}, false, "{}/sub/hello"},
		{"{}/sub/{sub.name.cc}", &req{name: "test", sub: "hello", hasSub: true}, false, "{}/sub/"},
		{"{}/sub/{test_repeated}", &req{name: "test", sub: "hello", hasSub: true, repeated: []string{"123", "456"}}, false, "{}/sub/123"},
		{"{name}/sub/{sub.naming}", &req{name: "test", sub: "5566!!!", hasSub: true}, false, "test/sub/5566!!!"},
		{"sub", &req{name: "test", sub: "2233!!!", hasSub: true}, false, "sub"},
		{"{name}/sub/{sub.name}", &req{name: "test"}, false, "test/sub/"},
		{"{name}/sub", &req{name: "go", sub: "kratos", hasSub: true}, true, "go/sub?sub.naming=kratos"},
		{"sub/{sub.naming}", &req{sub: "kratos", hasSub: true, mask: []string{"name", "sub.naming"}}, false, "sub/kratos?updateMask=name,sub.naming"},
		{"sub/[{sub.naming}]", &req{sub: "kratos", hasSub: true}, false, "sub/[kratos]"},
		{"[{name}]/sub/[{sub.naming}]", &req{name: "test", sub: "kratos", hasSub: true}, false, "[test]/sub/[kratos]"},
		{"[{}]/sub/[{sub.naming}]", &req{sub: "kratos", hasSub: true}, false, "[{}]/sub/[kratos]"},
		{"[{}]/sub/[{sub.naming}]/{[]}", &req{sub: "kratos", hasSub: true}, false, "[{}]/sub/[kratos]/{[]}"},
		{"{[sub]}/[{sub.naming}]", &req{sub: "kratos", hasSub: true}, false, "{[sub]}/[kratos]"},
		{"{[name]}/[{sub.naming}]", &req{name: "test", sub: "kratos", hasSub: true}, false, "{[name]}/[kratos]"},
		{"{}/[]/[{sub.naming}]", &req{sub: "kratos", hasSub: true}, false, "{}/[]/[kratos]"},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			var msg any
			if m := build(tt.req); m != nil {
				msg = m
			}
			if got, want := binding.EncodeURL(base+tt.template, msg, tt.needQuery), base+tt.want; got != want {
				t.Errorf("EncodeURL(%q) = %q, want %q", base+tt.template, got, want)
			}
		})
	}
}
