package yaml_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/yaml"
)

type plain struct {
	A int      `yaml:"a"`
	B []string `yaml:"b,omitempty"`
}

func TestPlain(t *testing.T) {
	c := encoding.GetCodec(yaml.Name)
	if got, want := c.Name(), "yaml"; got != want {
		t.Fatalf("Name() = %q, want %q", got, want)
	}
	b, err := c.Marshal(plain{A: 1, B: []string{"x"}})
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if got, want := string(b), "a: 1\nb:\n    - x\n"; got != want {
		t.Errorf("Marshal() = %q, want %q", got, want)
	}
	var got plain
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatalf("Unmarshal() error = %v", err)
	}
	if got.A != 1 || len(got.B) != 1 || got.B[0] != "x" {
		t.Errorf("Unmarshal() = %+v, want {A:1 B:[x]}", got)
	}
}

func TestMarshalMessage(t *testing.T) {
	b, err := encoding.GetCodec(yaml.Name).Marshal(&testpb.Inner{Name: "123", Level: 2, Tags: []string{"a"}})
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	want := "name: \"123\"\nlevel: 2\nchild: null\ntags:\n    - a\n"
	if got := string(b); got != want {
		t.Errorf("Marshal() = %q, want %q", got, want)
	}
}

func TestUnmarshalMessage(t *testing.T) {
	tests := []struct {
		name string
		data string
		want *testpb.Everything
	}{
		{"empty document", "", &testpb.Everything{}},
		{"null document", "null", &testpb.Everything{}},
		{"JSON names and proto names", "userName: ann\nage: 3\nid: \"-5\"\nunknown: 1\n", &testpb.Everything{UserName: "ann", Age: 3, Id: -5}},
		{"proto names", "user_name: ann\n", &testpb.Everything{UserName: "ann"}},
		{"well-known types", "createdAt: 2024-01-02T03:04:05Z\ntimeout: 1.5s\nmeta:\n  a: [1, x]\n", &testpb.Everything{
			CreatedAt: timestamppb.New(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
			Timeout:   durationpb.New(1500 * time.Millisecond),
			Meta: &structpb.Struct{Fields: map[string]*structpb.Value{"a": structpb.NewListValue(&structpb.ListValue{
				Values: []*structpb.Value{structpb.NewNumberValue(1), structpb.NewStringValue("x")},
			})}},
		}},
		{"non-string keys", "codes:\n  7: seven\nflags:\n  true: 1\n", &testpb.Everything{Codes: map[int32]string{7: "seven"}, Flags: map[bool]int64{true: 1}}},
		{"infinity", "score: .inf\nratio: -.inf\n", &testpb.Everything{Score: math.Inf(1), Ratio: float32(math.Inf(-1))}},
		{"anchors", "inner: &i {name: x}\nnested: *i\n", &testpb.Everything{Inner: &testpb.Inner{Name: "x"}, Choice: &testpb.Everything_Nested{Nested: &testpb.Inner{Name: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := &testpb.Everything{}
			if err := encoding.GetCodec(yaml.Name).Unmarshal([]byte(tt.data), got); err != nil {
				t.Fatalf("Unmarshal(%q) error = %v", tt.data, err)
			}
			if !proto.Equal(got, tt.want) {
				t.Errorf("Unmarshal(%q) = %v, want %v", tt.data, got, tt.want)
			}
		})
	}
}

func TestMessageRoundTrip(t *testing.T) {
	in := &testpb.Everything{
		Age: 3, Id: -5, U64: 1 << 63, UserName: "true", Payload: []byte{0xff}, Color: testpb.Color_RED,
		Inner: &testpb.Inner{Name: "x\ny"}, Numbers: []int32{1, 2}, Labels: map[string]string{"a: b": "- c"},
		Codes: map[int32]string{-1: "m"}, CreatedAt: timestamppb.New(time.Unix(1, 5).UTC()),
		Meta:  &structpb.Struct{Fields: map[string]*structpb.Value{"n": structpb.NewNullValue()}},
		Extra: structpb.NewNumberValue(1.5), Custom: "c",
	}
	c := encoding.GetCodec(yaml.Name)
	b, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	var got *testpb.Everything
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatalf("Unmarshal(%s) error = %v", b, err)
	}
	if !proto.Equal(got, in) {
		t.Errorf("Unmarshal(Marshal(m)) = %v, want %v; yaml:\n%s", got, in, b)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	laughs := "a: &a [x,x,x,x,x,x,x,x,x]\n"
	for i := 'b'; i <= 'j'; i++ {
		prev := string(i - 1)
		laughs += string(i) + ": &" + string(i) + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
	}
	tests := []struct {
		name string
		data string
		v    any
		want string
	}{
		{"malformed", "a: [", &plain{}, "yaml:"},
		{"malformed message", "name: [", &testpb.Inner{}, "yaml:"},
		{"wrong type", "level: x", &testpb.Inner{}, "invalid value for int32"},
		{"wrong type plain", "a: x", &plain{}, "cannot unmarshal"},
		{"unsupported key", "? [a]\n: 1\n", &testpb.Inner{}, "invalid map key"},
		{"nil message", "a: 1", (*testpb.Inner)(nil), "cannot decode into nil"},
		{"deep", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), &testpb.Everything{}, "nested deeper than 100"},
		{"deep plain", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), new(any), "exceeded max depth"},
		{"alias bomb", laughs, &testpb.Everything{}, "excessive aliasing"},
		{"alias bomb plain", laughs, new(any), "excessive aliasing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := encoding.GetCodec(yaml.Name).Unmarshal([]byte(tt.data), tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
