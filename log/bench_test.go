package log

import (
	"context"
	"io"
	"testing"
)

// countWriter counts bytes so that formatting cannot be skipped.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func BenchmarkHelperInfowDiscard(b *testing.B) {
	h := NewHelper(NewStdLogger(io.Discard))
	b.ReportAllocs()
	for b.Loop() {
		h.Infow("msg", "hello", "user", "alice", "n", 42)
	}
}

func BenchmarkHelperInfowFormatted(b *testing.B) {
	h := NewHelper(NewStdLogger(&countWriter{}))
	b.ReportAllocs()
	for b.Loop() {
		h.Infow("msg", "hello", "user", "alice", "n", 42)
	}
}

func BenchmarkHelperInfowWithPrefix(b *testing.B) {
	h := NewHelper(With(NewStdLogger(&countWriter{}), "service", "orders", "ts", DefaultTimestamp))
	b.ReportAllocs()
	for b.Loop() {
		h.Infow("msg", "hello", "user", "alice", "n", 42)
	}
}

func BenchmarkHelperDebugFiltered(b *testing.B) {
	h := NewHelper(NewFilter(NewStdLogger(&countWriter{}), FilterLevel(LevelInfo)))
	b.ReportAllocs()
	for b.Loop() {
		h.Debugf("n=%d", 42)
	}
}

// BenchmarkWithContext compares NewHelper(WithContext(ctx, l)).Log with
// LogContext, on a With logger whose Valuer reads the context, behind a
// Filter.
func BenchmarkWithContext(b *testing.B) {
	l := NewFilter(With(NewStdLogger(&countWriter{}), "trace", Valuer(func(ctx context.Context) any { return ctx.Value(ctxTestKey{}) })))
	ctx := context.WithValue(context.Background(), ctxTestKey{}, "abc")
	b.Run("helper", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewHelper(WithContext(ctx, l)).Log(LevelInfo, "msg", "hello", "n", 42)
		}
	})
	b.Run("LogContext", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = LogContext(ctx, l, LevelInfo, "msg", "hello", "n", 42)
		}
	})
}
