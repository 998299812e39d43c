// Package protoimports provides the .proto files that every Kratos service
// may import without shipping them: the well-known types
// ("google/protobuf/*.proto"), the google API annotations
// ("google/api/annotations.proto", "google/api/http.proto", ...), the
// Kratos error options ("errors/errors.proto") and the field rules of the
// two validators users annotate requests with: protovalidate
// ("buf/validate/validate.proto", which contrib/middleware/validate
// enforces) and protoc-gen-validate ("validate/validate.proto").
//
// The files are not copies: they are the descriptors that the Go packages
// of these protos register when they are linked in (protobuf's known types,
// genproto's googleapis/api packages, our errors package, and the Go
// packages of protovalidate's and protoc-gen-validate's rules), so a service
// compiled against them agrees with the code it runs with. Resolver makes
// them available to the pure-Go compiler (github.com/bufbuild/protocompile);
// the third_party folder at the repository root holds the same files as
// .proto text for users who run protoc themselves.
package protoimports

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	bufvalidate "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/bufbuild/protocompile"
	pgv "github.com/envoyproxy/protoc-gen-validate/validate"
	"google.golang.org/genproto/googleapis/api"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/apipb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/sourcecontextpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/typepb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
)

// roots are the files offered to users; files they import are offered too.
func roots() []protoreflect.FileDescriptor {
	return []protoreflect.FileDescriptor{
		// Well-known types.
		anypb.File_google_protobuf_any_proto,
		apipb.File_google_protobuf_api_proto,
		descriptorpb.File_google_protobuf_descriptor_proto,
		durationpb.File_google_protobuf_duration_proto,
		emptypb.File_google_protobuf_empty_proto,
		fieldmaskpb.File_google_protobuf_field_mask_proto,
		sourcecontextpb.File_google_protobuf_source_context_proto,
		structpb.File_google_protobuf_struct_proto,
		timestamppb.File_google_protobuf_timestamp_proto,
		typepb.File_google_protobuf_type_proto,
		wrapperspb.File_google_protobuf_wrappers_proto,

		// Google API annotations.
		annotations.File_google_api_annotations_proto,
		annotations.File_google_api_client_proto,
		annotations.File_google_api_field_behavior_proto,
		annotations.File_google_api_field_info_proto,
		annotations.File_google_api_http_proto,
		annotations.File_google_api_resource_proto,
		annotations.File_google_api_routing_proto,
		httpbody.File_google_api_httpbody_proto,
		api.File_google_api_launch_stage_proto,

		// Kratos errors.
		errors.File_errors_errors_proto,

		// Validation rules: protovalidate and protoc-gen-validate.
		bufvalidate.File_buf_validate_validate_proto,
		pgv.File_validate_validate_proto,
	}
}

// files maps every provided import path to its descriptor. It is built on
// first use and never changed afterwards.
var files = sync.OnceValue(func() map[string]protoreflect.FileDescriptor {
	m := make(map[string]protoreflect.FileDescriptor)
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if _, ok := m[fd.Path()]; ok {
			return
		}
		m[fd.Path()] = fd
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
		}
	}
	for _, fd := range roots() {
		add(fd)
	}
	return m
})

// Find returns the descriptor of the file imported as path, such as
// "google/api/annotations.proto", and whether there is one.
func Find(path string) (protoreflect.FileDescriptor, bool) {
	fd, ok := files()[path]
	return fd, ok
}

// Files returns the descriptors of all provided files, sorted by path.
func Files() []protoreflect.FileDescriptor {
	m := files()
	list := make([]protoreflect.FileDescriptor, 0, len(m))
	for _, fd := range m {
		list = append(list, fd)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path() < list[j].Path() })
	return list
}

// Resolver returns a protocompile resolver that finds the provided files by
// import path; for any other path it reports protoregistry.NotFound
// wrapped in an error that names the path. Combine it with a source
// resolver for the user's own files, e.g. in a protocompile.CompositeResolver
// after the user's import paths, or before them to make these files win.
// The resolver is safe for concurrent use.
func Resolver() protocompile.Resolver {
	return protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
		if fd, ok := Find(path); ok {
			return protocompile.SearchResult{Desc: fd}, nil
		}
		return protocompile.SearchResult{}, fmt.Errorf("protoimports: %s: %w", path, protoregistry.NotFound)
	})
}

// notices are the copyright and license notices of the files that come
// from other projects, by path prefix. Every such file is a schema
// published under the Apache License 2.0; the notice goes at the top of
// any copy printed as .proto text.
var notices = []struct{ prefix, notice string }{
	{"google/api/", "Copyright Google LLC.\n\n" + apache},
	{"buf/validate/", "Copyright 2023-2026 Buf Technologies, Inc.\n\n" + apache},
	{"validate/", "From github.com/envoyproxy/protoc-gen-validate, copyright the\nprotoc-gen-validate authors.\n\n" + apache},
}

const apache = `Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

     http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.`

// Notice returns the copyright and license notice to print at the top of
// a copy of the file imported as path, or "" for files of this framework
// and for the well-known types (which are not copied: protoc ships them).
func Notice(path string) string {
	for _, n := range notices {
		if strings.HasPrefix(path, n.prefix) {
			return n.notice
		}
	}
	return ""
}
