package form_test

import (
	"net/url"
	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/form"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

// The query and path variables of a typical GET, bound directly and
// through the codec (which re-encodes and re-parses the values).
var benchValues = url.Values{"id": {"42"}, "userName": {"ann"}, "numbers": {"1", "2"}, "inner.name": {"x"}}

func BenchmarkDecodeValues(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var m testpb.Everything
		if err := form.DecodeValues(&m, benchValues); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalEncodedValues(b *testing.B) {
	b.ReportAllocs()
	c := encoding.GetCodec(form.Name)
	for b.Loop() {
		var m testpb.Everything
		if err := c.Unmarshal([]byte(benchValues.Encode()), &m); err != nil {
			b.Fatal(err)
		}
	}
}
