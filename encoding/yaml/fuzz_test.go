package yaml_test

import (
	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/yaml"
)

// FuzzYAMLUnmarshal feeds arbitrary documents to the yaml codec's message
// path (yaml -> generic values -> JSON -> protojson). It must not panic,
// and whatever decodes must encode and decode again.
func FuzzYAMLUnmarshal(f *testing.F) {
	for _, s := range []string{
		"", "null", "userName: ann\nage: 3\n", "codes:\n  7: x\nflags:\n  true: 1\n",
		"createdAt: 2024-01-02T03:04:05Z\ntimeout: 1.5s\n", "meta:\n  a: [1, {b: ~}]\n",
		"score: .nan\nratio: -.inf\n", "inner: &i {name: x}\nnested: *i\n", "? [a]\n: 1\n",
		"payload: !!binary aGk=\n", "1.5: x\n", "- a\n- b\n", "a: [",
	} {
		f.Add([]byte(s))
	}
	c := encoding.GetCodec(yaml.Name)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg := &testpb.Everything{}
		if err := c.Unmarshal(data, msg); err != nil {
			return
		}
		b, err := c.Marshal(msg)
		if err != nil {
			t.Fatalf("Marshal(%v) after Unmarshal(%q) error = %v", msg, data, err)
		}
		if err := c.Unmarshal(b, &testpb.Everything{}); err != nil {
			t.Fatalf("Unmarshal(%q), the encoding of %v, error = %v", b, msg, err)
		}
	})
}
