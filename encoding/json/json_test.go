package json_test

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/json"
)

type plain struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

// selfMarshaler encodes and decodes itself.
type selfMarshaler struct{ s string }

func (m selfMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

func (m *selfMarshaler) UnmarshalJSON(b []byte) error {
	m.s = "custom:" + string(b)
	return nil
}

func TestName(t *testing.T) {
	if got, want := encoding.GetCodec(json.Name).Name(), "json"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
}

func TestMarshal(t *testing.T) {
	msg := &testpb.Inner{Name: "n", Tags: []string{"a"}}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"message emits unpopulated fields", msg, `{"name":"n","level":0,"child":null,"tags":["a"]}`},
		// As on Kratos v2.9.2 (its TestJSON_Unmarshal marshals a **TestModel):
		// encoding/json with the generated struct tags, not protojson.
		{"pointer to message pointer", &msg, `{"name":"n","tags":["a"]}`},
		{"plain struct", plain{A: 1}, `{"a":1}`},
		{"map", map[string]int{"x": 1}, `{"x":1}`},
		{"json.Marshaler", selfMarshaler{}, `"custom"`},
		{"nil", nil, `null`},
	}
	c := encoding.GetCodec(json.Name)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := c.Marshal(tt.v)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if got := compact(t, b); got != tt.want {
				t.Errorf("Marshal() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	c := encoding.GetCodec(json.Name)

	var msg testpb.Inner
	if err := c.Unmarshal([]byte(`{"name":"n","unknown":1,"tags":["a"]}`), &msg); err != nil {
		t.Fatalf("Unmarshal(message) error = %v", err)
	}
	if want := (&testpb.Inner{Name: "n", Tags: []string{"a"}}); !proto.Equal(&msg, want) {
		t.Errorf("Unmarshal(message) = %v, want %v", &msg, want)
	}

	var pp *testpb.Inner
	if err := c.Unmarshal([]byte(`{"level":2}`), &pp); err != nil {
		t.Fatalf("Unmarshal(**Inner) error = %v", err)
	}
	if pp.GetLevel() != 2 {
		t.Errorf("Unmarshal(**Inner) = %v, want level 2", pp)
	}

	var p plain
	if err := c.Unmarshal([]byte(`{"a":1,"b":"x","c":2}`), &p); err != nil {
		t.Fatalf("Unmarshal(struct) error = %v", err)
	}
	if want := (plain{A: 1, B: "x"}); p != want {
		t.Errorf("Unmarshal(struct) = %+v, want %+v", p, want)
	}

	var s selfMarshaler
	if err := c.Unmarshal([]byte(`1`), &s); err != nil || s.s != "custom:1" {
		t.Errorf("Unmarshal(json.Unmarshaler) = %q, %v, want %q, nil", s.s, err, "custom:1")
	}
}

func TestUnmarshalErrors(t *testing.T) {
	c := encoding.GetCodec(json.Name)
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	deepValue := `{"name":"x","child":` + strings.Repeat(`{"child":`, 20000) + "{}" + strings.Repeat("}", 20000) + "}"
	tests := []struct {
		name string
		data string
		v    any
		want string
	}{
		{"malformed message", `{"name":`, &testpb.Inner{}, "unexpected EOF"},
		{"wrong type in message", `{"level":"x"}`, &testpb.Inner{}, "invalid value for int32 field level"},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", &testpb.Inner{}, "invalid UTF-8"},
		{"malformed plain", `{"a":`, &plain{}, "unexpected end of JSON input"},
		{"wrong type plain", `{"a":"x"}`, &plain{}, "cannot unmarshal string"},
		{"non-pointer", `{}`, plain{}, "non-pointer"},
		{"nil message", `{}`, (*testpb.Inner)(nil), "cannot decode into nil"},
		{"nil pointer to message pointer", `{}`, (**testpb.Inner)(nil), "cannot decode into nil"},
		{"deeply nested plain", deep, new(any), "exceeded max depth"},
		{"deeply nested message", deepValue, &testpb.Inner{}, "exceeded max recursion depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Unmarshal([]byte(tt.data), tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestOptionsAreRead(t *testing.T) {
	savedM, savedU := json.MarshalOptions, json.UnmarshalOptions
	t.Cleanup(func() { json.MarshalOptions, json.UnmarshalOptions = savedM, savedU })

	json.MarshalOptions = protojson.MarshalOptions{UseProtoNames: true}
	json.UnmarshalOptions = protojson.UnmarshalOptions{}
	c := encoding.GetCodec(json.Name)
	b, err := c.Marshal(&testpb.Everything{UserName: "ann"})
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if got, want := compact(t, b), `{"user_name":"ann"}`; got != want {
		t.Errorf("Marshal() = %s, want %s", got, want)
	}
	if err := c.Unmarshal([]byte(`{"nope":1}`), &testpb.Inner{}); err == nil {
		t.Error("Unmarshal() of an unknown field error = nil, want one with DiscardUnknown off")
	}
}

// compact removes the whitespace protojson inserts at random; the test
// values contain none of their own.
func compact(t *testing.T, b []byte) string {
	t.Helper()
	if !stdjson.Valid(b) {
		t.Fatalf("output %s is not JSON", b)
	}
	return strings.Join(strings.Fields(string(b)), "")
}
