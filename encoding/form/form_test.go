package form_test

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/form"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

func TestName(t *testing.T) {
	c := encoding.GetCodec(form.Name)
	if c == nil {
		t.Fatalf("GetCodec(%q) = nil", form.Name)
	}
	if got, want := c.Name(), "x-www-form-urlencoded"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
}

func TestEncodeValuesProto(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		msg  proto.Message
		want string
	}{
		{"nil message", (*testpb.Everything)(nil), ""},
		{"empty message", &testpb.Everything{}, ""},
		{"unpopulated fields are omitted", &testpb.Everything{Age: 0, UserName: "", Active: false}, ""},
		{"ints", &testpb.Everything{Age: -3, Id: math.MinInt64, U32: math.MaxUint32, U64: math.MaxUint64, S32: -1, S64: -2, F32: 3, F64: 4, Sf32: -5, Sf64: -6},
			"age=-3&f32=3&f64=4&id=-9223372036854775808&s32=-1&s64=-2&sf32=-5&sf64=-6&u32=4294967295&u64=18446744073709551615"},
		{"floats", &testpb.Everything{Ratio: 0.1, Score: 22.22}, "ratio=0.1&score=22.22"},
		{"bool", &testpb.Everything{Active: true}, "active=true"},
		{"string is escaped", &testpb.Everything{UserName: "a b&c=d"}, "userName=a+b%26c%3Dd"},
		{"bytes are URL-safe base64", &testpb.Everything{Payload: []byte{0xfb, 0xff}}, "payload=-_8%3D"},
		{"enum by name", &testpb.Everything{Color: testpb.Color_GREEN}, "color=GREEN"},
		{"unknown enum number", &testpb.Everything{Color: 42}, "color=42"},
		{"json_name", &testpb.Everything{Custom: "c"}, "customName=c"},
		{"optional set to zero", &testpb.Everything{Maybe: proto.String("")}, "maybe="},
		{"nested message", &testpb.Everything{Inner: &testpb.Inner{Name: "n", Child: &testpb.Inner{Level: 2}}}, "inner.child.level=2&inner.name=n"},
		{"empty nested message", &testpb.Everything{Inner: &testpb.Inner{}}, ""},
		{"repeated scalars", &testpb.Everything{Numbers: []int32{1, 2, 1}, Names: []string{"a,b", "c"}}, "names=a%2Cb&names=c&numbers=1&numbers=2&numbers=1"},
		{"repeated enums", &testpb.Everything{Colors: []testpb.Color{testpb.Color_RED, testpb.Color_GREEN}}, "colors=RED&colors=GREEN"},
		{"repeated timestamps", &testpb.Everything{Times: []*timestamppb.Timestamp{timestamppb.New(ts), {}}}, "times=2024-01-02T03%3A04%3A05Z&times=1970-01-01T00%3A00%3A00Z"},
		{"map", &testpb.Everything{Labels: map[string]string{"env": "prod", "a.b": "c"}}, "labels%5Ba.b%5D=c&labels%5Benv%5D=prod"},
		{"int and bool map keys", &testpb.Everything{Codes: map[int32]string{-7: "x"}, Flags: map[bool]int64{true: 1}}, "codes%5B-7%5D=x&flags%5Btrue%5D=1"},
		{"oneof scalar", &testpb.Everything{Choice: &testpb.Everything_Number{Number: 0}}, "number=0"},
		{"oneof message", &testpb.Everything{Choice: &testpb.Everything_Nested{Nested: &testpb.Inner{Name: "x"}}}, "nested.name=x"},
		{"timestamp", &testpb.Everything{CreatedAt: timestamppb.New(ts)}, "createdAt=2024-01-02T03%3A04%3A05Z"},
		{"timestamp millis", &testpb.Everything{CreatedAt: timestamppb.New(ts.Add(500 * time.Millisecond))}, "createdAt=2024-01-02T03%3A04%3A05.500Z"},
		{"timestamp nanos", &testpb.Everything{CreatedAt: timestamppb.New(ts.Add(100))}, "createdAt=2024-01-02T03%3A04%3A05.000000100Z"},
		{"duration", &testpb.Everything{Timeout: durationpb.New(1500 * time.Millisecond)}, "timeout=1.5s"},
		{"duration with nanos", &testpb.Everything{Timeout: &durationpb.Duration{Seconds: 120, Nanos: 22}}, "timeout=2m0.000000022s"},
		{"negative duration", &testpb.Everything{Timeout: durationpb.New(-100 * time.Second)}, "timeout=-1m40s"},
		{"duration beyond time.Duration", &testpb.Everything{Timeout: &durationpb.Duration{Seconds: -315576000000, Nanos: -500000000}}, "timeout=-315576000000.5s"},
		{"wrappers", &testpb.Everything{
			MaxCount: wrapperspb.Int32(-1), BigCount: wrapperspb.Int64(64), SmallUnsigned: wrapperspb.UInt32(32),
			BigUnsigned: wrapperspb.UInt64(1), Fraction: wrapperspb.Float(12.34), Precise: wrapperspb.Double(12.33),
			Enabled: wrapperspb.Bool(false), Nickname: wrapperspb.String("go"), Blob: wrapperspb.Bytes([]byte{0xfb, 0xff}),
		}, "bigCount=64&bigUnsigned=1&blob=%2B%2F8%3D&enabled=false&fraction=12.34&maxCount=-1&nickname=go&precise=12.33&smallUnsigned=32"},
		{"field mask", &testpb.Everything{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"user_name", "inner.child_name"}}}, "updateMask=userName%2Cinner.childName"},
		{"struct as JSON", &testpb.Everything{Meta: &structpb.Struct{Fields: map[string]*structpb.Value{"a": structpb.NewBoolValue(true)}}}, "meta=%7B%22a%22%3Atrue%7D"},
		{"string value", &testpb.Everything{Extra: structpb.NewStringValue("e")}, "extra=e"},
		{"number value", &testpb.Everything{Extra: structpb.NewNumberValue(1.5)}, "extra=1.5"},
		{"list value", &testpb.Everything{List: &structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("a")}}}, "list=%5B%22a%22%5D"},
		{"empty", &testpb.Everything{Nothing: &emptypb.Empty{}}, ""},
		{"well-known type as the message", timestamppb.New(ts), "nanos=0&seconds=1704164645"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := form.EncodeValues(tt.msg)
			if err != nil {
				t.Fatalf("EncodeValues() error = %v", err)
			}
			// The nanos field is zero, hence not populated; strip it from want.
			want := strings.TrimPrefix(tt.want, "nanos=0&")
			if got := vs.Encode(); got != want {
				t.Errorf("EncodeValues().Encode() = %q, want %q", got, want)
			}
			b, err := encoding.GetCodec(form.Name).Marshal(tt.msg)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if got := string(b); got != want {
				t.Errorf("Marshal() = %q, want %q", got, want)
			}
		})
	}
}

func TestEncodeValuesProtoErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  proto.Message
		want string
	}{
		{"timestamp out of range", &testpb.Everything{CreatedAt: &timestamppb.Timestamp{Seconds: 1 << 40}}, "createdAt: timestamp seconds"},
		{"timestamp nanos out of range", &testpb.Everything{CreatedAt: &timestamppb.Timestamp{Nanos: -1}}, "timestamp nanos"},
		{"duration out of range", &testpb.Everything{Timeout: &durationpb.Duration{Seconds: 1 << 50}}, "timeout: duration seconds"},
		{"duration signs differ", &testpb.Everything{Timeout: &durationpb.Duration{Seconds: 1, Nanos: -1}}, "duration nanos"},
		{"in a list", &testpb.Everything{Times: []*timestamppb.Timestamp{{Seconds: -1 << 40}}}, "times: timestamp seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := form.EncodeValues(tt.msg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("EncodeValues() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		query string
		want  *testpb.Everything
	}{
		{"empty", "", &testpb.Everything{}},
		{"proto name", "user_name=ann", &testpb.Everything{UserName: "ann"}},
		{"JSON name", "userName=ann", &testpb.Everything{UserName: "ann"}},
		{"custom JSON name", "customName=c", &testpb.Everything{Custom: "c"}},
		{"proto name of a custom JSON name", "custom=c", &testpb.Everything{Custom: "c"}},
		{"ints", "age=-3&id=-9223372036854775808&u32=4294967295&u64=18446744073709551615&s32=-1&s64=-2&f32=3&f64=4&sf32=-5&sf64=-6",
			&testpb.Everything{Age: -3, Id: math.MinInt64, U32: math.MaxUint32, U64: math.MaxUint64, S32: -1, S64: -2, F32: 3, F64: 4, Sf32: -5, Sf64: -6}},
		{"floats", "ratio=0.1&score=1e3", &testpb.Everything{Ratio: 0.1, Score: 1000}},
		{"bool spellings", "active=1", &testpb.Everything{Active: true}},
		{"bool word", "active=TRUE", &testpb.Everything{Active: true}},
		{"enum by name", "color=GREEN", &testpb.Everything{Color: testpb.Color_GREEN}},
		{"enum by number", "color=1", &testpb.Everything{Color: testpb.Color_RED}},
		{"bytes std base64", "payload=%2B%2F8%3D", &testpb.Everything{Payload: []byte{0xfb, 0xff}}},
		{"bytes URL-safe base64", "payload=-_8%3D", &testpb.Everything{Payload: []byte{0xfb, 0xff}}},
		{"bytes unpadded", "payload=-_8", &testpb.Everything{Payload: []byte{0xfb, 0xff}}},
		{"bytes with unescaped plus", "payload=+/8=", &testpb.Everything{Payload: []byte{0xfb, 0xff}}},
		{"empty value leaves field unset", "age=&userName=&inner=&createdAt=", &testpb.Everything{}},
		{"optional", "maybe=x", &testpb.Everything{Maybe: proto.String("x")}},
		{"nested", "inner.name=n&inner.child.level=2", &testpb.Everything{Inner: &testpb.Inner{Name: "n", Child: &testpb.Inner{Level: 2}}}},
		{"repeated keys", "numbers=1&numbers=2&numbers=1", &testpb.Everything{Numbers: []int32{1, 2, 1}}},
		{"commas are not separators", "names=a,b&names=c", &testpb.Everything{Names: []string{"a,b", "c"}}},
		{"brackets append", "names[]=a&names[]=b", &testpb.Everything{Names: []string{"a", "b"}}},
		{"indexes place", "numbers[2]=3&numbers[0]=1", &testpb.Everything{Numbers: []int32{1, 0, 3}}},
		{"empty repeated string", "names=", &testpb.Everything{Names: []string{""}}},
		{"empty repeated number is skipped", "numbers=&numbers=1", &testpb.Everything{Numbers: []int32{1}}},
		{"repeated enums", "colors=RED&colors=2", &testpb.Everything{Colors: []testpb.Color{testpb.Color_RED, testpb.Color_GREEN}}},
		{"repeated messages", "items[1].name=b&items[0].tags=x&items[0].tags=y",
			&testpb.Everything{Items: []*testpb.Inner{{Tags: []string{"x", "y"}}, {Name: "b"}}}},
		{"repeated timestamps", "times=2024-01-02T03:04:05Z", &testpb.Everything{Times: []*timestamppb.Timestamp{timestamppb.New(ts)}}},
		{"map brackets", "labels[env]=prod", &testpb.Everything{Labels: map[string]string{"env": "prod"}}},
		{"map dots", "labels.env=prod", &testpb.Everything{Labels: map[string]string{"env": "prod"}}},
		{"map key with dot", "labels[a.b]=c", &testpb.Everything{Labels: map[string]string{"a.b": "c"}}},
		{"map key with bracket", "labels[a]b]=c", &testpb.Everything{Labels: map[string]string{"a]b": "c"}}},
		{"map empty key", "labels[]=c", &testpb.Everything{Labels: map[string]string{"": "c"}}},
		{"map last value wins", "labels[k]=a&labels[k]=b", &testpb.Everything{Labels: map[string]string{"k": "b"}}},
		{"int and bool map keys", "codes[-7]=x&flags[true]=1", &testpb.Everything{Codes: map[int32]string{-7: "x"}, Flags: map[bool]int64{true: 1}}},
		{"message map values", "children[c].level=1&children.c.name=n", &testpb.Everything{Children: map[string]*testpb.Inner{"c": {Level: 1, Name: "n"}}}},
		{"oneof", "text=hi", &testpb.Everything{Choice: &testpb.Everything_Text{Text: "hi"}}},
		{"oneof message", "nested.name=x&nested.level=1", &testpb.Everything{Choice: &testpb.Everything_Nested{Nested: &testpb.Inner{Name: "x", Level: 1}}}},
		{"timestamp", "createdAt=2024-01-02T03:04:05Z", &testpb.Everything{CreatedAt: timestamppb.New(ts)}},
		{"timestamp with offset", "created_at=2024-01-02T05:04:05.5%2B02:00", &testpb.Everything{CreatedAt: timestamppb.New(ts.Add(500 * time.Millisecond))}},
		{"timestamp fields", "createdAt.seconds=5", &testpb.Everything{CreatedAt: &timestamppb.Timestamp{Seconds: 5}}},
		{"null timestamp", "createdAt=null&timeout=null&maxCount=null", &testpb.Everything{}},
		{"duration", "timeout=1.5s", &testpb.Everything{Timeout: durationpb.New(1500 * time.Millisecond)}},
		{"duration protojson form", "timeout=1.500s", &testpb.Everything{Timeout: durationpb.New(1500 * time.Millisecond)}},
		{"duration Go form", "timeout=1h2m", &testpb.Everything{Timeout: durationpb.New(62 * time.Minute)}},
		{"duration beyond time.Duration", "timeout=-315576000000.5s", &testpb.Everything{Timeout: &durationpb.Duration{Seconds: -315576000000, Nanos: -500000000}}},
		{"wrappers", "maxCount=-1&bigCount=64&smallUnsigned=32&bigUnsigned=1&fraction=12.34&precise=12.33&enabled=false&nickname=null&blob=%2B%2F8%3D",
			&testpb.Everything{
				MaxCount: wrapperspb.Int32(-1), BigCount: wrapperspb.Int64(64), SmallUnsigned: wrapperspb.UInt32(32),
				BigUnsigned: wrapperspb.UInt64(1), Fraction: wrapperspb.Float(12.34), Precise: wrapperspb.Double(12.33),
				Enabled: wrapperspb.Bool(false), Nickname: wrapperspb.String("null"), Blob: wrapperspb.Bytes([]byte{0xfb, 0xff}),
			}},
		{"field mask", "updateMask=userName,inner.childName", &testpb.Everything{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"user_name", "inner.child_name"}}}},
		{"struct as JSON", `meta={"a":true}`, &testpb.Everything{Meta: &structpb.Struct{Fields: map[string]*structpb.Value{"a": structpb.NewBoolValue(true)}}}},
		{"struct keys", "meta.a=x&meta.b.c=y&meta.l=1&meta.l=2", &testpb.Everything{Meta: &structpb.Struct{Fields: map[string]*structpb.Value{
			"a": structpb.NewStringValue("x"),
			"b": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"c": structpb.NewStringValue("y")}}),
			"l": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("1"), structpb.NewStringValue("2")}}),
		}}}},
		{"value", "extra=1", &testpb.Everything{Extra: structpb.NewStringValue("1")}},
		{"value keys", "extra.a=b", &testpb.Everything{Extra: structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"a": structpb.NewStringValue("b")}})}},
		{"list value", `list=[1,"a"]`, &testpb.Everything{List: &structpb.ListValue{Values: []*structpb.Value{structpb.NewNumberValue(1), structpb.NewStringValue("a")}}}},
		{"empty message", "nothing=x", &testpb.Everything{Nothing: &emptypb.Empty{}}},
		{"null value", "nullValue=null", &testpb.Everything{}},
		{"unknown fields are ignored", "nope=1&inner.nope=2&nope.x[=3&a..b=4&nope[=5", &testpb.Everything{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q) error = %v", tt.query, err)
			}
			got := &testpb.Everything{}
			if err := form.DecodeValues(got, vs); err != nil {
				t.Fatalf("DecodeValues(%q) error = %v", tt.query, err)
			}
			if diff := cmpDiff(tt.want, got); diff != "" {
				t.Errorf("DecodeValues(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
			got2 := &testpb.Everything{}
			if err := encoding.GetCodec(form.Name).Unmarshal([]byte(vs.Encode()), got2); err != nil {
				t.Fatalf("Unmarshal(%q) error = %v", vs.Encode(), err)
			}
			if diff := cmpDiff(tt.want, got2); diff != "" {
				t.Errorf("Unmarshal(%q) mismatch (-want +got):\n%s", vs.Encode(), diff)
			}
		})
	}
}

func TestDecodeValuesErrors(t *testing.T) {
	deep := "inner" + strings.Repeat(".child", 100) + ".level"
	var padding []string
	for i := range 11 {
		padding = append(padding, "items["+string(rune('0'+i%10))+strings.Repeat("0", i/10)+"].tags[999]=x")
	}
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"type mismatch", "age=abc", `form: key "age": field age: strconv.ParseInt: parsing "abc": invalid syntax`},
		{"out of range", "age=99999999999", "value out of range"},
		{"negative unsigned", "u32=-1", "invalid syntax"},
		{"float", "score=x", "ParseFloat"},
		{"bool", "active=yes", "ParseBool"},
		{"two values for a scalar", "age=1&age=2", "takes one value, got 2"},
		{"unknown enum name", "color=PURPLE", `"PURPLE" is not a value of enum kratos.encoding.testpb.Color`},
		{"unknown enum number", "color=42", "is not a value of enum"},
		{"invalid UTF-8", "userName=%ff", "invalid UTF-8"},
		{"invalid UTF-8 in repeated", "names=a&names=%ff", "invalid UTF-8"},
		{"invalid UTF-8 map key", "labels[%ff]=x", "invalid UTF-8"},
		{"invalid UTF-8 map value", "labels[x]=%ff", "invalid UTF-8"},
		{"invalid UTF-8 wrapper", "nickname=%ff", "invalid UTF-8"},
		{"invalid UTF-8 struct key", "meta.%ff=x", "invalid UTF-8"},
		{"invalid base64", "payload=!!!", "invalid base64"},
		{"commas are not separators", "numbers=1,2", "invalid syntax"},
		{"brackets on a scalar", "age[0]=1", "neither a map nor a repeated field"},
		{"path through a scalar", "age.x=1", "field age is not a message"},
		{"message from one value", "inner=x", "cannot be set from a single value"},
		{"empty segment", "inner..name=1", "empty field name"},
		{"trailing dot", "inner.=1", "trailing '.'"},
		{"unterminated bracket", "labels[a=1", "unterminated '['"},
		{"stray bracket", "inner]=1", "unexpected ']'"},
		{"junk after bracket", "labels[a]b=1", "unterminated '['"},
		{"repeated message without index", "items.name=x", "needs an index"},
		{"index too large", "items[1000].name=x", "out of range"},
		{"negative index", "items[-1].name=x", "invalid index"},
		{"index not a number", "items[x].name=x", "invalid index"},
		{"two indexes", "items[0][1].name=x", "takes one [index]"},
		{"too much padding", strings.Join(padding, "&"), "more than 10000 list elements"},
		{"too many segments", deep + "=1", "more than 100 segments"},
		{"map without key", "labels=x", "needs a key"},
		{"map with two keys", "labels[a][b]=x", "takes one [key]"},
		{"bad map key", "codes[x]=y", "key: strconv.ParseInt"},
		{"bad map value", "flags[true]=x", "value: strconv.ParseInt"},
		{"path through map scalar", "labels[a].b=x", "values are not messages"},
		{"oneof set twice", "text=a&number=1", "oneof choice already has field number set"},
		{"timestamp", "createdAt=yesterday", "parsing time"},
		{"timestamp out of range", "createdAt=0000-01-01T00:00:00Z", "before 0001-01-01"},
		{"duration", "timeout=forever", `invalid duration "forever"`},
		{"duration out of range", "timeout=400000000000s", "invalid duration"},
		{"wrapper", "maxCount=abc", "ParseInt"},
		{"field mask with invalid UTF-8", "updateMask=%ff", "invalid UTF-8"},
		{"struct JSON", "meta={", "meta"},
		{"struct key brackets", "meta.a[0]=x", "struct keys take no [0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatalf("ParseQuery(%q) error = %v", tt.query, err)
			}
			err = form.DecodeValues(&testpb.Everything{}, vs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeValues(%q) error = %v, want one containing %q", tt.query, err, tt.want)
			}
		})
	}
}

func TestDecodeValuesNil(t *testing.T) {
	if err := form.DecodeValues(nil, url.Values{"a": {"1"}}); err == nil {
		t.Error("DecodeValues(nil) error = nil, want an error")
	}
	if err := form.DecodeValues((*testpb.Everything)(nil), url.Values{"age": {"1"}}); err == nil {
		t.Error("DecodeValues((*Everything)(nil)) error = nil, want an error")
	}
}

func TestUnmarshalErrors(t *testing.T) {
	c := encoding.GetCodec(form.Name)
	var n int
	tests := []struct {
		name string
		data string
		v    any
		want string
	}{
		{"malformed escape", "a=%zz", &testpb.Everything{}, `form: invalid URL escape "%zz"`},
		{"semicolon", "a=1;b=2", &testpb.Everything{}, "invalid semicolon separator"},
		{"non-pointer", "a=1", struct{}{}, "need a non-nil pointer"},
		{"nil", "a=1", nil, "need a non-nil pointer"},
		{"nil message", "age=1", (*testpb.Everything)(nil), "cannot decode into nil"},
		{"pointer to int", "a=1", &n, "need a pointer to a struct or a map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Unmarshal([]byte(tt.data), tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal(%q, %T) error = %v, want one containing %q", tt.data, tt.v, err, tt.want)
			}
		})
	}
}

func TestUnmarshalPointerToMessagePointer(t *testing.T) {
	var m *testpb.Everything
	if err := encoding.GetCodec(form.Name).Unmarshal([]byte("age=7"), &m); err != nil {
		t.Fatalf("Unmarshal() error = %v", err)
	}
	if got, want := m.GetAge(), int32(7); got != want {
		t.Errorf("Unmarshal() age = %d, want %d", got, want)
	}
}

func TestUnmarshalURLValues(t *testing.T) {
	var got url.Values
	if err := encoding.GetCodec(form.Name).Unmarshal([]byte("a=1&a=2&b="), &got); err != nil {
		t.Fatalf("Unmarshal() error = %v", err)
	}
	if want := "a=1&a=2&b="; got.Encode() != want {
		t.Errorf("Unmarshal() = %q, want %q", got.Encode(), want)
	}
}

func TestProtoRoundTrip(t *testing.T) {
	in := &testpb.Everything{
		Age: 3, Id: -5, U64: math.MaxUint64, Ratio: 0.25, Score: -1.5, Active: true, UserName: "a b&c", Payload: []byte{0, 0xfb, 0xff},
		Color: testpb.Color_RED, Inner: &testpb.Inner{Name: "in", Child: &testpb.Inner{Level: 2, Tags: []string{"t"}}},
		Numbers: []int32{3, 1, 2}, Names: []string{"", "x,y"}, Colors: []testpb.Color{testpb.Color_GREEN},
		Items:  []*testpb.Inner{{Name: "a"}, {Name: "b", Tags: []string{"x", "y"}}},
		Times:  []*timestamppb.Timestamp{timestamppb.New(time.Unix(1, 5))},
		Labels: map[string]string{"k.x": "v", "a]b": "c", "": "empty"}, Codes: map[int32]string{7: "seven"},
		Children: map[string]*testpb.Inner{"c1": {Level: 1}}, Flags: map[bool]int64{false: 9},
		Choice:    &testpb.Everything_Nested{Nested: &testpb.Inner{Name: "n"}},
		CreatedAt: timestamppb.New(time.Date(2024, 1, 2, 3, 4, 5, 500, time.UTC)),
		Timeout:   &durationpb.Duration{Seconds: 315576000000},
		MaxCount:  wrapperspb.Int32(4), BigCount: wrapperspb.Int64(-4), SmallUnsigned: wrapperspb.UInt32(0),
		BigUnsigned: wrapperspb.UInt64(math.MaxUint64), Fraction: wrapperspb.Float(0.1), Precise: wrapperspb.Double(math.Pi),
		Enabled: wrapperspb.Bool(true), Nickname: wrapperspb.String("nick"), Blob: wrapperspb.Bytes([]byte("hi?")),
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"user_name", "inner.name"}},
		Meta: &structpb.Struct{Fields: map[string]*structpb.Value{
			"n": structpb.NewNumberValue(1), "l": structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewNullValue()}}),
		}},
		Extra:  structpb.NewStringValue("e"),
		List:   &structpb.ListValue{Values: []*structpb.Value{structpb.NewBoolValue(true)}},
		Custom: "c", Maybe: proto.String("m"),
	}
	c := encoding.GetCodec(form.Name)
	b, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	got := &testpb.Everything{}
	if err := c.Unmarshal(b, got); err != nil {
		t.Fatalf("Unmarshal(%q) error = %v", b, err)
	}
	if diff := cmpDiff(in, got); diff != "" {
		t.Errorf("round trip of %q mismatch (-want +got):\n%s", b, diff)
	}
}

func TestEncodeField(t *testing.T) {
	md := (&testpb.Everything{}).ProtoReflect().Descriptor()
	fd := func(name string) protoreflect.FieldDescriptor { return md.Fields().ByName(protoreflect.Name(name)) }
	m := &testpb.Everything{
		Age: 1, Active: true, Color: testpb.Color_GREEN, Payload: []byte{0xfb}, Ratio: 1.25,
		CreatedAt: timestamppb.New(time.Unix(0, 0)), Inner: &testpb.Inner{},
		Labels: map[string]string{"k": "v"},
	}
	r := m.ProtoReflect()
	tests := []struct {
		field   string
		want    string
		wantErr bool
	}{
		{field: "age", want: "1"},
		{field: "active", want: "true"},
		{field: "color", want: "GREEN"},
		{field: "payload", want: "-w=="},
		{field: "ratio", want: "1.25"},
		{field: "created_at", want: "1970-01-01T00:00:00Z"},
		{field: "null_value", want: "null"},
		{field: "inner", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			got, err := form.EncodeField(fd(tt.field), r.Get(fd(tt.field)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("EncodeField(%s) error = %v, want error %v", tt.field, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("EncodeField(%s) = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
	labels := fd("labels")
	if got, err := form.EncodeField(labels.MapValue(), r.Get(labels).Map().Get(protoreflect.ValueOfString("k").MapKey())); err != nil || got != "v" {
		t.Errorf("EncodeField(labels value) = %q, %v, want %q, nil", got, err, "v")
	}
	if _, err := form.EncodeField(nil, r.Get(fd("age"))); err == nil {
		t.Error("EncodeField(nil, ...) error = nil, want an error")
	}
}

func TestEncodeFieldMask(t *testing.T) {
	tests := []struct {
		name string
		msg  proto.Message
		want string
	}{
		{"none set", &testpb.Everything{Age: 1}, ""},
		{"set", &testpb.Everything{Age: 1, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"user_name", "inner.child_name"}}}, "updateMask=userName,inner.childName"},
		{"empty mask", &testpb.Everything{UpdateMask: &fieldmaskpb.FieldMask{}}, "updateMask="},
		{"other message", &testpb.Inner{Name: "x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := form.EncodeFieldMask(tt.msg.ProtoReflect()); got != tt.want {
				t.Errorf("EncodeFieldMask() = %q, want %q", got, tt.want)
			}
		})
	}
	m := &testpb.Everything{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"user_name"}}}
	form.EncodeFieldMask(m.ProtoReflect())
	if got, want := m.UpdateMask.Paths[0], "user_name"; got != want {
		t.Errorf("EncodeFieldMask() changed the mask path to %q, want %q", got, want)
	}
}

// cmpDiff returns "" when want and got are equal messages, else both in
// text form.
func cmpDiff(want, got proto.Message) string {
	if proto.Equal(want, got) {
		return ""
	}
	return "-" + prototext.Format(want) + "\n+" + prototext.Format(got)
}

// TestEncodeValuesMessageLists checks that EncodeValues leaves out repeated
// and map fields of messages as Kratos v2.9.2 does (its
// TestWithUnsupportedType), returning the other fields with an error,
// while the codec's Marshal writes them under indexed keys.
func TestEncodeValuesMessageLists(t *testing.T) {
	tests := []struct {
		name        string
		msg         *testpb.Everything
		want        string
		wantMarshal string
	}{
		{"repeated messages", &testpb.Everything{Id: 2233, Items: []*testpb.Inner{{Name: "a"}, {Tags: []string{"x", "y"}}}},
			"id=2233", "id=2233&items%5B0%5D.name=a&items%5B1%5D.tags=x&items%5B1%5D.tags=y"},
		{"message map values", &testpb.Everything{Age: 1, Children: map[string]*testpb.Inner{"c": {Level: 1}}},
			"age=1", "age=1&children%5Bc%5D.level=1"},
		{"empty message in a list", &testpb.Everything{Inner: &testpb.Inner{Name: "n", Child: &testpb.Inner{Level: 2}}, Items: []*testpb.Inner{{}}},
			"inner.child.level=2&inner.name=n", "inner.child.level=2&inner.name=n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := form.EncodeValues(tt.msg)
			if err == nil || !strings.Contains(err.Error(), "unsupported message type") {
				t.Errorf("EncodeValues() error = %v, want an unsupported message type error", err)
			}
			if got := vs.Encode(); got != tt.want {
				t.Errorf("EncodeValues().Encode() = %q, want %q", got, tt.want)
			}
			b, err := encoding.GetCodec(form.Name).Marshal(tt.msg)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if got := string(b); got != tt.wantMarshal {
				t.Errorf("Marshal() = %q, want %q", got, tt.wantMarshal)
			}
			// Both forms decode.
			for _, q := range []string{tt.want, tt.wantMarshal} {
				vals, _ := url.ParseQuery(q)
				if err := form.DecodeValues(&testpb.Everything{}, vals); err != nil {
					t.Errorf("DecodeValues(%q) error = %v", q, err)
				}
			}
		})
	}
}
