package protojson_test

import (
	"bytes"
	stdjson "encoding/json"
	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/protojson"
)

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := stdjson.Compact(&out, b); err != nil {
		t.Fatalf("compact(%q) error = %v", b, err)
	}
	return out.String()
}

func TestName(t *testing.T) {
	for _, name := range []string{"protojson", "ProtoJSON"} {
		c := encoding.GetCodec(name)
		if c == nil {
			t.Fatalf("GetCodec(%q) = nil, want the protojson codec", name)
		}
		if got := c.Name(); got != protojson.Name {
			t.Errorf("GetCodec(%q).Name() = %q, want %q", name, got, protojson.Name)
		}
	}
}

func TestMarshal(t *testing.T) {
	msg := &testpb.Inner{Name: "n"}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"message emits unpopulated fields", msg, `{"name":"n","level":0,"child":null,"tags":[]}`},
		// As the json codec (and Kratos v2.9.2's): encoding/json, not protojson.
		{"pointer to message pointer", &msg, `{"name":"n"}`},
		{"plain value goes through encoding/json", map[string]int{"x": 1}, `{"x":1}`},
	}
	c := encoding.GetCodec(protojson.Name)
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
	tests := []struct {
		name    string
		data    string
		want    string
		wantErr bool
	}{
		{"known fields", `{"name":"a","level":2}`, "a", false},
		{"unknown fields are ignored", `{"name":"b","nope":1}`, "b", false},
		{"proto field names", `{"name":"c"}`, "c", false},
		{"malformed", `{"name":`, "", true},
		{"wrong type", `{"name":1}`, "", true},
	}
	c := encoding.GetCodec(protojson.Name)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in testpb.Inner
			err := c.Unmarshal([]byte(tt.data), &in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.data, err, tt.wantErr)
			}
			if got := in.GetName(); !tt.wantErr && got != tt.want {
				t.Errorf("Unmarshal(%s) name = %q, want %q", tt.data, got, tt.want)
			}
		})
	}
}

// TestOptionsAreReadAtEveryCall checks that the registered codec follows
// the package variables, and the json codec keeps its own.
func TestOptionsAreReadAtEveryCall(t *testing.T) {
	saved := protojson.MarshalOptions
	t.Cleanup(func() { protojson.MarshalOptions = saved })
	protojson.MarshalOptions.EmitUnpopulated = false

	got, err := encoding.GetCodec(protojson.Name).Marshal(&testpb.Inner{Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	if got := compact(t, got); got != `{"name":"n"}` {
		t.Errorf("protojson Marshal() = %s, want %s", got, `{"name":"n"}`)
	}
	got, err = encoding.GetCodec("json").Marshal(&testpb.Inner{Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := compact(t, got), `{"name":"n","level":0,"child":null,"tags":[]}`; got != want {
		t.Errorf("json Marshal() = %s, want %s", got, want)
	}
}

// TestHostileNestingIsRefused checks the recursion limit on input.
func TestHostileNestingIsRefused(t *testing.T) {
	deep := bytes.Repeat([]byte(`{"child":`), 200)
	deep = append(deep, []byte(`{}`)...)
	deep = append(deep, bytes.Repeat([]byte(`}`), 200)...)
	if err := encoding.GetCodec(protojson.Name).Unmarshal(deep, new(testpb.Inner)); err == nil {
		t.Error("Unmarshal(200 levels) error = nil, want a recursion error")
	}
}
