package middleware_test

import (
	"context"
	"io"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	mdmw "github.com/seed6ad8aa6b/kratos/middleware/metadata"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
	"github.com/seed6ad8aa6b/kratos/middleware/tracing"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func benchChain(b *testing.B, ms ...middleware.Middleware) {
	h := middleware.Chain(ms...)(func(_ context.Context, req any) (any, error) { return req, nil })
	tr := transporttest.New(transport.KindHTTP, "/testgreeter.Greeter/SayHello")
	tr.Request.Set("X-Md-Global-K", "v")
	ctx := transport.NewServerContext(context.Background(), tr)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = h(ctx, "req")
	}
}

// BenchmarkBareHandler is the baseline: the handler with no middleware.
func BenchmarkBareHandler(b *testing.B) { benchChain(b) }

// BenchmarkDefaultServerChain is recovery + logging to a discarding logger
// + metadata + tracing with a no-op provider.
func BenchmarkDefaultServerChain(b *testing.B) {
	benchChain(b,
		recovery.Recovery(),
		logging.Server(log.NewStdLogger(io.Discard)),
		mdmw.Server(),
		tracing.Server(tracing.WithTracerProvider(noop.NewTracerProvider())),
	)
}

// BenchmarkRecoveryChain is recovery alone, the reference for the cost of
// the middleware listed after it in the default server chain.
func BenchmarkRecoveryChain(b *testing.B) { benchChain(b, recovery.Recovery()) }

// BenchmarkRecoveryMetadataChain is recovery + metadata, the default server
// chain without logging and tracing.
func BenchmarkRecoveryMetadataChain(b *testing.B) {
	benchChain(b, recovery.Recovery(), mdmw.Server())
}

// BenchmarkRecoveryLoggingMetadataChain is the default server chain without
// tracing: recovery + logging to a discarding logger + metadata.
func BenchmarkRecoveryLoggingMetadataChain(b *testing.B) {
	benchChain(b,
		recovery.Recovery(),
		logging.Server(log.NewStdLogger(io.Discard)),
		mdmw.Server(),
	)
}

// BenchmarkRecoveryLoggingWrittenChain is recovery + logging to a std
// logger that formats every record (into a counting writer) + metadata.
func BenchmarkRecoveryLoggingWrittenChain(b *testing.B) {
	benchChain(b,
		recovery.Recovery(),
		logging.Server(log.NewStdLogger(&countWriter{})),
		mdmw.Server(),
	)
}

// countWriter counts bytes, so that a std logger over it formats every
// record (a logger over io.Discard itself does not).
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
