package log

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"testing/slogtest"
	"time"
)

// nest turns flattened dotted keys back into nested maps, the shape
// slogtest expects for groups.
func nest(kvs []any) map[string]any {
	m := make(map[string]any)
	for i := 0; i+1 < len(kvs); i += 2 {
		key, _ := kvs[i].(string)
		parts := strings.Split(key, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			sub, ok := cur[p].(map[string]any)
			if !ok {
				sub = make(map[string]any)
				cur[p] = sub
			}
			cur = sub
		}
		cur[parts[len(parts)-1]] = kvs[i+1]
	}
	return m
}

// timeSpy remembers whether the last record it passed on had a time.
type timeSpy struct {
	slog.Handler
	hadTime *bool
}

func (s timeSpy) Handle(ctx context.Context, r slog.Record) error {
	*s.hadTime = !r.Time.IsZero()
	return s.Handler.Handle(ctx, r)
}

func (s timeSpy) WithAttrs(as []slog.Attr) slog.Handler {
	return timeSpy{s.Handler.WithAttrs(as), s.hadTime}
}

func (s timeSpy) WithGroup(name string) slog.Handler {
	return timeSpy{s.Handler.WithGroup(name), s.hadTime}
}

func TestSlogHandlerConformance(t *testing.T) {
	var rec *recorder
	var hadTime bool
	slogtest.Run(t,
		func(*testing.T) slog.Handler {
			rec = &recorder{}
			return timeSpy{NewSlogHandler(rec), &hadTime}
		},
		func(t *testing.T) map[string]any {
			r := rec.last()
			m := nest(r.kvs)
			m[slog.LevelKey] = r.level.String()
			// The handler leaves time to the kratos logger on purpose
			// (see NewSlogHandler); slogtest asks for such a dropped
			// attribute to be checked absent and added here.
			if _, ok := m[slog.TimeKey]; ok {
				t.Errorf("handler logged %q, want it left to the kratos logger", slog.TimeKey)
			}
			if hadTime {
				m[slog.TimeKey] = time.Now()
			}
			return m
		})
}

func TestSlogHandlerRecords(t *testing.T) {
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"message and attrs", func(l *slog.Logger) { l.Info("hi", "a", 1, "b", true) }, "INFO msg hi a 1 b true"},
		{"with attrs first", func(l *slog.Logger) { l.With("svc", "x").Warn("w", "k", "v") }, "WARN msg w svc x k v"},
		{"groups dotted", func(l *slog.Logger) {
			l.WithGroup("http").With("method", "GET").Error("e", slog.Group("req", "id", 7))
		}, "ERROR msg e http.method GET http.req.id 7"},
		{"inline group", func(l *slog.Logger) { l.Info("m", slog.Group("", "a", 1)) }, "INFO msg m a 1"},
		{"empty group dropped", func(l *slog.Logger) { l.Info("m", slog.Group("g"), "a", 1) }, "INFO msg m a 1"},
		{"empty WithGroup name ignored", func(l *slog.Logger) { l.WithGroup("").Info("m", "a", 1) }, "INFO msg m a 1"},
		{"bad key", func(l *slog.Logger) { args := []any{"lonely"}; l.Info("m", args...) }, "INFO msg m !BADKEY lonely"},
		{"debug", func(l *slog.Logger) { l.Debug("d") }, "DEBUG msg d"},
		{"custom high level", func(l *slog.Logger) { l.Log(context.Background(), slog.Level(12), "f") }, "FATAL msg f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			tt.log(slog.New(NewSlogHandler(rec)))
			if got := rec.lines(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("records = %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestSlogHandlerWithAttrsDoesNotAlias(t *testing.T) {
	rec := &recorder{}
	base := NewSlogHandler(rec).WithAttrs([]slog.Attr{slog.Int("a", 1)})
	h1 := base.WithAttrs([]slog.Attr{slog.Int("b", 1)})
	h2 := base.WithAttrs([]slog.Attr{slog.Int("b", 2)})
	slog.New(h1).Info("one")
	slog.New(h2).Info("two")
	want := []string{"INFO msg one a 1 b 1", "INFO msg two a 1 b 2"}
	if got := rec.lines(); !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestSlogHandlerContextAndEnabled(t *testing.T) {
	rec := &recorder{}
	l := NewFilter(With(rec, "rid", Valuer(ctxValuer)), FilterLevel(LevelWarn))
	sl := slog.New(NewSlogHandler(l))
	if sl.Enabled(context.Background(), slog.LevelInfo) {
		t.Errorf("Enabled(Info) = true behind a warn filter, want false")
	}
	if !sl.Enabled(context.Background(), slog.LevelWarn) {
		t.Errorf("Enabled(Warn) = false behind a warn filter, want true")
	}
	ctx := context.WithValue(context.Background(), ctxKey{}, "r9")
	sl.InfoContext(ctx, "dropped")
	sl.WarnContext(ctx, "kept")
	if got, want := rec.lines(), []string{"WARN rid r9 msg kept"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestLevelMapping(t *testing.T) {
	toSlog := []struct {
		in   Level
		want slog.Level
	}{
		{LevelDebug, slog.LevelDebug},
		{LevelInfo, slog.LevelInfo},
		{LevelWarn, slog.LevelWarn},
		{LevelError, slog.LevelError},
		{LevelFatal, slog.LevelError + 4},
	}
	for _, tt := range toSlog {
		if got := slogLevel(tt.in); got != tt.want {
			t.Errorf("slogLevel(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if got := levelFromSlog(tt.want); got != tt.in {
			t.Errorf("levelFromSlog(%v) = %v, want %v", tt.want, got, tt.in)
		}
	}
	fromSlog := []struct {
		in   slog.Level
		want Level
	}{
		{slog.Level(-100), LevelDebug},
		{slog.LevelDebug - 1, LevelDebug},
		{slog.LevelInfo - 1, LevelDebug},
		{slog.LevelInfo + 2, LevelInfo},
		{slog.LevelWarn + 3, LevelWarn},
		{slog.LevelError + 1, LevelError},
		{slog.Level(100), LevelFatal},
	}
	for _, tt := range fromSlog {
		if got := levelFromSlog(tt.in); got != tt.want {
			t.Errorf("levelFromSlog(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSlogLogger(t *testing.T) {
	tests := []struct {
		name  string
		level Level
		kvs   []any
		want  map[string]any
	}{
		{"message", LevelInfo, []any{"msg", "hello", "n", 1},
			map[string]any{"level": "INFO", "msg": "hello", "n": float64(1)}},
		{"no message", LevelWarn, []any{"k", "v"},
			map[string]any{"level": "WARN", "msg": "", "k": "v"}},
		{"second msg is an attr", LevelError, []any{"msg", "a", "msg2", "b"},
			map[string]any{"level": "ERROR", "msg": "a", "msg2": "b"}},
		{"non-string message", LevelDebug, []any{"msg", 42},
			map[string]any{"level": "DEBUG", "msg": "42"}},
		{"odd count", LevelInfo, []any{"msg", "m", "lonely"},
			map[string]any{"level": "INFO", "msg": "m", "lonely": unpaired}},
		{"non-string key", LevelInfo, []any{7, "seven", nil, "nil"},
			map[string]any{"level": "INFO", "msg": "", "7": "seven", "<nil>": "nil"}},
		{"valuer", LevelInfo, []any{"v", Valuer(func(context.Context) any { return "resolved" })},
			map[string]any{"level": "INFO", "msg": "", "v": "resolved"}},
		{"fatal", LevelFatal, []any{"msg", "f"},
			map[string]any{"level": "ERROR+4", "msg": "f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{
				Level: slog.LevelDebug,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			})
			if err := NewSlogLogger(h).Log(tt.level, tt.kvs...); err != nil {
				t.Fatalf("Log() error = %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("output %q is not JSON: %v", buf.String(), err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("output = %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("output[%q] = %#v, want %#v (output %v)", k, got[k], w, got)
				}
			}
		})
	}
}

type ctxHandler struct {
	slog.Handler
	got context.Context
}

func (h *ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	h.got = ctx
	return nil
}

func TestSlogLoggerContextAndLevel(t *testing.T) {
	var buf bytes.Buffer
	h := &ctxHandler{Handler: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})}
	l := NewSlogLogger(h)
	ctx := context.WithValue(context.Background(), ctxKey{}, "c1")
	_ = WithContext(ctx, l).Log(LevelError, "msg", "x")
	if h.got != ctx {
		t.Errorf("handler got context %v, want the one from WithContext", h.got)
	}
	h.got = nil
	_ = WithContext(ctx, l).Log(LevelInfo, "msg", "below the handler level")
	if h.got != nil {
		t.Errorf("Handle called for a record below the handler level")
	}
	if NewHelper(l).Enabled(LevelInfo) || !NewHelper(l).Enabled(LevelWarn) {
		t.Errorf("Helper.Enabled does not follow the slog handler's level")
	}
	if err := NewSlogLogger(nil).Log(LevelError, "k", "v"); err != nil {
		t.Errorf("NewSlogLogger(nil).Log() error = %v, want nil", err)
	}
}

func TestSlogRoundTrip(t *testing.T) {
	// kratos -> slog -> kratos keeps level, message and attributes.
	rec := &recorder{}
	l := NewSlogLogger(NewSlogHandler(rec))
	_ = With(l, "svc", "a").Log(LevelWarn, "msg", "hello", "n", 1)
	if got, want := rec.lines(), []string{"WARN msg hello svc a n 1"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}
