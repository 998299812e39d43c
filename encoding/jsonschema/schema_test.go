package jsonschema_test

import (
	"encoding/json"
	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

func TestSchemaRoundTrip(t *testing.T) {
	const in = `{"type":"object","properties":{"b":{"type":"string"},"a":{"$ref":"#/$defs/x"}},"required":["b"],"$defs":{"x":{"type":"integer"}}}`
	var s jsonschema.Schema
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); got != in {
		t.Errorf("round trip = %s, want %s (property order kept)", got, in)
	}
}

func TestPropertiesUnmarshalBad(t *testing.T) {
	for _, in := range []string{
		`[]`, `"x"`, `{"a":1}`, `{"a":{"type":3}}`, `{"a":{}`, `{`, `{"a" {}}`, `{1:{}}`,
	} {
		var ps jsonschema.Properties
		if err := json.Unmarshal([]byte(in), &ps); err == nil {
			t.Errorf("Unmarshal(%s) = nil error, want one", in)
		}
	}
	var ps jsonschema.Properties
	if err := json.Unmarshal([]byte(`null`), &ps); err != nil || ps != nil {
		t.Errorf("Unmarshal(null) = %v, %v; want nil, nil", ps, err)
	}
}

func FuzzProperties(f *testing.F) {
	f.Add(`{"a":{"type":"string"},"b":{"properties":{"c":{}}}}`)
	f.Add(`{"":{}}`)
	f.Fuzz(func(t *testing.T, in string) {
		var ps jsonschema.Properties
		if err := json.Unmarshal([]byte(in), &ps); err != nil {
			return
		}
		out, err := json.Marshal(ps)
		if err != nil {
			t.Fatalf("Marshal after Unmarshal(%q): %v", in, err)
		}
		var again jsonschema.Properties
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("Unmarshal(%s) of our own output: %v", out, err)
		}
	})
}
