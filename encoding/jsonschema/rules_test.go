package jsonschema_test

import (
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

// bufValidate is the part of buf/validate/validate.proto the tests use,
// with the real names and numbers: the package reads rules by name.
const bufValidate = `
name: "buf/validate/validate.proto" package: "buf.validate"
dependency: "google/protobuf/descriptor.proto"
message_type {
  name: "FieldRules"
  field { name: "cel" number: 23 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".buf.validate.Rule" }
  field { name: "required" number: 25 label: LABEL_OPTIONAL type: TYPE_BOOL }
  field { name: "ignore" number: 27 label: LABEL_OPTIONAL type: TYPE_ENUM type_name: ".buf.validate.Ignore" }
  field { name: "double" number: 2 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.DoubleRules" oneof_index: 0 }
  field { name: "int32" number: 3 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.Int32Rules" oneof_index: 0 }
  field { name: "int64" number: 4 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.Int64Rules" oneof_index: 0 }
  field { name: "string" number: 14 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.StringRules" oneof_index: 0 }
  field { name: "bytes" number: 15 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.BytesRules" oneof_index: 0 }
  field { name: "enum" number: 16 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.EnumRules" oneof_index: 0 }
  field { name: "repeated" number: 18 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.RepeatedRules" oneof_index: 0 }
  field { name: "map" number: 19 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.MapRules" oneof_index: 0 }
  oneof_decl { name: "type" }
}
message_type {
  name: "Rule"
  field { name: "id" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "message" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "expression" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING }
}
message_type {
  name: "StringRules"
  field { name: "const" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "len" number: 19 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "min_len" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "max_len" number: 3 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "pattern" number: 6 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "prefix" number: 7 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "in" number: 10 label: LABEL_REPEATED type: TYPE_STRING }
  field { name: "email" number: 12 label: LABEL_OPTIONAL type: TYPE_BOOL oneof_index: 0 }
  field { name: "address" number: 21 label: LABEL_OPTIONAL type: TYPE_BOOL oneof_index: 0 }
  oneof_decl { name: "well_known" }
}
message_type {
  name: "DoubleRules"
  field { name: "lt" number: 2 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
  field { name: "gt" number: 4 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
  field { name: "finite" number: 8 label: LABEL_OPTIONAL type: TYPE_BOOL }
}
message_type {
  name: "Int32Rules"
  field { name: "lte" number: 3 label: LABEL_OPTIONAL type: TYPE_INT32 }
  field { name: "gt" number: 4 label: LABEL_OPTIONAL type: TYPE_INT32 }
  field { name: "gte" number: 5 label: LABEL_OPTIONAL type: TYPE_INT32 }
  field { name: "not_in" number: 7 label: LABEL_REPEATED type: TYPE_INT32 }
}
message_type {
  name: "Int64Rules"
  field { name: "gt" number: 4 label: LABEL_OPTIONAL type: TYPE_INT64 }
  field { name: "in" number: 6 label: LABEL_REPEATED type: TYPE_INT64 }
}
message_type {
  name: "BytesRules"
  field { name: "min_len" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
}
message_type {
  name: "EnumRules"
  field { name: "defined_only" number: 2 label: LABEL_OPTIONAL type: TYPE_BOOL }
  field { name: "not_in" number: 4 label: LABEL_REPEATED type: TYPE_INT32 }
}
message_type {
  name: "RepeatedRules"
  field { name: "min_items" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "unique" number: 3 label: LABEL_OPTIONAL type: TYPE_BOOL }
  field { name: "items" number: 4 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.FieldRules" }
}
message_type {
  name: "MapRules"
  field { name: "max_pairs" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "keys" number: 4 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.FieldRules" }
  field { name: "values" number: 5 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.FieldRules" }
}
message_type {
  name: "MessageRules"
  field { name: "cel" number: 3 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".buf.validate.Rule" }
  field { name: "oneof" number: 4 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".buf.validate.MessageOneofRule" }
}
message_type {
  name: "MessageOneofRule"
  field { name: "fields" number: 1 label: LABEL_REPEATED type: TYPE_STRING }
  field { name: "required" number: 2 label: LABEL_OPTIONAL type: TYPE_BOOL }
}
message_type {
  name: "OneofRules"
  field { name: "required" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL }
}
enum_type {
  name: "Ignore"
  value { name: "IGNORE_UNSPECIFIED" number: 0 }
  value { name: "IGNORE_IF_ZERO_VALUE" number: 1 }
  value { name: "IGNORE_ALWAYS" number: 3 }
}
extension { name: "field" number: 1159 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.FieldRules" extendee: ".google.protobuf.FieldOptions" }
extension { name: "message" number: 1159 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.MessageRules" extendee: ".google.protobuf.MessageOptions" }
extension { name: "oneof" number: 1159 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".buf.validate.OneofRules" extendee: ".google.protobuf.OneofOptions" }
`

// pgvValidate is the part of protoc-gen-validate's validate/validate.proto
// the tests use.
const pgvValidate = `
name: "validate/validate.proto" package: "validate"
dependency: "google/protobuf/descriptor.proto"
message_type {
  name: "FieldRules"
  field { name: "message" number: 17 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".validate.MessageRules" }
  field { name: "string" number: 14 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".validate.StringRules" oneof_index: 0 }
  field { name: "repeated" number: 18 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".validate.RepeatedRules" oneof_index: 0 }
  oneof_decl { name: "type" }
}
message_type {
  name: "MessageRules"
  field { name: "required" number: 2 label: LABEL_OPTIONAL type: TYPE_BOOL }
}
message_type {
  name: "StringRules"
  field { name: "min_len" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "uuid" number: 22 label: LABEL_OPTIONAL type: TYPE_BOOL }
}
message_type {
  name: "RepeatedRules"
  field { name: "max_items" number: 2 label: LABEL_OPTIONAL type: TYPE_UINT64 }
  field { name: "ignore_empty" number: 14 label: LABEL_OPTIONAL type: TYPE_BOOL }
}
extension { name: "rules" number: 1071 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".validate.FieldRules" extendee: ".google.protobuf.FieldOptions" }
extension { name: "disabled" number: 1071 label: LABEL_OPTIONAL type: TYPE_BOOL extendee: ".google.protobuf.MessageOptions" }
extension { name: "required" number: 1071 label: LABEL_OPTIONAL type: TYPE_BOOL extendee: ".google.protobuf.OneofOptions" }
`

// rulesProto is a file using the rules, with comments in its source
// information.
const rulesProto = `
name: "test/v1/rules.proto" package: "test.v1" syntax: "proto3"
dependency: "buf/validate/validate.proto"
dependency: "validate/validate.proto"
dependency: "google/api/field_behavior.proto"
message_type {
  name: "Rules"
  field { name: "email" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [buf.validate.field] { string { email: true min_len: 3 } } } }
  field { name: "code" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [buf.validate.field] { string { pattern: "^[A-Z]+$" prefix: "X." len: 4 } } } }
  field { name: "age" number: 3 label: LABEL_OPTIONAL type: TYPE_INT32
    options { [buf.validate.field] { required: true int32 { gt: 0 lte: 150 } } } }
  field { name: "id" number: 4 label: LABEL_OPTIONAL type: TYPE_INT64
    options { [buf.validate.field] { int64 { in: [1, 2] gt: 0 } } } }
  field { name: "ratio" number: 5 label: LABEL_OPTIONAL type: TYPE_DOUBLE
    options { [buf.validate.field] { double { gt: 0 lt: 1 finite: true } } } }
  field { name: "color" number: 6 label: LABEL_OPTIONAL type: TYPE_ENUM type_name: ".test.v1.Color"
    options { [buf.validate.field] { enum { defined_only: true not_in: [0] } } } }
  field { name: "tags" number: 7 label: LABEL_REPEATED type: TYPE_STRING
    options { [buf.validate.field] { repeated { min_items: 1 unique: true items { string { max_len: 8 } } } } } }
  field { name: "counts" number: 8 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".test.v1.Rules.CountsEntry"
    options { [buf.validate.field] { map { max_pairs: 3 keys { string { min_len: 1 } } values { int32 { gte: 0 } } } } } }
  field { name: "blob" number: 9 label: LABEL_OPTIONAL type: TYPE_BYTES
    options { [buf.validate.field] { bytes { min_len: 1 } } } }
  field { name: "nick" number: 10 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [buf.validate.field] { ignore: IGNORE_IF_ZERO_VALUE string { min_len: 2 } } } }
  field { name: "word" number: 11 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [buf.validate.field] { cel { id: "not_a" message: "must not be a" expression: "this != 'a'" } } } }
  field { name: "inner" number: 12 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".test.v1.Inner"
    options { [validate.rules] { message { required: true } } } }
  field { name: "ref" number: 13 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [validate.rules] { string { uuid: true } } } }
  field { name: "server_id" number: 14 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [google.api.field_behavior]: OUTPUT_ONLY } }
  field { name: "a" number: 15 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
  field { name: "b" number: 16 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
  field { name: "ids" number: 17 label: LABEL_REPEATED type: TYPE_STRING
    options { [validate.rules] { repeated { max_items: 2 ignore_empty: true } } } }
  field { name: "skipped" number: 18 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [buf.validate.field] { ignore: IGNORE_ALWAYS string { min_len: 2 } } } }
  field { name: "x" number: 19 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "y" number: 20 label: LABEL_OPTIONAL type: TYPE_STRING }
  field { name: "name" number: 21 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [google.api.field_behavior]: REQUIRED } }
  nested_type {
    name: "CountsEntry" options { map_entry: true }
    field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
  }
  oneof_decl { name: "choice" options { [buf.validate.oneof] { required: true } } }
  options { [buf.validate.message] {
    cel { id: "pair" expression: "this.x != this.y" }
    oneof { fields: ["x", "y"] }
  } }
}
message_type {
  name: "Inner"
  field { name: "id" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [validate.rules] { string { min_len: 1 } } } }
  oneof_decl { name: "kind" options { [validate.required]: true } }
  field { name: "p" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
  field { name: "q" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
}
message_type {
  name: "Off"
  options { [validate.disabled]: true }
  field { name: "id" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING
    options { [validate.rules] { string { min_len: 1 } } } }
}
enum_type {
  name: "Color"
  value { name: "COLOR_UNSPECIFIED" number: 0 }
  value { name: "RED" number: 1 }
  value { name: "BLUE" number: 2 }
}
source_code_info {
  location { path: [4, 0] span: [0, 0, 1] leading_comments: " Rules has one field\n per kind of rule.\n buf:lint:ignore FIELD_LOWER_SNAKE_CASE\n" }
  location { path: [4, 0, 2, 0] span: [0, 0, 1] leading_comments: " The user's email.\n" }
  location { path: [4, 0, 2, 1] span: [0, 0, 1] trailing_comments: " A code.\n" }
  location { path: [5, 0, 2, 1] span: [0, 0, 1] leading_comments: " Red.\n" }
}
`

// rulesFile compiles rulesProto against the partial validation files.
func rulesFile(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	files := new(protoregistry.Files)
	for _, fd := range []protoreflect.FileDescriptor{
		descriptorpb.File_google_protobuf_descriptor_proto,
		annotations.File_google_api_field_behavior_proto,
	} {
		if err := files.RegisterFile(fd); err != nil {
			t.Fatal(err)
		}
	}
	types := new(protoregistry.Types)
	if err := types.RegisterExtension(annotations.E_FieldBehavior); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{bufValidate, pgvValidate} {
		fdp := new(descriptorpb.FileDescriptorProto)
		if err := prototext.Unmarshal([]byte(src), fdp); err != nil {
			t.Fatal(err)
		}
		fd, err := protodesc.NewFile(fdp, files)
		if err != nil {
			t.Fatal(err)
		}
		if err := files.RegisterFile(fd); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < fd.Extensions().Len(); i++ {
			if err := types.RegisterExtension(dynamicpb.NewExtensionType(fd.Extensions().Get(i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	fdp := new(descriptorpb.FileDescriptorProto)
	if err := (prototext.UnmarshalOptions{Resolver: types}).Unmarshal([]byte(rulesProto), fdp); err != nil {
		t.Fatal(err)
	}
	fd, err := protodesc.NewFile(fdp, files)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestRules(t *testing.T) {
	file := rulesFile(t)
	md := file.Messages().ByName("Rules")
	tests := []struct {
		field   protoreflect.Name
		draft   string
		openapi string // "" when the same as draft
	}{
		{"email", `{"description":"The user's email.","type":"string","format":"email","minLength":3}`, ""},
		{"code", `{"description":"A code.","type":"string","pattern":"^[A-Z]+$","minLength":4,"maxLength":4,"allOf":[{"pattern":"^X\\."}]}`, ""},
		{"age", `{"type":"integer","format":"int32","exclusiveMinimum":0,"maximum":150}`,
			`{"type":"integer","format":"int32","minimum":1,"maximum":150}`},
		{"id", `{"description":"Rules: int64.gt = 0.","type":"string","format":"int64","enum":["1","2"]}`, ""},
		{"ratio", `{"type":"number","format":"double","exclusiveMinimum":0,"exclusiveMaximum":1}`,
			`{"description":"Rules: double.lt = 1; double.gt = 0.","type":"number","format":"double"}`},
		{"color", `{"type":"string","enum":["RED","BLUE"]}`, ""},
		{"tags", `{"type":"array","items":{"type":"string","maxLength":8},"minItems":1,"uniqueItems":true}`, ""},
		{"counts", `{"type":"object","additionalProperties":{"type":"integer","format":"int32","minimum":0},"propertyNames":{"minLength":1},"maxProperties":3}`,
			`{"description":"Rules: map.keys.string = {min_len: 1}.","type":"object","additionalProperties":{"type":"integer","format":"int32","minimum":0},"maxProperties":3}`},
		{"blob", `{"description":"Rules: bytes.min_len = 1.","type":"string","contentEncoding":"base64"}`,
			`{"description":"Rules: bytes.min_len = 1.","type":"string","format":"byte"}`},
		{"nick", `{"description":"Rules: string.min_len = 2; all but required apply only to a value other than the zero value.","type":"string"}`, ""},
		{"word", `{"description":"Rules: cel: must not be a.","type":"string"}`, ""},
		{"ref", `{"type":"string","format":"uuid"}`, ""},
		{"server_id", `{"type":"string","readOnly":true}`, ""},
		{"ids", `{"description":"Rules: repeated.max_items = 2; all but required apply only to a value other than the zero value.","type":"array","items":{"type":"string"}}`, ""},
		{"skipped", `{"type":"string"}`, ""},
	}
	draft := jsonschema.NewGenerator()
	openapi := jsonschema.NewGenerator(jsonschema.WithDialect(jsonschema.OpenAPI30))
	for _, tt := range tests {
		fd := md.Fields().ByName(tt.field)
		if got := compact(t, draft.Field(fd)); got != tt.draft {
			t.Errorf("Draft202012 Field(%s) =\n%s\nwant\n%s", tt.field, got, tt.draft)
		}
		want := tt.openapi
		if want == "" {
			want = tt.draft
		}
		if got := compact(t, openapi.Field(fd)); got != want {
			t.Errorf("OpenAPI30 Field(%s) =\n%s\nwant\n%s", tt.field, got, want)
		}
	}
}

func TestMessageRules(t *testing.T) {
	file := rulesFile(t)
	tests := []struct {
		message  protoreflect.Name
		want     string // selected keywords of the definition
		required []string
	}{
		{"Rules", `{"description":"Rules has one field\nper kind of rule.\n\nRules: cel: this.x != this.y.","allOf":[{"oneOf":[{"required":["a"]},{"required":["b"]}]}],"not":{"required":["x","y"]}}`,
			[]string{"age", "inner", "name"}},
		{"Inner", `{"allOf":[{"oneOf":[{"required":["p"]},{"required":["q"]}]}]}`, nil},
		{"Off", `{}`, nil},
	}
	for _, tt := range tests {
		s := jsonschema.For(file.Messages().ByName(tt.message))
		got := compact(t, &jsonschema.Schema{Description: s.Description, AllOf: s.AllOf, Not: s.Not})
		if got != tt.want {
			t.Errorf("For(%s) = %s, want %s", tt.message, got, tt.want)
		}
		if g, w := s.Required, tt.required; len(g) != len(w) || compact(t, &jsonschema.Schema{Required: g}) != compact(t, &jsonschema.Schema{Required: w}) {
			t.Errorf("For(%s).required = %v, want %v", tt.message, g, w)
		}
	}
	off := jsonschema.For(file.Messages().ByName("Off"))
	if got, want := compact(t, off.Properties.Get("id")), `{"type":"string"}`; got != want {
		t.Errorf("Off.id = %s, want %s (rules disabled)", got, want)
	}
	color := jsonschema.NewGenerator()
	color.Enum(file.Enums().ByName("Color"))
	if got, want := compact(t, color.Defs()["test.v1.Color"]), `{"description":"- RED: Red.","type":"string","enum":["COLOR_UNSPECIFIED","RED","BLUE"]}`; got != want {
		t.Errorf("Color = %s, want %s", got, want)
	}
}

func TestRequired(t *testing.T) {
	md := rulesFile(t).Messages().ByName("Rules")
	g := jsonschema.NewGenerator()
	for _, tt := range []struct {
		field protoreflect.Name
		want  bool
	}{{"age", true}, {"inner", true}, {"name", true}, {"email", false}, {"nick", false}} {
		if got := g.Required(md.Fields().ByName(tt.field)); got != tt.want {
			t.Errorf("Required(%s) = %v, want %v", tt.field, got, tt.want)
		}
	}
}

func TestDescription(t *testing.T) {
	file := rulesFile(t)
	md := file.Messages().ByName("Rules")
	tests := []struct {
		d    protoreflect.Descriptor
		want string
	}{
		{md, "Rules has one field\nper kind of rule."},
		{md.Fields().ByName("email"), "The user's email."},
		{md.Fields().ByName("code"), "A code."},
		{md.Fields().ByName("age"), ""},
		{everything, ""}, // generated descriptors carry no comments
	}
	for _, tt := range tests {
		if got := jsonschema.Description(tt.d); got != tt.want {
			t.Errorf("Description(%s) = %q, want %q", tt.d.FullName(), got, tt.want)
		}
	}
}
