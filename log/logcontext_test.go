package log

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"testing"
)

type ctxTestKey struct{}

// enabler is a foreign Logger that reports its level.
type enabler struct {
	Logger
	min Level
}

func (e enabler) Enabled(level Level) bool { return level >= e.min }

func TestEnabled(t *testing.T) {
	var buf bytes.Buffer
	var lv LevelVar
	lv.Set(LevelError.Level())
	tests := []struct {
		name   string
		logger Logger
		level  Level
		want   bool
	}{
		{"nil", nil, LevelFatal, false},
		{"std over io.Discard", NewStdLogger(io.Discard), LevelFatal, false},
		{"std over nil", NewStdLogger(nil), LevelFatal, false},
		{"std", NewStdLogger(&buf), LevelDebug, true},
		{"with over io.Discard", With(NewStdLogger(io.Discard), "k", "v"), LevelError, false},
		{"filter below", NewFilter(NewStdLogger(&buf), FilterLevel(LevelWarn)), LevelInfo, false},
		{"filter at", NewFilter(NewStdLogger(&buf), FilterLevel(LevelWarn)), LevelWarn, true},
		{"filter over io.Discard", NewFilter(NewStdLogger(io.Discard)), LevelError, false},
		{"levelvar below", NewFilter(NewStdLogger(&buf), FilterLeveler(&lv)), LevelWarn, false},
		{"levelvar at", NewFilter(NewStdLogger(&buf), FilterLeveler(&lv)), LevelError, true},
		{"context", WithContext(context.Background(), NewFilter(NewStdLogger(&buf), FilterLevel(LevelError))), LevelInfo, false},
		{"slog below", NewSlogLogger(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})), LevelInfo, false},
		{"foreign enabler below", enabler{NewStdLogger(&buf), LevelWarn}, LevelInfo, false},
		{"foreign enabler at", With(enabler{NewStdLogger(&buf), LevelWarn}), LevelWarn, true},
		{"foreign", &recorder{}, LevelDebug, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Enabled(tt.logger, tt.level); got != tt.want {
				t.Errorf("Enabled(%s) = %v, want %v", tt.level, got, tt.want)
			}
		})
	}
}

func TestEnabledGlobal(t *testing.T) {
	setGlobalForTest(t, NewFilter(NewStdLogger(io.Discard), FilterLevel(LevelDebug)))
	if Enabled(GetLogger(), LevelError) {
		t.Error("Enabled(GetLogger()) over io.Discard = true")
	}
	var buf bytes.Buffer
	SetLogger(NewFilter(NewStdLogger(&buf), FilterLevel(LevelWarn)))
	if Enabled(GetLogger(), LevelInfo) || !Enabled(GetLogger(), LevelWarn) {
		t.Error("Enabled(GetLogger()) does not follow the installed filter")
	}
}

// TestLogContextMatchesWithContext checks that LogContext writes the record
// of NewHelper(WithContext(ctx, l)).Log, Valuers and caller included, over
// the wrappers of this package and a foreign one.
func TestLogContextMatchesWithContext(t *testing.T) {
	fromCtx := Valuer(func(ctx context.Context) any { return ctx.Value(ctxTestKey{}) })
	configs := []struct {
		name   string
		global bool
		build  func(sink Logger) Logger
	}{
		{"sink", false, func(sink Logger) Logger { return sink }},
		{"with", false, func(sink Logger) Logger { return With(sink, "caller", callerFunc(4), "ctx", fromCtx) }},
		{"with of with", false, func(sink Logger) Logger {
			return With(With(sink, "caller", callerFunc(4)), "ctx", fromCtx)
		}},
		{"filter", false, func(sink Logger) Logger {
			return NewFilter(With(sink, "caller", callerFunc(5), "ctx", fromCtx), FilterLevel(LevelInfo))
		}},
		{"filter of filter with mask and func", false, func(sink Logger) Logger {
			return NewFilter(NewFilter(With(sink, "caller", callerFunc(6), "ctx", fromCtx), FilterKey("password")),
				FilterFunc(func(_ Level, kvs ...any) bool {
					for i := 0; i+1 < len(kvs); i += 2 {
						if kvs[i] == "drop" {
							return true
						}
					}
					return false
				}))
		}},
		{"with over filter", false, func(sink Logger) Logger {
			return With(NewFilter(With(sink, "inner.ctx", fromCtx)), "caller", callerFunc(4), "ctx", fromCtx)
		}},
		{"context", false, func(sink Logger) Logger {
			return WithContext(context.Background(), With(sink, "caller", callerFunc(4), "ctx", fromCtx))
		}},
		{"foreign wrapper", false, func(sink Logger) Logger {
			return enabler{With(sink, "caller", callerFunc(5), "ctx", fromCtx), LevelDebug}
		}},
		{"global", true, func(sink Logger) Logger { return With(sink, "caller", callerFunc(4), "ctx", fromCtx) }},
		{"global filter", true, func(sink Logger) Logger {
			return NewFilter(With(sink, "caller", callerFunc(5), "ctx", fromCtx))
		}},
	}
	records := []struct {
		level Level
		kvs   []any
	}{
		{LevelInfo, []any{"k", "v", "n", 1}},
		{LevelError, []any{"password", "hunter2", "odd"}},
		{LevelInfo, []any{"drop", true}},
		{LevelDebug, []any{"k", "v"}},
		{LevelWarn, []any{"k", Valuer(func(context.Context) any { return "not resolved" })}},
	}
	ctx := context.WithValue(context.Background(), ctxTestKey{}, "abc")
	for _, c := range configs {
		for _, sinkName := range []string{"std", "slog"} {
			t.Run(c.name+"/"+sinkName, func(t *testing.T) {
				var buf bytes.Buffer
				var sink Logger = NewStdLogger(&buf)
				if sinkName == "slog" {
					sink = NewSlogLogger(slog.NewTextHandler(&buf, &slog.HandlerOptions{
						Level: slog.LevelDebug,
						ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
							if a.Key == slog.TimeKey {
								return slog.Attr{}
							}
							return a
						},
					}))
				}
				l := c.build(sink)
				if c.global {
					setGlobalForTest(t, l)
					l = GetLogger()
				}
				for _, r := range records {
					buf.Reset()
					NewHelper(WithContext(ctx, l)).Log(r.level, r.kvs...)
					buf.WriteByte('|')
					_ = LogContext(ctx, l, r.level, r.kvs...)
					want, got, _ := strings.Cut(buf.String(), "|")
					if got != want || strings.Contains(got, "caller") && !strings.Contains(got, "caller=log.TestLogContextMatchesWithContext") {
						t.Errorf("%s %v:\nLogContext:          %q\nHelper, WithContext: %q", r.level, r.kvs, got, want)
					}
				}
			})
		}
	}
}

// callerFunc is Caller(depth) reporting the function rather than the line,
// so that two calls from one function report the same caller.
func callerFunc(depth int) Valuer {
	return func(context.Context) any {
		pc, _, _, _ := runtime.Caller(depth)
		name := runtime.FuncForPC(pc).Name()
		return name[strings.LastIndexByte(name, '/')+1:]
	}
}

func TestLogContextNil(t *testing.T) {
	if err := LogContext(context.Background(), nil, LevelError, "k", "v"); err != nil {
		t.Errorf("LogContext(nil logger) = %v", err)
	}
	var buf bytes.Buffer
	l := With(NewStdLogger(&buf), "ctx", Valuer(func(ctx context.Context) any { return ctx != nil }))
	//nolint:staticcheck // a nil context is documented to stand for context.Background()
	_ = LogContext(nil, l, LevelInfo, "k", "v")
	if got, want := buf.String(), "INFO ctx=true k=v\n"; got != want {
		t.Errorf("LogContext(nil ctx) wrote %q, want %q", got, want)
	}
}

// TestLogContextAllocs checks that LogContext allocates only the record's
// keyvals, prefix included, whatever wrapper it goes through (a Filter that
// masks a value copies them once more).
func TestLogContextAllocs(t *testing.T) {
	w := &bytes.Buffer{}
	fromCtx := Valuer(func(ctx context.Context) any { return ctx.Value(ctxTestKey{}) })
	ctx := context.WithValue(context.Background(), ctxTestKey{}, "abc")
	for name, l := range map[string]Logger{
		"sink":   NewStdLogger(w),
		"with":   With(NewStdLogger(w), "ctx", fromCtx),
		"filter": NewFilter(With(NewStdLogger(w), "ctx", fromCtx), FilterKey("secret")),
	} {
		allocs := testing.AllocsPerRun(100, func() {
			w.Reset()
			_ = LogContext(ctx, l, LevelInfo, "k", "v", "password", "x")
		})
		if allocs > 1 {
			t.Errorf("%s: LogContext allocates %v times, want at most 1", name, allocs)
		}
	}
}

// TestWriteValueMatchesFmt checks the std logger's own rendering of common
// types against fmt's %v.
func TestWriteValueMatchesFmt(t *testing.T) {
	values := []any{
		"s", "", 0, -7, int64(math.MinInt64), int32(200), int32(-5), uint32(math.MaxUint32), uint64(math.MaxUint64),
		true, false, 0.0, math.Copysign(0, -1), 1.0, 1e20, 1e21, 123456789.0, 1.5e-7, 0.0001, 0.00001,
		0.000123456, 2.5e-3, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
		float32(0.1), float32(1e-7), float32(math.MaxFloat32), float32(math.Inf(-1)),
	}
	for _, v := range values {
		var buf bytes.Buffer
		writeValue(&buf, v)
		if got, want := buf.String(), fmt.Sprint(v); got != want {
			t.Errorf("writeValue(%T %v) = %q, want %q", v, v, got, want)
		}
	}
}
