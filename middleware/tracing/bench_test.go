package tracing

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// benchServer runs one server call per iteration through h, with a caller's
// traceparent in the request headers.
func benchServer(b *testing.B, mw middleware.Middleware) {
	tr := transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello")
	tr.Request.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	ctx := transport.NewServerContext(context.Background(), tr)
	h := func(context.Context, any) (any, error) { return "reply", nil }
	if mw != nil {
		h = mw(h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := h(ctx, "req"); err != nil {
			b.Fatal(err)
		}
	}
}

// sdkProvider returns an SDK provider that samples and records every span
// but exports none, so that a long run does not pile spans up in memory.
func sdkProvider(b *testing.B) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

func BenchmarkServer(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchServer(b, nil) })
	b.Run("noop", func(b *testing.B) {
		benchServer(b, Server(WithTracerProvider(noop.NewTracerProvider())))
	})
	b.Run("sdk", func(b *testing.B) {
		benchServer(b, Server(WithTracerProvider(sdkProvider(b))))
	})
}

func BenchmarkClient(b *testing.B) {
	tps := []struct {
		name string
		tp   func(b *testing.B) trace.TracerProvider
	}{
		{"noop", func(*testing.B) trace.TracerProvider { return noop.NewTracerProvider() }},
		{"sdk", func(b *testing.B) trace.TracerProvider { return sdkProvider(b) }},
	}
	for _, p := range tps {
		b.Run(p.name, func(b *testing.B) {
			h := Client(WithTracerProvider(p.tp(b)))(func(context.Context, any) (any, error) { return "reply", nil })
			tr := transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello")
			ctx := transport.NewClientContext(context.Background(), tr)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, "req"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
