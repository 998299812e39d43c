package form_test

import (
	"net/url"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/seed6ad8aa6b/kratos/encoding/form"
)

// dynamicMessage builds, without protoc, a message type whose descriptor
// records no JSON names, so the encoder falls back to the proto names, and
// whose instances are dynamicpb messages rather than generated ones.
func dynamicMessage(t *testing.T) protoreflect.MessageType {
	t.Helper()
	fdp := &descriptorpb.FileDescriptorProto{
		Name:       proto.String("kratos/encoding/form/dynamic_test.proto"),
		Package:    proto.String("kratos.encoding.dyntest"),
		Syntax:     proto.String("proto2"),
		Dependency: []string{"google/protobuf/timestamp.proto"},
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Dyn"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("user_name"), Number: proto.Int32(1), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()},
				{Name: proto.String("created_at"), Number: proto.Int32(2), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(), TypeName: proto.String(".google.protobuf.Timestamp")},
				{Name: proto.String("ids"), Number: proto.Int32(3), Label: descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_INT64.Enum()},
			},
		}},
	}
	fd, err := protodesc.NewFile(fdp, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatalf("NewFile() error = %v", err)
	}
	return dynamicpb.NewMessageType(fd.Messages().ByName("Dyn"))
}

func TestDynamicMessage(t *testing.T) {
	mt := dynamicMessage(t)
	m := mt.New().Interface()
	// proto2: invalid UTF-8 is not rejected in string fields.
	vs := url.Values{"userName": {"\xff"}, "created_at": {"2024-01-02T03:04:05Z"}, "ids": {"1", "2"}}
	if err := form.DecodeValues(m, vs); err != nil {
		t.Fatalf("DecodeValues() error = %v", err)
	}
	got, err := form.EncodeValues(m)
	if err != nil {
		t.Fatalf("EncodeValues() error = %v", err)
	}
	if got, want := got.Encode(), "created_at=2024-01-02T03%3A04%3A05Z&ids=1&ids=2&user_name=%FF"; got != want {
		t.Errorf("EncodeValues() = %q, want %q", got, want)
	}
}
