package log

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
)

// v3NoTime drops the time attribute, so lines compare as strings.
func v3NoTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// v3Lines returns the JSON objects written to buf, one a line.
func v3Lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestNewHandlerConformance(t *testing.T) {
	tests := []struct {
		name string
		opts []HandlerOption
	}{
		{"plain", nil},
		{"with extractor and filter", []HandlerOption{
			WithExtractor(func(context.Context) []slog.Attr { return nil }),
			WithFilter(FilterKey("secret")),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			opts := append([]HandlerOption{WithWriter(&buf), WithFormat(FormatJSON), WithLevel(slog.LevelDebug)}, tt.opts...)
			slogtest.Run(t, func(*testing.T) slog.Handler {
				buf.Reset()
				return NewHandler(opts...)
			}, func(t *testing.T) map[string]any {
				lines := v3Lines(t, &buf)
				if len(lines) != 1 {
					t.Fatalf("got %d lines, want 1", len(lines))
				}
				return lines[0]
			})
		})
	}
}

func TestNewHandlerOptions(t *testing.T) {
	ctx := ContextWithAttrs(context.Background(), slog.String("request_id", "r1"))
	traceID := func(ctx context.Context) []slog.Attr {
		if ctx.Value(v3TraceKey{}) == nil {
			return nil
		}
		return []slog.Attr{slog.String("trace_id", "t1")}
	}
	tests := []struct {
		name string
		opts []HandlerOption
		log  func(*slog.Logger)
		want string
	}{
		{"text by default, info level",
			nil,
			func(l *slog.Logger) { l.Debug("hidden"); l.Info("hello", "n", 1) },
			"level=INFO msg=hello n=1\n"},
		{"json",
			[]HandlerOption{WithFormat(FormatJSON)},
			func(l *slog.Logger) { l.Warn("hello", "n", 1) },
			`{"level":"WARN","msg":"hello","n":1}` + "\n"},
		{"v2 level as a Leveler",
			[]HandlerOption{WithLevel(LevelDebug)},
			func(l *slog.Logger) { l.Debug("shown") },
			"level=DEBUG msg=shown\n"},
		{"level var",
			[]HandlerOption{WithLevel(func() *slog.LevelVar { v := new(slog.LevelVar); v.Set(slog.LevelError); return v }())},
			func(l *slog.Logger) { l.Warn("hidden"); l.Error("shown") },
			"level=ERROR msg=shown\n"},
		{"context attrs",
			nil,
			func(l *slog.Logger) { l.InfoContext(ctx, "hello") },
			"level=INFO msg=hello request_id=r1\n"},
		{"extractor",
			[]HandlerOption{WithExtractor(traceID, nil)},
			func(l *slog.Logger) {
				l.InfoContext(context.WithValue(ctx, v3TraceKey{}, 1), "hello")
				l.Info("no trace")
			},
			"level=INFO msg=hello request_id=r1 trace_id=t1\nlevel=INFO msg=\"no trace\"\n"},
		{"extracted attrs are masked",
			[]HandlerOption{WithFilter(FilterKey("request_id"))},
			func(l *slog.Logger) { l.InfoContext(ctx, "hello") },
			"level=INFO msg=hello request_id=***\n"},
		{"replace attr",
			[]HandlerOption{WithReplaceAttr(func(g []string, a slog.Attr) slog.Attr {
				if a.Key == "n" {
					a.Value = slog.IntValue(2)
				}
				return v3NoTime(g, a)
			})},
			func(l *slog.Logger) { l.Info("hello", "n", 1) },
			"level=INFO msg=hello n=2\n"},
		{"nil option ignored",
			[]HandlerOption{nil, WithLevel(nil)},
			func(l *slog.Logger) { l.Debug("hidden"); l.Info("shown") },
			"level=INFO msg=shown\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		opts := append([]HandlerOption{WithWriter(&buf), WithReplaceAttr(v3NoTime)}, tt.opts...)
		tt.log(slog.New(NewHandler(opts...)))
		if got := buf.String(); got != tt.want {
			t.Errorf("%s: output = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNewHandlerAddSource(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewHandler(WithWriter(&buf), WithAddSource(true)))
	l.Info("hello")
	if got := buf.String(); !strings.Contains(got, "source=") || !strings.Contains(got, "slogv3_test.go:") {
		t.Errorf("output = %q, want a source= slogv3_test.go:<line>", got)
	}
}

func TestWithFilter(t *testing.T) {
	tests := []struct {
		name string
		opts []FilterOption
		log  func(*slog.Logger)
		want string
	}{
		{"leaf key at any depth",
			[]FilterOption{FilterKey("password")},
			func(l *slog.Logger) {
				l.Info("m", "password", "p", slog.Group("user", "name", "a", "password", "q"))
			},
			"level=INFO msg=m password=*** user.name=a user.password=***\n"},
		{"dotted path only in its group",
			[]FilterOption{FilterKey("user.token")},
			func(l *slog.Logger) {
				l.Info("m", "token", "t0", slog.Group("user", "token", "t1"))
			},
			"level=INFO msg=m token=t0 user.token=***\n"},
		{"path through WithGroup and With",
			[]FilterOption{FilterKey("http.auth")},
			func(l *slog.Logger) {
				l.WithGroup("http").With("auth", "secret1").Info("m", "auth", "secret2", "code", 200)
			},
			"level=INFO msg=m http.auth=*** http.auth=*** http.code=200\n"},
		{"group key masks the group",
			[]FilterOption{FilterKey("creds")},
			func(l *slog.Logger) { l.Info("m", slog.Group("creds", "user", "u", "pass", "p")) },
			"level=INFO msg=m creds=***\n"},
		{"value",
			[]FilterOption{FilterValue("hunter2")},
			func(l *slog.Logger) { l.Info("m", "a", "hunter2", "b", "x", "c", 7) },
			"level=INFO msg=m a=*** b=x c=7\n"},
		{"log valuer resolved",
			[]FilterOption{FilterValue("hunter2")},
			func(l *slog.Logger) { l.Info("m", "a", v3Valuer("hunter2")) },
			"level=INFO msg=m a=***\n"},
		{"level",
			[]FilterOption{FilterLevel(LevelWarn)},
			func(l *slog.Logger) { l.Info("hidden"); l.Warn("shown") },
			"level=WARN msg=shown\n"},
		{"no level drops nothing",
			[]FilterOption{FilterKey("x")},
			func(l *slog.Logger) { l.Debug("shown") },
			"level=DEBUG msg=shown\n"},
		{"func sees flattened keyvals",
			[]FilterOption{FilterFunc(func(level Level, kvs ...any) bool {
				return level == LevelInfo && len(kvs) == 4 && kvs[0] == DefaultMessageKey && kvs[2] == "g.drop"
			})},
			func(l *slog.Logger) {
				l.Info("dropped", slog.Group("g", "drop", true))
				l.Warn("kept", slog.Group("g", "drop", true))
			},
			"level=WARN msg=kept g.drop=true\n"},
		{"no rule",
			nil,
			func(l *slog.Logger) { l.Info("m", "password", "p") },
			"level=INFO msg=m password=p\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		h := NewHandler(WithWriter(&buf), WithReplaceAttr(v3NoTime), WithLevel(slog.LevelDebug), WithFilter(tt.opts...))
		tt.log(slog.New(h))
		if got := buf.String(); got != tt.want {
			t.Errorf("%s: output = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// v3Valuer is a slog.LogValuer.
type v3Valuer string

func (v v3Valuer) LogValue() slog.Value { return slog.StringValue(string(v)) }

func TestWithFilterDoesNotChangeCallerAttrs(t *testing.T) {
	var buf bytes.Buffer
	inner := slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: v3NoTime})
	l := NewLogger(inner, WithFilter(FilterKey("password")))
	attrs := []slog.Attr{slog.String("password", "p"), slog.Group("g", slog.String("password", "q"))}
	l.LogAttrs(context.Background(), slog.LevelInfo, "m", attrs...)
	if got := attrs[0].Value.String(); got != "p" {
		t.Errorf("caller's attr = %q after logging, want p", got)
	}
	if got := attrs[1].Value.Group()[0].Value.String(); got != "q" {
		t.Errorf("caller's group attr = %q after logging, want q", got)
	}
	if got, want := buf.String(), "level=INFO msg=m password=*** g.password=***\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestNewLogger(t *testing.T) {
	ctx := ContextWithAttrs(context.Background(), slog.String("request_id", "r1"))
	tests := []struct {
		name string
		opts []HandlerOption
		log  func(*slog.Logger)
		want string
	}{
		{"context attrs by default", nil,
			func(l *slog.Logger) { l.InfoContext(ctx, "m") },
			"level=INFO msg=m request_id=r1\n"},
		{"the handler's level", nil,
			func(l *slog.Logger) { l.Debug("shown") },
			"level=DEBUG msg=shown\n"},
		{"WithLevel is honoured", []HandlerOption{WithLevel(slog.LevelWarn)},
			func(l *slog.Logger) { l.Info("hidden"); l.Warn("shown") },
			"level=WARN msg=shown\n"},
		{"encoding options ignored", []HandlerOption{WithFormat(FormatJSON), WithWriter(nil), WithAddSource(true)},
			func(l *slog.Logger) { l.Info("m") },
			"level=INFO msg=m\n"},
		{"filter", []HandlerOption{WithFilter(FilterKey("request_id"))},
			func(l *slog.Logger) { l.InfoContext(ctx, "m", "a", 1) },
			"level=INFO msg=m a=1 request_id=***\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		inner := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: v3NoTime})
		tt.log(NewLogger(inner, tt.opts...))
		if got := buf.String(); got != tt.want {
			t.Errorf("%s: output = %q, want %q", tt.name, got, tt.want)
		}
	}
	// A nil handler discards.
	NewLogger(nil).Info("nothing")
}

func TestContextWithAttrs(t *testing.T) {
	base := context.Background()
	a, b, c := slog.Int("a", 1), slog.Int("b", 2), slog.Int("c", 3)
	one := ContextWithAttrs(base, a)
	two := ContextWithAttrs(one, b, c)
	sibling := ContextWithAttrs(one, c)
	tests := []struct {
		name string
		ctx  context.Context
		want []slog.Attr
	}{
		{"none", base, nil},
		{"one", one, []slog.Attr{a}},
		{"appended", two, []slog.Attr{a, b, c}},
		{"siblings do not share", sibling, []slog.Attr{a, c}},
		{"nil ctx", nil, nil},
		{"no attrs keeps ctx", ContextWithAttrs(one), []slog.Attr{a}},
		{"nil ctx with attrs", ContextWithAttrs(nil, b), []slog.Attr{b}}, //nolint:staticcheck // nil ctx is documented
	}
	for _, tt := range tests {
		got := AttrsFromContext(tt.ctx)
		if len(got) != len(tt.want) {
			t.Errorf("%s: AttrsFromContext() = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if !got[i].Equal(tt.want[i]) {
				t.Errorf("%s: AttrsFromContext()[%d] = %v, want %v", tt.name, i, got[i], tt.want[i])
			}
		}
	}
	if got := ContextWithAttrs(one); got != one {
		t.Error("ContextWithAttrs(ctx) returned a new context, want ctx")
	}
}

// v3TraceKey marks a context that carries a trace in TestNewHandlerOptions.
type v3TraceKey struct{}

func TestNewLoggerOverNewHandler(t *testing.T) {
	var buf bytes.Buffer
	trace := func(context.Context) []slog.Attr { return []slog.Attr{slog.String("trace_id", "t1")} }
	h := NewHandler(WithWriter(&buf), WithReplaceAttr(v3NoTime), WithFilter(FilterKey("a")))
	l := NewLogger(h, WithExtractor(trace), WithFilter(FilterKey("request_id")))
	ctx := ContextWithAttrs(context.Background(), slog.String("request_id", "r1"))
	l.InfoContext(ctx, "m", "a", 1, "b", 2)
	if got, want := buf.String(), "level=INFO msg=m a=*** b=2 request_id=*** trace_id=t1\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}
