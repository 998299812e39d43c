package jsonschema_test

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

var everything = (&testpb.Everything{}).ProtoReflect().Descriptor()

func compact(t *testing.T, s *jsonschema.Schema) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestField(t *testing.T) {
	const (
		color = `{"$ref":"#/$defs/kratos.encoding.testpb.Color"}`
		inner = `{"$ref":"#/$defs/kratos.encoding.testpb.Inner"}`
	)
	tests := []struct {
		field   protoreflect.Name
		draft   string // Draft202012
		openapi string // OpenAPI30; "" when it is draft with the OpenAPI reference
	}{
		{"age", `{"type":"integer","format":"int32"}`, ""},
		{"id", `{"type":"string","format":"int64"}`, ""},
		{"u32", `{"type":"integer","format":"uint32"}`, ""},
		{"u64", `{"type":"string","format":"uint64"}`, ""},
		{"s64", `{"type":"string","format":"int64"}`, ""},
		{"f64", `{"type":"string","format":"uint64"}`, ""},
		{"sf32", `{"type":"integer","format":"int32"}`, ""},
		{"ratio", `{"type":"number","format":"float"}`, ""},
		{"score", `{"type":"number","format":"double"}`, ""},
		{"active", `{"type":"boolean"}`, ""},
		{"user_name", `{"type":"string"}`, ""},
		{"payload", `{"type":"string","contentEncoding":"base64"}`, `{"type":"string","format":"byte"}`},
		{"color", color, `{"$ref":"#/components/schemas/kratos.encoding.testpb.Color"}`},
		{"inner", `{"anyOf":[` + inner + `,{"type":"null"}]}`,
			`{"type":"object","nullable":true,"allOf":[{"$ref":"#/components/schemas/kratos.encoding.testpb.Inner"}]}`},
		{"numbers", `{"type":"array","items":{"type":"integer","format":"int32"}}`, ""},
		{"colors", `{"type":"array","items":` + color + `}`,
			`{"type":"array","items":{"$ref":"#/components/schemas/kratos.encoding.testpb.Color"}}`},
		{"times", `{"type":"array","items":{"type":"string","format":"date-time"}}`, ""},
		{"labels", `{"type":"object","additionalProperties":{"type":"string"}}`, ""},
		{"codes", `{"type":"object","additionalProperties":{"type":"string"},"propertyNames":{"pattern":"^-?[0-9]+$"}}`,
			`{"description":"The keys are int32 values written as strings.","type":"object","additionalProperties":{"type":"string"}}`},
		{"flags", `{"type":"object","additionalProperties":{"type":"string","format":"int64"},"propertyNames":{"enum":["true","false"]}}`,
			`{"description":"The keys are bool values written as strings.","type":"object","additionalProperties":{"type":"string","format":"int64"}}`},
		{"children", `{"type":"object","additionalProperties":` + inner + `}`,
			`{"type":"object","additionalProperties":{"$ref":"#/components/schemas/kratos.encoding.testpb.Inner"}}`},
		{"number", `{"type":"string","format":"int64"}`, ""}, // oneof member: never null
		{"nested", inner, `{"$ref":"#/components/schemas/kratos.encoding.testpb.Inner"}`},
		{"created_at", `{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]}`,
			`{"type":"string","format":"date-time","nullable":true}`},
		{"timeout", `{"anyOf":[{"description":"Seconds with the suffix \"s\", such as \"1.5s\".","type":"string","pattern":"^-?[0-9]+(\\.[0-9]+)?s$"},{"type":"null"}]}`,
			`{"description":"Seconds with the suffix \"s\", such as \"1.5s\".","type":"string","nullable":true,"pattern":"^-?[0-9]+(\\.[0-9]+)?s$"}`},
		{"max_count", `{"anyOf":[{"type":"integer","format":"int32"},{"type":"null"}]}`,
			`{"type":"integer","format":"int32","nullable":true}`},
		{"big_unsigned", `{"anyOf":[{"type":"string","format":"uint64"},{"type":"null"}]}`,
			`{"type":"string","format":"uint64","nullable":true}`},
		{"blob", `{"anyOf":[{"type":"string","contentEncoding":"base64"},{"type":"null"}]}`,
			`{"type":"string","format":"byte","nullable":true}`},
		{"meta", `{"anyOf":[{"type":"object","additionalProperties":{}},{"type":"null"}]}`,
			`{"type":"object","nullable":true,"additionalProperties":{"nullable":true}}`},
		{"extra", `{}`, `{"nullable":true}`},
		{"list", `{"anyOf":[{"type":"array","items":{}},{"type":"null"}]}`,
			`{"type":"array","nullable":true,"items":{"nullable":true}}`},
		{"nothing", `{"anyOf":[{"type":"object"},{"type":"null"}]}`, `{"type":"object","nullable":true}`},
		{"custom", `{"type":"string"}`, ""},
		{"maybe", `{"type":"string"}`, ""}, // proto3 optional: left out when unset, never null
		{"null_value", `{"type":"null"}`, `{"nullable":true,"enum":[null]}`},
	}
	draft := jsonschema.NewGenerator()
	openapi := jsonschema.NewGenerator(jsonschema.WithDialect(jsonschema.OpenAPI30))
	for _, tt := range tests {
		fd := everything.Fields().ByName(tt.field)
		if fd == nil {
			t.Fatalf("no field %s", tt.field)
		}
		if got := compact(t, draft.Field(fd)); got != tt.draft {
			t.Errorf("Draft202012 Field(%s) = %s, want %s", tt.field, got, tt.draft)
		}
		want := tt.openapi
		if want == "" {
			want = tt.draft
		}
		if got := compact(t, openapi.Field(fd)); got != want {
			t.Errorf("OpenAPI30 Field(%s) = %s, want %s", tt.field, got, want)
		}
	}
}

func TestMessageDefinitions(t *testing.T) {
	g := jsonschema.NewGenerator(jsonschema.WithDialect(jsonschema.OpenAPI30))
	if got, want := compact(t, g.Message(everything)), `{"$ref":"#/components/schemas/kratos.encoding.testpb.Everything"}`; got != want {
		t.Errorf("Message() = %s, want %s", got, want)
	}
	defs := g.Defs()
	var names []string
	for n := range defs {
		names = append(names, n)
	}
	slices.Sort(names)
	if got, want := names, []string{"kratos.encoding.testpb.Color", "kratos.encoding.testpb.Everything", "kratos.encoding.testpb.Inner"}; !slices.Equal(got, want) {
		t.Errorf("Defs() names = %v, want %v", got, want)
	}
	if got, want := compact(t, defs["kratos.encoding.testpb.Color"]), `{"type":"string","enum":["COLOR_UNSPECIFIED","RED","GREEN"]}`; got != want {
		t.Errorf("Color = %s, want %s", got, want)
	}
	ev := defs["kratos.encoding.testpb.Everything"]
	if got, want := compact(t, ev.Not), `{"anyOf":[{"required":["text","number"]},{"required":["text","nested"]},{"required":["number","nested"]}]}`; got != want {
		t.Errorf("Everything.not = %s, want %s", got, want)
	}
	if ev.Required != nil {
		t.Errorf("Everything.required = %v in Input, want none", ev.Required)
	}
	if got := ev.Properties.Get("customName"); got == nil {
		t.Errorf("Everything has no property customName (json_name)")
	}
	if got := ev.Properties.Get("userName"); got == nil {
		t.Errorf("Everything has no property userName (lowerCamelCase)")
	}
	// A recursive message refers to its own definition.
	if got, want := compact(t, defs["kratos.encoding.testpb.Inner"].Properties.Get("child").AllOf[0]), `{"$ref":"#/components/schemas/kratos.encoding.testpb.Inner"}`; got != want {
		t.Errorf("Inner.child = %s, want %s", got, want)
	}
}

func TestForOutputRequired(t *testing.T) {
	s := jsonschema.For(everything, jsonschema.WithDirection(jsonschema.Output))
	for _, name := range []string{"text", "number", "nested", "maybe"} {
		if slices.Contains(s.Required, name) {
			t.Errorf("required has %s, which protojson leaves out when unset", name)
		}
	}
	for _, name := range []string{"age", "inner", "labels", "createdAt", "customName", "nullValue", "extra"} {
		if !slices.Contains(s.Required, name) {
			t.Errorf("required lacks %s, which protojson always writes", name)
		}
	}
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q", s.Schema)
	}
	if _, ok := s.Defs["kratos.encoding.testpb.Everything"]; ok {
		t.Error("$defs holds the root message, which does not refer to itself")
	}
	inner := jsonschema.For((&testpb.Inner{}).ProtoReflect().Descriptor())
	if _, ok := inner.Defs["kratos.encoding.testpb.Inner"]; !ok {
		t.Error("$defs lacks Inner, which refers to itself")
	}
	if inner.Type != "object" || inner.Properties.Get("child") == nil {
		t.Errorf("For(Inner) = %s, want the object at the top", compact(t, inner))
	}
}

// samples are messages the codec writes, from empty to every field set.
func samples(t *testing.T) []proto.Message {
	t.Helper()
	meta, err := structpb.NewStruct(map[string]any{"a": 1, "b": []any{"x", nil, true}})
	if err != nil {
		t.Fatal(err)
	}
	full := &testpb.Everything{
		Age: -3, Id: math.MinInt64, U32: math.MaxUint32, U64: math.MaxUint64, S32: -1, S64: 5,
		F32: 7, F64: 8, Sf32: -9, Sf64: -10, Ratio: 0.5, Score: 1e300, Active: true,
		UserName: "ann", Payload: []byte{0, 0xff}, Color: testpb.Color_GREEN,
		Inner:   &testpb.Inner{Name: "i", Level: 2, Child: &testpb.Inner{Tags: []string{"a"}}},
		Numbers: []int32{1, 2}, Names: []string{"x"}, Colors: []testpb.Color{testpb.Color_RED},
		Items:  []*testpb.Inner{{Name: "a"}},
		Times:  []*timestamppb.Timestamp{timestamppb.New(time.Unix(1, 5).UTC())},
		Labels: map[string]string{"k": "v"}, Codes: map[int32]string{-4: "x"},
		Children: map[string]*testpb.Inner{"c": {}}, Flags: map[bool]int64{true: 1},
		Choice:    &testpb.Everything_Nested{Nested: &testpb.Inner{}},
		CreatedAt: timestamppb.New(time.Date(2024, 1, 2, 3, 4, 5, 500, time.UTC)),
		Timeout:   durationpb.New(-1500 * time.Millisecond),
		MaxCount:  wrapperspb.Int32(3), BigCount: wrapperspb.Int64(4), SmallUnsigned: wrapperspb.UInt32(5),
		BigUnsigned: wrapperspb.UInt64(6), Fraction: wrapperspb.Float(0.25), Precise: wrapperspb.Double(2),
		Enabled: wrapperspb.Bool(false), Nickname: wrapperspb.String(""), Blob: wrapperspb.Bytes([]byte("b")),
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"user_name", "inner.level"}},
		Meta:       meta, Extra: structpb.NewNullValue(), List: &structpb.ListValue{},
		Nothing: &emptypb.Empty{}, Custom: "c", Maybe: proto.String(""),
	}
	return []proto.Message{
		&testpb.Everything{},
		full,
		&testpb.Everything{Choice: &testpb.Everything_Text{Text: "t"}, Extra: structpb.NewStringValue("s")},
		&testpb.Everything{Choice: &testpb.Everything_Number{Number: 1}, Extra: structpb.NewListValue(&structpb.ListValue{})},
		&testpb.Inner{},
	}
}

// TestSchemasAcceptCodecOutput checks the schemas against what the json
// codec writes, in both dialects and both directions.
func TestSchemasAcceptCodecOutput(t *testing.T) {
	codec := encoding.GetCodec("json")
	for _, m := range samples(t) {
		b, err := codec.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		md := m.ProtoReflect().Descriptor()
		for _, dir := range []jsonschema.Direction{jsonschema.Input, jsonschema.Output} {
			s := jsonschema.For(md, jsonschema.WithDirection(dir))
			if err := check(s, s.Defs, v, "$"); err != nil {
				t.Errorf("Draft202012 direction %d: %s: %v", dir, b, err)
			}
			g := jsonschema.NewGenerator(jsonschema.WithDialect(jsonschema.OpenAPI30), jsonschema.WithDirection(dir))
			ref := g.Message(md)
			if err := check(ref, g.Defs(), v, "$"); err != nil {
				t.Errorf("OpenAPI30 direction %d: %s: %v", dir, b, err)
			}
		}
	}
}

// TestSchemasRejectOtherShapes makes sure the checks above can fail: JSON
// the codec never writes is rejected.
func TestSchemasRejectOtherShapes(t *testing.T) {
	s := jsonschema.For(everything, jsonschema.WithDirection(jsonschema.Output))
	base := func() map[string]any {
		b, err := encoding.GetCodec("json").Marshal(&testpb.Everything{})
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		change func(map[string]any)
	}{
		{"int64 as number", func(v map[string]any) { v["id"] = 1.0 }},
		{"enum as number", func(v map[string]any) { v["color"] = 1.0 }},
		{"unknown enum name", func(v map[string]any) { v["color"] = "BLUE" }},
		{"int32 as string", func(v map[string]any) { v["age"] = "1" }},
		{"fraction in int32", func(v map[string]any) { v["age"] = 1.5 }},
		{"missing field", func(v map[string]any) { delete(v, "age") }},
		{"two oneof members", func(v map[string]any) { v["text"] = "a"; v["number"] = "1" }},
		{"null scalar", func(v map[string]any) { v["userName"] = nil }},
		{"bad duration", func(v map[string]any) { v["timeout"] = "1m" }},
		{"bad map key", func(v map[string]any) { v["codes"] = map[string]any{"x": "y"} }},
		{"nested wrong type", func(v map[string]any) { v["inner"] = map[string]any{"level": "2"} }},
	}
	for _, tt := range tests {
		v := base()
		tt.change(v)
		if err := check(s, s.Defs, v, "$"); err == nil {
			t.Errorf("%s: check() = nil, want an error", tt.name)
		}
	}
}
