package log

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

type ctxKey struct{}

func ctxValuer(ctx context.Context) any {
	if ctx == nil {
		return "nil-ctx"
	}
	v, _ := ctx.Value(ctxKey{}).(string)
	return v
}

func TestWith(t *testing.T) {
	tests := []struct {
		name  string
		build func(Logger) Logger
		call  []any
		want  []any
	}{
		{"prefix", func(l Logger) Logger { return With(l, "a", 1) }, []any{"msg", "m"}, []any{"a", 1, "msg", "m"}},
		{"nested flattens", func(l Logger) Logger { return With(With(l, "a", 1), "b", 2) }, []any{"c", 3}, []any{"a", 1, "b", 2, "c", 3}},
		{"empty prefix", func(l Logger) Logger { return With(l) }, []any{"c", 3}, []any{"c", 3}},
		{"odd prefix padded", func(l Logger) Logger { return With(l, "a") }, []any{"c", 3}, []any{"a", unpaired, "c", 3}},
		{"odd call untouched", func(l Logger) Logger { return With(l, "a", 1) }, []any{"c"}, []any{"a", 1, "c"}},
		{"valuer resolved", func(l Logger) Logger { return With(l, "v", Valuer(func(context.Context) any { return "dyn" })) }, nil, []any{"v", "dyn"}},
		{"nil valuer", func(l Logger) Logger { return With(l, "v", Valuer(nil)) }, nil, []any{"v", nil}},
		{"valuer in key position ignored", func(l Logger) Logger { return With(l, Valuer(ctxValuer), "x") }, nil, nil},
		{"context valuer", func(l Logger) Logger {
			return WithContext(context.WithValue(context.Background(), ctxKey{}, "req-1"), With(l, "rid", Valuer(ctxValuer)))
		}, nil, []any{"rid", "req-1"}},
		{"context kept by With", func(l Logger) Logger {
			ctx := context.WithValue(context.Background(), ctxKey{}, "req-2")
			return With(WithContext(ctx, With(l, "rid", Valuer(ctxValuer))), "b", 2)
		}, nil, []any{"rid", "req-2", "b", 2}},
		{"nil context is background", func(l Logger) Logger {
			return WithContext(nil, With(l, "rid", Valuer(ctxValuer))) //nolint:staticcheck // nil context is the case under test
		}, nil, []any{"rid", ""}},
		{"context on plain logger", func(l Logger) Logger { return WithContext(context.Background(), l) }, []any{"k", "v"}, []any{"k", "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			l := tt.build(rec)
			if err := l.Log(LevelWarn, tt.call...); err != nil {
				t.Fatalf("Log() error = %v", err)
			}
			got := rec.last()
			if got.level != LevelWarn {
				t.Errorf("level = %v, want %v", got.level, LevelWarn)
			}
			if tt.name == "valuer in key position ignored" {
				// A Valuer used as a key is passed on untouched.
				if len(got.kvs) != 2 || got.kvs[1] != "x" {
					t.Errorf("keyvals = %v, want [<valuer> x]", got.kvs)
				}
				return
			}
			if !slices.Equal(got.kvs, tt.want) {
				t.Errorf("keyvals = %v, want %v", got.kvs, tt.want)
			}
		})
	}
}

func TestWithDoesNotShareState(t *testing.T) {
	rec := &recorder{}
	kv := make([]any, 2, 8)
	kv[0], kv[1] = "a", 1
	base := With(rec, kv...)
	kv[1] = "changed"
	l1 := With(base, "b", 1)
	l2 := With(base, "b", 2)
	_ = l1.Log(LevelInfo)
	_ = l2.Log(LevelInfo)
	_ = base.Log(LevelInfo)
	got := rec.lines()
	want := []string{"INFO a 1 b 1", "INFO a 1 b 2", "INFO a 1"}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestValuersResolvedPerRecord(t *testing.T) {
	rec := &recorder{}
	n := 0
	l := With(rec, "n", Valuer(func(context.Context) any { n++; return n }))
	for range 3 {
		_ = l.Log(LevelInfo)
	}
	got := rec.lines()
	want := []string{"INFO n 1", "INFO n 2", "INFO n 3"}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestNilLogger(t *testing.T) {
	// None of these may panic; all of them discard.
	loggers := map[string]Logger{
		"With":        With(nil, "k", "v"),
		"WithContext": WithContext(context.Background(), nil),
		"NewFilter":   NewFilter(nil),
		"Helper":      NewHelper(nil).Logger(),
	}
	for name, l := range loggers {
		if err := l.Log(LevelError, "k", "v"); err != nil {
			t.Errorf("%s(nil).Log() error = %v, want nil", name, err)
		}
	}
	NewHelper(nil).Errorf("x %d", 1)
	var zero Helper
	zero.Info("zero helper")
	zero.Infow("k", "v")
	zero.Log(LevelError, "k", "v")
	zero.WithContext(context.Background()).Warnw("k", "v")
	if zero.Enabled(LevelFatal) {
		t.Errorf("zero Helper Enabled(LevelFatal) = true, want false")
	}
	if n, err := NewWriter(nil).Write([]byte("x")); n != 1 || err != nil {
		t.Errorf("NewWriter(nil).Write() = %d, %v, want 1, nil", n, err)
	}
}

func TestValue(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey{}, "c")
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"plain", 42, 42},
		{"nil", nil, nil},
		{"valuer", Valuer(ctxValuer), "c"},
		{"nil valuer", Valuer(nil), nil},
		{"func that is not a Valuer", "f", "f"},
	}
	for _, tt := range tests {
		if got := Value(ctx, tt.in); got != tt.want {
			t.Errorf("Value(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	v := Timestamp(time.DateOnly)(context.Background())
	s, ok := v.(string)
	if !ok {
		t.Fatalf("Timestamp() value is %T, want string", v)
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		t.Errorf("Timestamp(DateOnly) = %q, does not parse: %v", s, err)
	}
	ts, _ := DefaultTimestamp(context.Background()).(string)
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Errorf("DefaultTimestamp = %q, not RFC 3339: %v", ts, err)
	}
}

func TestShortPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a/b/c.go", "b/c.go"},
		{"b/c.go", "b/c.go"},
		{"/c.go", "/c.go"},
		{"c.go", "c.go"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := shortPath(tt.in); got != tt.want {
			t.Errorf("shortPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// here returns "log/<file>:<line>" of its caller, offset by delta lines.
func here(delta int) string {
	_, file, line, _ := runtime.Caller(1)
	return shortPath(file) + ":" + fmt.Sprint(line+delta)
}

func TestDefaultCaller(t *testing.T) {
	var buf bytes.Buffer
	l := With(NewStdLogger(&buf), "caller", DefaultCaller)
	h := NewHelper(l)

	var want []string
	want = append(want, here(1))
	h.Info("info")
	want = append(want, here(1))
	h.Errorf("errorf %d", 1)
	want = append(want, here(1))
	h.Warnw("k", "v")
	want = append(want, here(1))
	h.WithContext(context.Background()).Debug("debug")
	want = append(want, here(1))
	h.Log(LevelInfo, "k", "v")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, line := range lines {
		if !strings.Contains(line, " caller="+want[i]+" ") {
			t.Errorf("line %d = %q, want caller=%s", i, line, want[i])
		}
	}
}

func TestDefaultCallerGlobal(t *testing.T) {
	var buf bytes.Buffer
	setGlobalForTest(t, With(NewStdLogger(&buf), "caller", DefaultCaller))

	var want []string
	want = append(want, here(1))
	Info("info")
	want = append(want, here(1))
	Warnf("warnf %d", 1)
	want = append(want, here(1))
	Errorw("k", "v")
	want = append(want, here(1))
	Log(LevelInfo, "k", "v")
	want = append(want, here(1))
	Context(context.Background()).Info("ctx")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, line := range lines {
		if !strings.Contains(line, " caller="+want[i]+" ") {
			t.Errorf("line %d = %q, want caller=%s", i, line, want[i])
		}
	}
}
