package logging_test

import (
	"context"
	"io"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// countWriter counts bytes, so that a std logger over it formats every
// record (a logger over io.Discard itself does not).
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

type ctxKey struct{}

// benchLoggers are the loggers the middleware is measured with; nil is the
// bare handler, without the middleware.
func benchLoggers() []struct {
	name   string
	logger log.Logger
} {
	var level log.LevelVar
	level.Set(log.LevelWarn.Level())
	traceID := log.Valuer(func(ctx context.Context) any { return ctx.Value(ctxKey{}) })
	return []struct {
		name   string
		logger log.Logger
	}{
		{"bare", nil},
		{"discard", log.NewStdLogger(io.Discard)},
		{"filtered", log.NewFilter(log.NewStdLogger(&countWriter{}), log.FilterLevel(log.LevelWarn))},
		{"filtered-levelvar", log.NewFilter(log.NewStdLogger(&countWriter{}), log.FilterLeveler(&level))},
		{"written", log.NewStdLogger(&countWriter{})},
		{"written-with-filter", log.NewFilter(log.With(log.NewStdLogger(&countWriter{}), "service.name", "bench", "trace.id", traceID))},
	}
}

func benchMiddleware(b *testing.B, mw func(log.Logger) middleware.Middleware, newCtx func(context.Context, transport.Transporter) context.Context) {
	tr := transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello")
	ctx := newCtx(context.WithValue(context.Background(), ctxKey{}, "4bf92f3577b34da6a3ce929d0e0e4736"), tr)
	reqs := []struct {
		name string
		req  any
		err  error
	}{
		{"string", "hello", nil},
		{"proto", wrapperspb.String("hello, world"), nil},
		{"proto-error", wrapperspb.String("hello, world"), errors.NotFound("USER_NOT_FOUND", "no such user")},
	}
	for _, r := range reqs {
		for _, l := range benchLoggers() {
			b.Run(r.name+"/"+l.name, func(b *testing.B) {
				err := r.err
				h := middleware.Handler(func(_ context.Context, req any) (any, error) { return req, err })
				if l.logger != nil {
					h = mw(l.logger)(h)
				}
				b.ReportAllocs()
				for b.Loop() {
					_, _ = h(ctx, r.req)
				}
			})
		}
	}
}

// BenchmarkServer compares the bare handler with the handler behind
// logging.Server over several loggers, for a string request, a proto
// request and a proto request whose handler fails.
func BenchmarkServer(b *testing.B) {
	benchMiddleware(b, logging.Server, transport.NewServerContext)
}

// BenchmarkClient is BenchmarkServer for logging.Client.
func BenchmarkClient(b *testing.B) {
	benchMiddleware(b, logging.Client, transport.NewClientContext)
}
