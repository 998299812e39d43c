package log

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestHelperMethods(t *testing.T) {
	tests := []struct {
		name string
		call func(h *Helper)
		want string
	}{
		{"Log", func(h *Helper) { h.Log(LevelWarn, "k", "v") }, "WARN k v"},
		{"Debug", func(h *Helper) { h.Debug("a", 1, 2, "b") }, "DEBUG msg a1 2b"},
		{"Debugf", func(h *Helper) { h.Debugf("n=%d", 1) }, "DEBUG msg n=1"},
		{"Debugw", func(h *Helper) { h.Debugw("k", "v") }, "DEBUG k v"},
		{"Info", func(h *Helper) { h.Info("hello") }, "INFO msg hello"},
		{"Infof", func(h *Helper) { h.Infof("%s-%s", "a", "b") }, "INFO msg a-b"},
		{"Infow", func(h *Helper) { h.Infow("k", 1) }, "INFO k 1"},
		{"Warn", func(h *Helper) { h.Warn("w") }, "WARN msg w"},
		{"Warnf", func(h *Helper) { h.Warnf("%v", true) }, "WARN msg true"},
		{"Warnw", func(h *Helper) { h.Warnw("k") }, "WARN k"},
		{"Error", func(h *Helper) { h.Error("e") }, "ERROR msg e"},
		{"Errorf", func(h *Helper) { h.Errorf("%q", "e") }, `ERROR msg "e"`},
		{"Errorw", func(h *Helper) { h.Errorw("k", nil) }, "ERROR k <nil>"},
		{"Info no args", func(h *Helper) { h.Info() }, "INFO msg "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			tt.call(NewHelper(rec))
			got := rec.lines()
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("records = %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestHelperOptions(t *testing.T) {
	rec := &recorder{}
	h := NewHelper(rec,
		WithMessageKey("message"),
		WithSprint(func(a ...any) string { return fmt.Sprintln(a...) }),
		WithSprintf(func(f string, a ...any) string { return "F:" + fmt.Sprintf(f, a...) }),
		WithSprint(nil),  // nil keeps the previous function
		WithSprintf(nil), // likewise
		nil,              // a nil option is skipped
	)
	h.Info("a", "b")
	h.Infof("%d", 7)
	got := rec.lines()
	want := []string{"INFO message a b\n", "INFO message F:7"}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
	if h.Logger() != rec {
		t.Errorf("Logger() = %v, want the recorder", h.Logger())
	}
}

func TestHelperMessageKeyReadAtConstruction(t *testing.T) {
	old := DefaultMessageKey
	t.Cleanup(func() { DefaultMessageKey = old })
	DefaultMessageKey = "text"
	rec := &recorder{}
	h := NewHelper(rec)
	DefaultMessageKey = old
	h.Info("x")
	if got, want := rec.lines(), []string{"INFO text x"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestHelperEnabled(t *testing.T) {
	rec := &recorder{}
	tests := []struct {
		name   string
		logger Logger
		level  Level
		want   bool
	}{
		{"plain logger", rec, LevelDebug, true},
		{"filter below", NewFilter(rec, FilterLevel(LevelWarn)), LevelInfo, false},
		{"filter at", NewFilter(rec, FilterLevel(LevelWarn)), LevelWarn, true},
		{"filter default drops debug", NewFilter(rec), LevelDebug, false},
		{"filter under With", With(NewFilter(rec, FilterLevel(LevelError)), "k", "v"), LevelWarn, false},
		{"nested filters", NewFilter(NewFilter(rec, FilterLevel(LevelError)), FilterLevel(LevelDebug)), LevelWarn, false},
		{"filter under WithContext", WithContext(context.Background(), NewFilter(rec, FilterLevel(LevelError))), LevelInfo, false},
		{"discard", nil, LevelFatal, false},
	}
	for _, tt := range tests {
		if got := NewHelper(tt.logger).Enabled(tt.level); got != tt.want {
			t.Errorf("%s: Enabled(%v) = %v, want %v", tt.name, tt.level, got, tt.want)
		}
	}
}

type countingStringer struct{ n *int }

func (c countingStringer) String() string { *c.n++; return "x" }

func TestHelperSkipsFormattingWhenFiltered(t *testing.T) {
	rec := &recorder{}
	n := 0
	h := NewHelper(With(NewFilter(rec, FilterLevel(LevelError)), "k", "v"))
	h.Info(countingStringer{&n})
	h.Warnf("%v", countingStringer{&n})
	if n != 0 {
		t.Errorf("String called %d times for filtered records, want 0", n)
	}
	if got := rec.lines(); len(got) != 0 {
		t.Errorf("records = %q, want none", got)
	}
	h.Error(countingStringer{&n})
	if n != 1 {
		t.Errorf("String called %d times for an error record, want 1", n)
	}
}

func TestHelperWithContext(t *testing.T) {
	rec := &recorder{}
	h := NewHelper(With(rec, "rid", Valuer(ctxValuer)), WithMessageKey("m"))
	ctx := context.WithValue(context.Background(), ctxKey{}, "abc")
	hc := h.WithContext(ctx)
	hc.Info("one")
	h.Info("two")
	got := rec.lines()
	want := []string{"INFO rid abc m one", "INFO rid  m two"}
	if !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

// TestHelperFatal runs the Fatal methods in a child process, since they
// end the process.
func TestHelperFatal(t *testing.T) {
	if which := os.Getenv("KRATOS_LOG_FATAL_CHILD"); which != "" {
		h := NewHelper(NewStdLogger(os.Stdout))
		switch which {
		case "Fatal":
			h.Fatal("boom")
		case "Fatalf":
			h.Fatalf("boom %d", 2)
		case "Fatalw":
			h.Fatalw("k", "v")
		case "global":
			SetLogger(NewStdLogger(os.Stdout))
			Fatalf("global %s", "boom")
		}
		return // not reached
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	tests := []struct{ which, want string }{
		{"Fatal", "FATAL msg=boom\n"},
		{"Fatalf", "FATAL msg=boom 2\n"},
		{"Fatalw", "FATAL k=v\n"},
		{"global", "FATAL msg=global boom\n"},
	}
	for _, tt := range tests {
		t.Run(tt.which, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFatal$")
			cmd.Env = append(os.Environ(), "KRATOS_LOG_FATAL_CHILD="+tt.which)
			var out bytes.Buffer
			cmd.Stdout = &out
			err := cmd.Run()
			exitErr, ok := err.(*exec.ExitError)
			if !ok || exitErr.ExitCode() != 1 {
				t.Fatalf("child error = %v, want exit status 1", err)
			}
			if got := out.String(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("child output = %q, want prefix %q", got, tt.want)
			}
		})
	}
}
