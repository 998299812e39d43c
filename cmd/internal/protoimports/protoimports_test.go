package protoimports

import (
	"context"
	"errors"
	"testing"

	"github.com/bufbuild/protocompile"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

func TestFind(t *testing.T) {
	for _, path := range []string{
		"google/api/annotations.proto",
		"google/api/http.proto",
		"google/api/httpbody.proto",
		"google/api/field_behavior.proto",
		"google/api/client.proto",
		"google/api/launch_stage.proto",
		"google/protobuf/descriptor.proto",
		"google/protobuf/any.proto",
		"google/protobuf/empty.proto",
		"google/protobuf/timestamp.proto",
		"google/protobuf/field_mask.proto",
		"errors/errors.proto",
	} {
		fd, ok := Find(path)
		if !ok {
			t.Errorf("Find(%q) found nothing", path)
			continue
		}
		if fd.Path() != path {
			t.Errorf("Find(%q).Path() = %q", path, fd.Path())
		}
	}
	if fd, ok := Find("google/api/nothing.proto"); ok {
		t.Errorf("Find(nothing) = %v, want none", fd.Path())
	}
	// The descriptors are the ones the Go packages register.
	if fd, _ := Find("errors/errors.proto"); fd != kerrors.File_errors_errors_proto {
		t.Error("errors/errors.proto is not the errors package's descriptor")
	}
	if fd, _ := Find("google/api/annotations.proto"); fd != annotations.File_google_api_annotations_proto {
		t.Error("google/api/annotations.proto is not genproto's descriptor")
	}
}

func TestFilesSortedAndClosed(t *testing.T) {
	files := Files()
	for i, fd := range files {
		if i > 0 && files[i-1].Path() >= fd.Path() {
			t.Errorf("Files() not sorted: %s before %s", files[i-1].Path(), fd.Path())
		}
		imports := fd.Imports()
		for j := 0; j < imports.Len(); j++ {
			if _, ok := Find(imports.Get(j).Path()); !ok {
				t.Errorf("%s imports %s, which is not provided", fd.Path(), imports.Get(j).Path())
			}
		}
	}
}

func TestResolver(t *testing.T) {
	const src = `syntax = "proto3";
package demo.v1;
import "google/api/annotations.proto";
import "errors/errors.proto";
service Demo {
  rpc Get(Req) returns (Req) { option (google.api.http) = { get: "/v1/{id}" }; }
}
message Req { string id = 1; }
enum Reason {
  option (errors.default_code) = 500;
  UNKNOWN = 0;
  GONE = 1 [(errors.code) = 410];
}
`
	c := protocompile.Compiler{Resolver: protocompile.CompositeResolver{
		&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(map[string]string{"demo.proto": src})},
		Resolver(),
	}}
	files, err := c.Compile(context.Background(), "demo.proto")
	if err != nil {
		t.Fatalf("Compile() error: %v", err)
	}
	fd := files[0]
	// Round-trip the options through bytes so that the extensions are read
	// with the Go types, as a generator sees them.
	raw, err := proto.Marshal(fd.Services().Get(0).Methods().Get(0).Options())
	if err != nil {
		t.Fatal(err)
	}
	opts := new(descriptorpb.MethodOptions)
	if err := proto.Unmarshal(raw, opts); err != nil {
		t.Fatal(err)
	}
	rule := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
	if got := rule.GetGet(); got != "/v1/{id}" {
		t.Errorf("http rule get = %q, want /v1/{id}", got)
	}
	raw, err = proto.Marshal(fd.Enums().Get(0).Values().Get(1).Options())
	if err != nil {
		t.Fatal(err)
	}
	vopts := new(descriptorpb.EnumValueOptions)
	if err := proto.Unmarshal(raw, vopts); err != nil {
		t.Fatal(err)
	}
	if got := proto.GetExtension(vopts, kerrors.E_Code).(int32); got != 410 {
		t.Errorf("errors.code = %d, want 410", got)
	}

	_, err = Resolver().FindFileByPath("missing/thing.proto")
	if !errors.Is(err, protoregistry.NotFound) {
		t.Errorf("FindFileByPath(missing) error = %v, want protoregistry.NotFound", err)
	}
}
