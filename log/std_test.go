package log

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

type stringer struct{}

func (stringer) String() string { return "S" }

func TestStdLogger(t *testing.T) {
	var nilPtr *int
	tests := []struct {
		name  string
		level Level
		kvs   []any
		want  string
	}{
		{"message", LevelInfo, []any{"msg", "hello"}, "INFO msg=hello\n"},
		{"pairs", LevelDebug, []any{"a", 1, "b", true, "c", int64(-3)}, "DEBUG a=1 b=true c=-3\n"},
		{"fmt values", LevelWarn, []any{"f", 1.5, "d", []int{1, 2}, "s", stringer{}}, "WARN f=1.5 d=[1 2] s=S\n"},
		{"error value", LevelError, []any{"err", errors.New("boom")}, "ERROR err=boom\n"},
		{"fatal level", LevelFatal, []any{"k", "v"}, "FATAL k=v\n"},
		{"unknown level", Level(9), []any{"k", "v"}, " k=v\n"},
		{"odd count", LevelInfo, []any{"a", 1, "lonely"}, "INFO a=1 lonely=KEYVALS UNPAIRED\n"},
		{"single key", LevelInfo, []any{"lonely"}, "INFO lonely=KEYVALS UNPAIRED\n"},
		{"nil value", LevelInfo, []any{"k", nil}, "INFO k=<nil>\n"},
		{"nil pointer value", LevelInfo, []any{"k", nilPtr}, "INFO k=<nil>\n"},
		{"int key", LevelInfo, []any{1, "one"}, "INFO 1=one\n"},
		{"nil key", LevelInfo, []any{nil, "v"}, "INFO <nil>=v\n"},
		{"stringer key", LevelInfo, []any{stringer{}, "v"}, "INFO S=v\n"},
		{"empty strings", LevelInfo, []any{"", ""}, "INFO =\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := NewStdLogger(&buf).Log(tt.level, tt.kvs...); err != nil {
				t.Fatalf("Log() error = %v, want nil", err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("output = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStdLoggerNoKeyvals(t *testing.T) {
	var buf bytes.Buffer
	l := NewStdLogger(&buf)
	if err := l.Log(LevelInfo); err != nil {
		t.Fatalf("Log() error = %v, want nil", err)
	}
	if got := buf.String(); got != "" {
		t.Errorf("output = %q, want nothing", got)
	}
}

func TestStdLoggerOddCountDoesNotTouchCaller(t *testing.T) {
	kvs := make([]any, 1, 4)
	kvs[0] = "k"
	var buf bytes.Buffer
	_ = NewStdLogger(&buf).Log(LevelInfo, kvs...)
	if got := kvs[:2][1]; got != nil {
		t.Errorf("caller's spare capacity = %v, want untouched nil", got)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func TestStdLoggerWriteError(t *testing.T) {
	want := errors.New("disk full")
	l := NewStdLogger(errWriter{want})
	if got := l.Log(LevelInfo, "k", "v"); !errors.Is(got, want) {
		t.Errorf("Log() error = %v, want %v", got, want)
	}
}

func TestStdLoggerDiscardAndNil(t *testing.T) {
	for _, w := range []io.Writer{nil, io.Discard} {
		if err := NewStdLogger(w).Log(LevelInfo, "k", "v"); err != nil {
			t.Errorf("NewStdLogger(%v).Log() error = %v, want nil", w, err)
		}
	}
}

type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestStdLoggerClose(t *testing.T) {
	w := &closeRecorder{}
	l := NewStdLogger(w)
	c, ok := l.(io.Closer)
	if !ok {
		t.Fatalf("NewStdLogger() is %T, want an io.Closer", l)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close() error = %v, want nil", err)
	}
	if w.closed {
		t.Errorf("Close() closed the caller's writer, want it left open")
	}
}

// lineWriter fails the test when a Write is not exactly one record.
type lineWriter struct {
	mu     sync.Mutex
	writes []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestStdLoggerConcurrent(t *testing.T) {
	w := &lineWriter{}
	l := NewStdLogger(w)
	const goroutines, perG = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				_ = l.Log(LevelInfo, "g", g, "i", i, "pad", strings.Repeat("x", i))
			}
		})
	}
	wg.Wait()
	if got, want := len(w.writes), goroutines*perG; got != want {
		t.Fatalf("got %d writes, want %d", got, want)
	}
	seen := make(map[[2]int]bool)
	for _, s := range w.writes {
		var g, i int
		if _, err := fmt.Sscanf(s, "INFO g=%d i=%d", &g, &i); err != nil {
			t.Fatalf("write %q is not a record: %v", s, err)
		}
		if want := fmt.Sprintf("INFO g=%d i=%d pad=%s\n", g, i, strings.Repeat("x", i)); s != want {
			t.Fatalf("write = %q, want %q", s, want)
		}
		seen[[2]int{g, i}] = true
	}
	if got, want := len(seen), goroutines*perG; got != want {
		t.Errorf("got %d distinct records, want %d", got, want)
	}
}

func TestStdLoggerLargeRecord(t *testing.T) {
	var buf bytes.Buffer
	l := NewStdLogger(&buf)
	big := strings.Repeat("y", 2*maxPooledBuf)
	_ = l.Log(LevelInfo, "big", big)
	_ = l.Log(LevelInfo, "k", "v")
	want := "INFO big=" + big + "\nINFO k=v\n"
	if got := buf.String(); got != want {
		t.Errorf("output has %d bytes, want %d", len(got), len(want))
	}
}
