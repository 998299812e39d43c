package openapigen_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/openapigen/internal/library"
	"github.com/seed6ad8aa6b/kratos/encoding"
	kschema "github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

// TestJSONSchemaWithValidator checks the schemas of package
// encoding/jsonschema (2020-12, as MCP tools use them) with a complete
// validator: they are valid schemas, and the output schema of a message
// accepts what the framework's json codec writes for it, empty or full,
// and rejects JSON in other shapes.
func TestJSONSchemaWithValidator(t *testing.T) {
	detail, err := anypb.New(&library.Shelf{Name: "packed"})
	if err != nil {
		t.Fatal(err)
	}
	meta, err := structpb.NewStruct(map[string]any{"a": 1.0, "b": []any{"x", nil}})
	if err != nil {
		t.Fatal(err)
	}
	full := &library.Everything{
		I32: -1, I64: -2, U32: 3, U64: 4, S64: -5, F64: 6, F: 0.5, D: 1e10, B: true, S: "s",
		Raw: []byte{1, 2}, Genre: library.Genre_FICTION, Book: &library.Book{Name: "b", Pages: 9},
		Ids: []int64{1, 2}, Genres: []library.Genre{library.Genre_NON_FICTION}, Books: []*library.Book{{}},
		Counts: map[string]int32{"a": 1}, ById: map[int64]*library.Book{-7: {Title: "t"}},
		Choice: &library.Everything_Chosen{Chosen: &library.Book{}}, Maybe: proto.String("m"), Renamed: "r",
		Child: &library.Everything{Choice: &library.Everything_Text{Text: "t"}},
		At:    timestamppb.Now(), Took: durationpb.New(1500000), Mask: &fieldmaskpb.FieldMask{Paths: []string{"book.page_count", "s"}},
		Meta: meta, Value: structpb.NewBoolValue(true), List: &structpb.ListValue{Values: []*structpb.Value{structpb.NewNumberValue(1)}},
		Detail: detail, Nothing: &emptypb.Empty{}, Big: wrapperspb.Int64(-3), Label: wrapperspb.String(""), Flag: wrapperspb.Bool(false),
		Old: "o",
	}
	codec := encoding.GetCodec("json")
	for _, tt := range []struct {
		name string
		m    proto.Message
	}{
		{"empty", &library.Everything{}},
		{"full", full},
		{"list", &library.ListBooksResponse{Books: []*library.Book{{Name: "x"}}, Seen: &library.ListBooksRequest{Since: timestamppb.Now()}}},
	} {
		md := tt.m.ProtoReflect().Descriptor()
		for _, dir := range []kschema.Direction{kschema.Input, kschema.Output} {
			sch := compileSchema(t, kschema.For(md, kschema.WithDirection(dir)))
			b, err := codec.Marshal(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("%s, direction %d: %s does not match its schema: %v", tt.name, dir, b, err)
			}
		}
	}

	sch := compileSchema(t, kschema.For((&library.Everything{}).ProtoReflect().Descriptor(), kschema.WithDirection(kschema.Output)))
	for _, bad := range []string{
		`{"i64": 1}`, `{"genre": 1}`, `{"text": "a", "chosen": {}}`, `{"took": "1m"}`, `{"byId": {"x": {}}}`,
		`{"detail": {"name": "no type"}}`, `{"at": "yesterday"}`,
	} {
		b, err := codec.Marshal(&library.Everything{})
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		var change map[string]any
		if err := json.Unmarshal([]byte(bad), &change); err != nil {
			t.Fatal(err)
		}
		for k, x := range change {
			v[k] = x
		}
		if err := sch.Validate(v); err == nil {
			t.Errorf("%s: accepted by the output schema", bad)
		}
	}
}

// compileSchema compiles s with format assertions on, as a 2020-12
// schema; compiling checks it against the meta-schema.
func compileSchema(t *testing.T, s *kschema.Schema) *jsonschema.Schema {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("%s is not a valid JSON Schema: %v", b, err)
	}
	return sch
}
