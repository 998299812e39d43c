package protoval_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	_ "github.com/seed6ad8aa6b/kratos/encoding/json"
	_ "github.com/seed6ad8aa6b/kratos/encoding/proto"
	_ "github.com/seed6ad8aa6b/kratos/encoding/yaml"
)

// nestedJSON returns a google.protobuf.Struct in JSON nested depth levels
// deep: {"a":{"a":...{}}}.
func nestedJSON(depth int) []byte {
	return []byte(strings.Repeat(`{"a":`, depth) + "{}" + strings.Repeat("}", depth))
}

// nestedProto returns the binary form of a Struct nested depth levels deep.
// It is built bottom-up from bytes, since building the message itself would
// need the recursion the codecs refuse.
func nestedProto(t testing.TB, depth int) []byte {
	t.Helper()
	// Struct{fields: {"a": Value{struct_value: <inner>}}}: the map entry is
	// field 1 (key 1, value 2), Value.struct_value is field 5.
	inner := []byte{}
	for range depth {
		value := append([]byte{0x2a}, varint(len(inner))...)
		value = append(value, inner...)
		entry := []byte{0x0a, 0x01, 'a', 0x12}
		entry = append(entry, varint(len(value))...)
		entry = append(entry, value...)
		inner = append([]byte{0x0a}, varint(len(entry))...)
		inner = append(inner, entry...)
	}
	return inner
}

func varint(n int) []byte {
	var b []byte
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

func TestDeepNestingIsRefused(t *testing.T) {
	tests := []struct {
		codec string
		data  func(depth int) []byte
	}{
		{"json", nestedJSON},
		{"yaml", nestedJSON}, // JSON is YAML
		{"proto", func(depth int) []byte { return nestedProto(t, depth) }},
	}
	for _, tt := range tests {
		t.Run(tt.codec, func(t *testing.T) {
			c := encoding.GetCodec(tt.codec)
			// 20 JSON levels are 40 message levels (Struct, Value): fine.
			if err := c.Unmarshal(tt.data(20), new(structpb.Struct)); err != nil {
				t.Fatalf("Unmarshal(20 levels) error = %v, want nil", err)
			}
			depth := 9000
			if tt.codec == "proto" {
				depth = 3000 // the test builds the bytes in quadratic time
			}
			hostile := tt.data(depth)
			start := time.Now()
			err := c.Unmarshal(hostile, new(structpb.Struct))
			took := time.Since(start)
			if err == nil {
				t.Fatalf("Unmarshal(%d levels, %d bytes) error = nil, want a recursion error", depth, len(hostile))
			}
			t.Logf("%d levels, %d bytes: refused in %v: %v", depth, len(hostile), took, err)
			if took > 2*time.Second { // a wide bound: it takes microseconds
				t.Errorf("Unmarshal(%d levels) took %v", depth, took)
			}
		})
	}
}

// TestNestedProtoHelper checks the hand-built wire bytes against the
// protobuf library at a depth it accepts.
func TestNestedProtoHelper(t *testing.T) {
	var got structpb.Struct
	if err := proto.Unmarshal(nestedProto(t, 3), &got); err != nil {
		t.Fatal(err)
	}
	v := got.Fields["a"].GetStructValue().Fields["a"].GetStructValue().Fields["a"].GetStructValue()
	if v == nil {
		t.Fatalf("Unmarshal(nestedProto(3)) = %v, want three levels", &got)
	}
}
