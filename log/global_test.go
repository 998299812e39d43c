package log

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
)

// setGlobalForTest installs l as the global logger until the test ends.
// Tests that use it must not run in parallel.
func setGlobalForTest(t *testing.T, l Logger) {
	t.Helper()
	old := global.target.Load()
	t.Cleanup(func() { global.target.Store(old) })
	SetLogger(l)
}

func TestGlobalFunctions(t *testing.T) {
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"Log", func() { Log(LevelWarn, "k", "v") }, "WARN k v"},
		{"Debug", func() { Debug("a", "b") }, "DEBUG msg ab"},
		{"Debugf", func() { Debugf("%d", 1) }, "DEBUG msg 1"},
		{"Debugw", func() { Debugw("k", "v") }, "DEBUG k v"},
		{"Info", func() { Info("i") }, "INFO msg i"},
		{"Infof", func() { Infof("%s", "i") }, "INFO msg i"},
		{"Infow", func() { Infow("k", 2) }, "INFO k 2"},
		{"Warn", func() { Warn("w") }, "WARN msg w"},
		{"Warnf", func() { Warnf("%v", 1.5) }, "WARN msg 1.5"},
		{"Warnw", func() { Warnw("k") }, "WARN k"},
		{"Error", func() { Error("e") }, "ERROR msg e"},
		{"Errorf", func() { Errorf("%x", 255) }, "ERROR msg ff"},
		{"Errorw", func() { Errorw("k", nil) }, "ERROR k <nil>"},
		{"Context", func() { Context(context.Background()).Info("c") }, "INFO msg c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			setGlobalForTest(t, rec)
			tt.call()
			got := rec.lines()
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("records = %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestGlobalFilteredSkipsFormatting(t *testing.T) {
	rec := &recorder{}
	setGlobalForTest(t, NewFilter(rec, FilterLevel(LevelError)))
	n := 0
	Debug(countingStringer{&n})
	Infof("%v", countingStringer{&n})
	Warn(countingStringer{&n})
	if n != 0 {
		t.Errorf("String called %d times, want 0", n)
	}
	if got := rec.lines(); len(got) != 0 {
		t.Errorf("records = %q, want none", got)
	}
}

func TestGetLoggerFollowsSetLogger(t *testing.T) {
	first, second := &recorder{}, &recorder{}
	setGlobalForTest(t, first)
	derived := With(GetLogger(), "svc", "a")
	_ = derived.Log(LevelInfo, "n", 1)
	SetLogger(second)
	_ = derived.Log(LevelInfo, "n", 2)

	if got, want := first.lines(), []string{"INFO svc a n 1"}; !slices.Equal(got, want) {
		t.Errorf("first records = %q, want %q", got, want)
	}
	if got, want := second.lines(), []string{"INFO svc a n 2"}; !slices.Equal(got, want) {
		t.Errorf("second records = %q, want %q", got, want)
	}
	if GetLogger() != GetLogger() {
		t.Errorf("GetLogger() returned different values, want one stable proxy")
	}
}

func TestSetLoggerNilRestoresDefault(t *testing.T) {
	setGlobalForTest(t, &recorder{})
	var buf bytes.Buffer
	old := DefaultLogger
	t.Cleanup(func() { DefaultLogger = old })
	DefaultLogger = NewStdLogger(&buf)

	SetLogger(nil)
	Info("back to default")
	if got, want := buf.String(), "INFO msg=back to default\n"; got != want {
		t.Errorf("default logger output = %q, want %q", got, want)
	}

	// Even a nil DefaultLogger must not make logging panic.
	DefaultLogger = nil
	Info("dropped")
	if err := GetLogger().Log(LevelInfo, "k", "v"); err != nil {
		t.Errorf("Log() error = %v, want nil", err)
	}
}

func TestSetLoggerOnTopOfItself(t *testing.T) {
	base := &recorder{}
	setGlobalForTest(t, base)

	// Each of these would recurse forever if installed as is.
	SetLogger(With(GetLogger(), "layer", 1))
	SetLogger(NewFilter(WithContext(context.Background(), With(GetLogger(), "layer", 2)), FilterKey("secret")))
	SetLogger(GetLogger())

	Infow("secret", "pw")
	got := base.lines()
	want := []string{"INFO layer 1 layer 2 secret ***"}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestGlobalConcurrent(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	setGlobalForTest(t, a)
	derived := With(GetLogger(), "k", "v")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				if i == 0 && j%10 == 0 {
					if j%20 == 0 {
						SetLogger(b)
					} else {
						SetLogger(a)
					}
				}
				Info("x")
				_ = derived.Log(LevelInfo)
				_ = GetLogger()
			}
		})
	}
	wg.Wait()
	if got, want := len(a.lines())+len(b.lines()), 8*100*2; got != want {
		t.Errorf("got %d records, want %d", got, want)
	}
}

// TestWithContextOnGlobalLogger checks, as Kratos's own tests do, that
// WithContext(ctx, GetLogger()) hands ctx to the Valuers of the installed
// logger.
func TestWithContextOnGlobalLogger(t *testing.T) {
	type traceKey struct{}
	traceID := Valuer(func(ctx context.Context) any { return ctx.Value(traceKey{}) })
	ctx := context.WithValue(context.Background(), traceKey{}, "abc123")
	tests := []struct {
		name string
		wrap func(Logger) Logger
	}{
		{"plain", func(l Logger) Logger { return l }},
		{"filtered", func(l Logger) Logger { return NewFilter(l, FilterLevel(LevelDebug)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			setGlobalForTest(t, tt.wrap(With(NewStdLogger(&buf), "trace.id", traceID)))
			_ = WithContext(ctx, GetLogger()).Log(LevelInfo, "msg", "hi")
			if got, want := buf.String(), "INFO trace.id=abc123 msg=hi\n"; got != want {
				t.Errorf("WithContext(ctx, GetLogger()) logged %q, want %q", got, want)
			}
		})
	}
}
