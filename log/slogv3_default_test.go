package log

import (
	"bytes"
	"context"
	stdlog "log"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// v3KeepDefaults restores the global logger, the slog default and the
// standard library logger (which slog.SetDefault redirects) after t.
func v3KeepDefaults(t *testing.T) {
	t.Helper()
	target, installed, sd := global.target.Load(), slogDefault.Load(), slog.Default()
	w, flags, prefix := stdlog.Writer(), stdlog.Flags(), stdlog.Prefix()
	t.Cleanup(func() {
		global.target.Store(target)
		slogDefault.Store(installed)
		slog.SetDefault(sd)
		stdlog.SetOutput(w)
		stdlog.SetFlags(flags)
		stdlog.SetPrefix(prefix)
	})
}

// v3Rec is a v2 Logger that keeps its records.
type v3Rec struct {
	mu   sync.Mutex
	recs [][]any // level first, then the keyvals
}

func (r *v3Rec) Log(level Level, kvs ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, append([]any{level}, kvs...))
	return nil
}

func (r *v3Rec) take() [][]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.recs
	r.recs = nil
	return out
}

func TestDefaultFollowsGlobalLogger(t *testing.T) {
	v3KeepDefaults(t)
	rec := &v3Rec{}
	SetLogger(rec)
	ctx := context.Background()
	l := Default()
	tests := []struct {
		name string
		log  func()
		want [][]any
	}{
		{"Default", func() { l.Info("hello", "k", 1) }, [][]any{{LevelInfo, "msg", "hello", "k", int64(1)}}},
		{"InfoContext", func() { InfoContext(ctx, "i", "k", "v") }, [][]any{{LevelInfo, "msg", "i", "k", "v"}}},
		{"DebugContext", func() { DebugContext(ctx, "d") }, [][]any{{LevelDebug, "msg", "d"}}},
		{"WarnContext", func() { WarnContext(nil, "w") }, [][]any{{LevelWarn, "msg", "w"}}}, //nolint:staticcheck // nil ctx is documented
		{"ErrorContext", func() { ErrorContext(ctx, "e") }, [][]any{{LevelError, "msg", "e"}}},
		{"LogAttrs", func() { LogAttrs(ctx, slog.LevelWarn, "a", slog.Bool("b", true)) }, [][]any{{LevelWarn, "msg", "a", "b", true}}},
		{"WithGroup", func() { WithGroup("g").Info("m", "a", "x") }, [][]any{{LevelInfo, "msg", "m", "g.a", "x"}}},
		{"Handler", func() { slog.New(Handler()).Warn("h") }, [][]any{{LevelWarn, "msg", "h"}}},
	}
	for _, tt := range tests {
		tt.log()
		if got := rec.take(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: records = %v, want %v", tt.name, got, tt.want)
		}
	}

	// A logger from Default keeps following SetLogger, as GetLogger does.
	rec2 := &v3Rec{}
	SetLogger(rec2)
	l.Info("later")
	if got, want := rec2.take(), [][]any{{LevelInfo, "msg", "later"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("after SetLogger: records = %v, want %v", got, want)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("after SetLogger: old logger got %v, want nothing", got)
	}
}

func TestDefaultLevelFromGlobalFilter(t *testing.T) {
	v3KeepDefaults(t)
	rec := &v3Rec{}
	SetLogger(NewFilter(rec, FilterLevel(LevelWarn)))
	if Handler().Enabled(context.Background(), slog.LevelInfo) {
		t.Error("Handler().Enabled(Info) = true under a warn filter, want false")
	}
	InfoContext(context.Background(), "hidden")
	WarnContext(context.Background(), "shown")
	if got, want := rec.take(), [][]any{{LevelWarn, "msg", "shown"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
}

func TestSetDefault(t *testing.T) {
	v3KeepDefaults(t)
	var buf bytes.Buffer
	l := slog.New(NewHandler(WithWriter(&buf), WithFormat(FormatJSON), WithAddSource(true), WithReplaceAttr(v3NoTime)))
	SetDefault(l)

	if got := Default(); got != l {
		t.Errorf("Default() = %p, want the logger given to SetDefault (%p)", got, l)
	}
	if got := slog.Default(); got != l {
		t.Errorf("slog.Default() = %p, want the logger given to SetDefault (%p)", got, l)
	}

	ctx := ContextWithAttrs(context.Background(), slog.String("request_id", "r1"))
	tests := []struct {
		name       string
		log        func()
		wantMsg    string
		wantLevel  string
		wantSource bool
	}{
		{"v2 package function", func() { Info("v2 ", "info") }, "v2 info", "INFO", false},
		{"v2 GetLogger", func() { _ = GetLogger().Log(LevelWarn, "msg", "via proxy") }, "via proxy", "WARN", false},
		{"InfoContext", func() { InfoContext(ctx, "ctx") }, "ctx", "INFO", true},
		{"LogAttrs", func() { LogAttrs(ctx, slog.LevelError, "attrs") }, "attrs", "ERROR", true},
		{"slog package", func() { slog.InfoContext(ctx, "slog") }, "slog", "INFO", true},
		{"DebugContext below the level", func() { DebugContext(ctx, "hidden") }, "", "", false},
	}
	for _, tt := range tests {
		buf.Reset()
		tt.log()
		lines := v3Lines(t, &buf)
		if tt.wantMsg == "" {
			if len(lines) != 0 {
				t.Errorf("%s: lines = %v, want none", tt.name, lines)
			}
			continue
		}
		if len(lines) != 1 {
			t.Errorf("%s: %d lines (%q), want 1", tt.name, len(lines), buf.String())
			continue
		}
		line := lines[0]
		if line["msg"] != tt.wantMsg || line["level"] != tt.wantLevel {
			t.Errorf("%s: line = %v, want msg %q at %s", tt.name, line, tt.wantMsg, tt.wantLevel)
		}
		if tt.wantSource {
			src, _ := line["source"].(map[string]any)
			if file, _ := src["file"].(string); !strings.HasSuffix(file, "slogv3_default_test.go") {
				t.Errorf("%s: source = %v, want this test file", tt.name, line["source"])
			}
			if line["request_id"] != "r1" {
				t.Errorf("%s: request_id = %v, want r1", tt.name, line["request_id"])
			}
		}
	}

	// SetLogger takes over again; Default follows it.
	rec := &v3Rec{}
	SetLogger(rec)
	if Default() == l {
		t.Error("Default() after SetLogger = the SetDefault logger, want one over the new global logger")
	}
	buf.Reset()
	InfoContext(ctx, "to rec")
	if got, want := rec.take(), [][]any{{LevelInfo, "msg", "to rec"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("after SetLogger: records = %v, want %v", got, want)
	}
	if buf.Len() != 0 {
		t.Errorf("after SetLogger: SetDefault's handler wrote %q, want nothing", buf.String())
	}
}

func TestSetDefaultOfDefault(t *testing.T) {
	v3KeepDefaults(t)
	rec := &v3Rec{}
	SetLogger(rec)

	// Installing the bridge to the global logger must not make the global
	// logger call itself; the attributes and group are kept.
	SetDefault(Default().With("svc", "a").WithGroup("g"))
	Info("v2")
	InfoContext(context.Background(), "v3", "k", 1)
	want := [][]any{
		{LevelInfo, "msg", "v2", "svc", "a"},
		{LevelInfo, "msg", "v3", "svc", "a", "g.k", int64(1)},
	}
	if got := rec.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}

	// Twice in a row, plain.
	SetDefault(Default())
	SetDefault(Default())
	Info("again")
	if got, want := rec.take(), [][]any{{LevelInfo, "msg", "again", "svc", "a"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
}

func TestSetDefaultNil(t *testing.T) {
	v3KeepDefaults(t)
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	SetDefault(l)
	SetDefault(nil)
	if Default() == l {
		t.Error("Default() after SetDefault(nil) = the old logger, want one over DefaultLogger")
	}
	if got := global.target.Load(); got != nil {
		t.Errorf("global logger after SetDefault(nil) = %v, want DefaultLogger (none installed)", got.logger)
	}
	Info("x")
	if buf.Len() != 0 {
		t.Errorf("old handler wrote %q after SetDefault(nil), want nothing", buf.String())
	}
}
