package logging

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
)

type stringer string

func (s stringer) String() string { return string(s) }

type redacted string

func (r redacted) Redact() string { return string(r) }

func mustStruct(t testing.TB, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFormatArgs(t *testing.T) {
	small := mustStruct(t, map[string]any{"b": 1, "a": "x\x00é", "c": []any{true, nil}})
	tests := []struct {
		name string
		req  any
		max  int
		want string
	}{
		{"string under", "hello", 5, "hello"},
		{"string over", "hello world", 5, "hello...(truncated, 11 bytes)"},
		{"string no bound", "hello world", 0, "hello world"},
		{"cut before a split rune", "aé", 2, "a...(truncated, 3 bytes)"},
		{"redacter wins and is cut", redacted("0123456789"), 4, "0123...(truncated, 10 bytes)"},
		{"stringer", stringer("named"), 100, "named"},
		{"error", errors.New(400, "BAD", "bad"), 0, errors.New(400, "BAD", "bad").Error()},
		{"nil kratos error", (*errors.Error)(nil), 0, "<nil>"},
		{"struct", struct{ A int }{1}, 0, "{A:1}"},
		{"nil", nil, 0, "<nil>"},
		{"nil proto", (*wrapperspb.StringValue)(nil), 0, ""},
		{"proto bytes", wrapperspb.Bytes([]byte{0, 1, 'a'}), 0, `value:"\x00\x01a"`},
		{"proto sorted map", small, 0,
			`fields:{key:"a" value:{string_value:"x\x00é"}} fields:{key:"b" value:{number_value:1}} ` +
				`fields:{key:"c" value:{list_value:{values:{bool_value:true} values:{null_value:NULL_VALUE}}}}`},
		{"proto cut", small, 20, `fields:{key:"a" valu...(truncated)`},
		{"proto string cut inside", wrapperspb.String(strings.Repeat("é", 10)), 12, `value:"éé...(truncated)`},
		{"proto extension", withExtension(), 0, `deprecated:true [google.api.http]:{get:"/v1/x"}`},
		{"proto extension cut", withExtension(), 30, `deprecated:true [google.api.ht...(truncated)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatArgs(tt.req, tt.max); got != tt.want {
				t.Errorf("FormatArgs(%v, %d) = %q, want %q", tt.req, tt.max, got, tt.want)
			}
		})
	}
}

// withExtension returns a message with a field and an extension set.
func withExtension() proto.Message {
	m := &descriptorpb.MethodOptions{Deprecated: proto.Bool(true)}
	proto.SetExtension(m, annotations.E_Http, &annotations.HttpRule{Pattern: &annotations.HttpRule_Get{Get: "/v1/x"}})
	return m
}

// hugeRequests returns requests of about 4 MB, or nested 9,000 deep, built
// from real proto messages. They are built once and only read.
func hugeRequests(t testing.TB) map[string]any {
	t.Helper()
	hugeOnce.Do(func() { hugeReqs, hugeErr = buildHugeRequests() })
	if hugeErr != nil {
		t.Fatal(hugeErr)
	}
	return hugeReqs
}

var (
	hugeOnce sync.Once
	hugeReqs map[string]any
	hugeErr  error
)

func buildHugeRequests() (map[string]any, error) {
	b := make([]byte, 4<<20)
	for i := range b {
		b[i] = byte(i) // mostly unprintable: each byte is escaped to 4
	}
	list := &structpb.ListValue{}
	for range 100_000 {
		list.Values = append(list.Values, structpb.NewStringValue(strings.Repeat("x", 36)))
	}
	deep := structpb.NewNullValue()
	for range 9_000 {
		deep = structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"a": deep}})
	}
	bigMap := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for i := range 180_000 {
		bigMap.Fields[fmt.Sprint("key", i)] = structpb.NewNumberValue(float64(i))
	}
	for name, m := range map[string]proto.Message{"bytes": wrapperspb.Bytes(b), "list": list, "map": bigMap} {
		if n := proto.Size(m); n < 3<<20 {
			return nil, fmt.Errorf("%s request is %d bytes, want about 4 MB", name, n)
		}
	}
	return map[string]any{
		"bytes 4MB":    wrapperspb.Bytes(b),
		"list 4MB":     list,
		"map 4MB":      bigMap,
		"deep 9000":    deep,
		"string 4MB":   string(b),
		"redacter 4MB": redacted(b),
	}, nil
}

type logFunc func(keyvals ...any)

func (f logFunc) Log(_ log.Level, keyvals ...any) error {
	f(keyvals...)
	return nil
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// TestHugeRequestBounded checks the size of the record for a hostile
// request, and the memory spent on it, which would be tens of MB if the
// request were rendered whole (Kratos: a 12 MB line and 106 MB allocated
// for the 4 MB bytes request).
func TestHugeRequestBounded(t *testing.T) {
	const (
		maxLine  = DefaultMaxFieldSize + 1024
		maxAlloc = 1 << 20
	)
	for name, req := range hugeRequests(t) {
		t.Run(name, func(t *testing.T) {
			w := &countWriter{}
			h := Server(log.NewStdLogger(w))(func(context.Context, any) (any, error) { return nil, nil })
			_, _ = h(context.Background(), req) // warm up lazily built proto tables
			w.n = 0
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _ = h(context.Background(), req)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("record %d bytes, allocated %d bytes", w.n, alloc)
			if w.n > maxLine {
				t.Errorf("record is %d bytes, want at most %d", w.n, maxLine)
			}
			if alloc > maxAlloc {
				t.Errorf("one call allocated %d bytes, want at most %d", alloc, maxAlloc)
			}
		})
	}
}

func TestHugeErrorBounded(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name string
		err  error
	}{
		{"reason", errors.BadRequest(huge, "m")},
		{"message", errors.BadRequest("R", huge)},
		{"cause", errors.BadRequest("R", "m").WithCause(fmt.Errorf("wrapped: %s", huge))},
		{"plain", fmt.Errorf("plain: %s", huge)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &countWriter{}
			h := Server(log.NewStdLogger(w))(func(context.Context, any) (any, error) { return nil, tt.err })
			_, _ = h(context.Background(), "req")
			if max := 2*DefaultMaxFieldSize + 1024; w.n > max {
				t.Errorf("record is %d bytes, want at most %d", w.n, max)
			}
		})
	}
}

func TestHugeArgsCheap(t *testing.T) {
	for name, req := range hugeRequests(t) {
		if _, ok := req.(proto.Message); !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			_ = FormatArgs(req, DefaultMaxFieldSize) // warm up
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out := FormatArgs(req, DefaultMaxFieldSize)
			runtime.ReadMemStats(&after)
			if got, want := after.TotalAlloc-before.TotalAlloc, uint64(512<<10); got > want {
				t.Errorf("FormatArgs allocated %d bytes, want at most %d", got, want)
			}
			if !strings.HasSuffix(out, truncatedProtoMark) || len(out) > DefaultMaxFieldSize+len(truncatedProtoMark) {
				t.Errorf("FormatArgs() = %d bytes ending %q, want at most %d bytes ending %q",
					len(out), out[max(0, len(out)-20):], DefaultMaxFieldSize+len(truncatedProtoMark), truncatedProtoMark)
			}
		})
	}
}

func TestWithMaxFieldSize(t *testing.T) {
	big := strings.Repeat("a", 100<<10)
	tests := []struct {
		name     string
		opts     []Option
		wantArgs int // bytes of the request kept in the record
	}{
		{"default", nil, DefaultMaxFieldSize},
		{"smaller", []Option{WithMaxFieldSize(100)}, 100},
		{"last wins", []Option{WithMaxFieldSize(100), WithMaxFieldSize(200)}, 200},
		{"no bound", []Option{WithMaxFieldSize(0)}, len(big)},
	}
	for _, tt := range tests {
		for _, mw := range []struct {
			name string
			new  func(log.Logger, ...Option) func(context.Context, any) (any, error)
		}{
			{"server", func(l log.Logger, o ...Option) func(context.Context, any) (any, error) {
				return ServerWithOptions(l, o...)(func(context.Context, any) (any, error) { return nil, nil })
			}},
			{"client", func(l log.Logger, o ...Option) func(context.Context, any) (any, error) {
				return ClientWithOptions(l, o...)(func(context.Context, any) (any, error) { return nil, nil })
			}},
		} {
			t.Run(tt.name+"/"+mw.name, func(t *testing.T) {
				var got string
				logger := logFunc(func(kv ...any) {
					for i := 0; i+1 < len(kv); i += 2 {
						if kv[i] == "args" {
							got = kv[i+1].(string)
						}
					}
				})
				_, _ = mw.new(logger, tt.opts...)(context.Background(), big)
				if n := len(got) - len(strings.TrimLeft(got, "a")); n != tt.wantArgs {
					t.Errorf("args kept %d bytes of the request, want %d", n, tt.wantArgs)
				}
				if cut := tt.wantArgs < len(big); cut != strings.HasSuffix(got, fmt.Sprintf("...(truncated, %d bytes)", len(big))) {
					t.Errorf("args = ...%q, want a truncation mark: %v", got[max(0, len(got)-30):], cut)
				}
			})
		}
	}
}

// FuzzFormatArgs decodes hostile bytes as a Struct and checks that the
// bounded rendering stays within its bound and is a prefix of the whole
// rendering.
func FuzzFormatArgs(f *testing.F) {
	for _, m := range []proto.Message{
		mustStruct(f, map[string]any{"a": "é\x00", "n": 1.5, "l": []any{true, nil, map[string]any{"x": "y"}}}),
		&structpb.Struct{},
	} {
		b, _ := proto.Marshal(m)
		f.Add(b, 10)
	}
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		var m structpb.Struct
		if err := proto.Unmarshal(data, &m); err != nil {
			return
		}
		max %= 1 << 12
		whole := FormatArgs(&m, 0)
		got := FormatArgs(&m, max)
		if max <= 0 || len(whole) <= max {
			if got != whole {
				t.Fatalf("FormatArgs(max=%d) = %q, want the whole %q", max, got, whole)
			}
			return
		}
		kept, ok := strings.CutSuffix(got, truncatedProtoMark)
		if !ok || len(kept) > max || !strings.HasPrefix(whole, kept) {
			t.Fatalf("FormatArgs(max=%d) = %q, want at most %d bytes of %q then %q", max, got, max, whole, truncatedProtoMark)
		}
	})
}

// BenchmarkHugeRequest compares the bounded rendering of a 4 MB request
// with rendering it whole by its String method, as Kratos does.
func BenchmarkHugeRequest(b *testing.B) {
	reqs := hugeRequests(b)
	for _, name := range []string{"bytes 4MB", "list 4MB", "map 4MB", "deep 9000"} {
		req := reqs[name]
		b.Run(strings.ReplaceAll(name, " ", "_")+"/bounded", func(b *testing.B) {
			h := Server(log.NewStdLogger(&countWriter{}))(func(context.Context, any) (any, error) { return nil, nil })
			b.ReportAllocs()
			for b.Loop() {
				_, _ = h(context.Background(), req)
			}
		})
		b.Run(strings.ReplaceAll(name, " ", "_")+"/String", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = req.(fmt.Stringer).String()
			}
		})
	}
}
