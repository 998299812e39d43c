package tracing

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// mdHeader is a transport.Header over gRPC metadata, like the gRPC
// transport's.
type mdHeader metadata.MD

func (h mdHeader) Get(key string) string {
	if vs := metadata.MD(h).Get(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}
func (h mdHeader) Set(key, value string)      { metadata.MD(h).Set(key, value) }
func (h mdHeader) Add(key, value string)      { metadata.MD(h).Append(key, value) }
func (h mdHeader) Values(key string) []string { return metadata.MD(h).Get(key) }
func (h mdHeader) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

// grpcTransport is a transporttest.Transport whose headers are gRPC
// metadata.
type grpcTransport struct {
	*transporttest.Transport
	req, reply mdHeader
}

func newGRPCTransport(op string) *grpcTransport {
	return &grpcTransport{Transport: transporttest.New(transport.KindGRPC, op), req: mdHeader{}, reply: mdHeader{}}
}

func (t *grpcTransport) RequestHeader() transport.Header { return t.req }
func (t *grpcTransport) ReplyHeader() transport.Header   { return t.reply }

// sdkProvider returns an SDK provider that samples and records every span
// but exports none, so that a long run does not pile spans up in memory.
func sdkProvider(b *testing.B) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

var benchProviders = []struct {
	name string
	tp   func(b *testing.B) trace.TracerProvider // nil: no middleware
}{
	{"bare", nil},
	{"noop", func(*testing.B) trace.TracerProvider { return noop.NewTracerProvider() }},
	{"sdk", func(b *testing.B) trace.TracerProvider { return sdkProvider(b) }},
}

// benchTransports returns a fresh transport of each kind.
var benchTransports = []struct {
	name string
	new  func() transport.Transporter
}{
	{"http", func() transport.Transporter {
		return transporttest.New(transport.KindHTTP, "/helloworld.v1.Greeter/SayHello")
	}},
	{"grpc", func() transport.Transporter { return newGRPCTransport("/helloworld.v1.Greeter/SayHello") }},
}

// BenchmarkServer runs one server call per iteration, with a caller's
// traceparent in the request headers, against the bare handler.
func BenchmarkServer(b *testing.B) {
	for _, bt := range benchTransports {
		for _, bp := range benchProviders {
			b.Run(bt.name+"/"+bp.name, func(b *testing.B) {
				tr := bt.new()
				tr.RequestHeader().Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
				ctx := transport.NewServerContext(context.Background(), tr)
				var h middleware.Handler = func(context.Context, any) (any, error) { return "reply", nil }
				if bp.tp != nil {
					h = Server(WithTracerProvider(bp.tp(b)))(h)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := h(ctx, "req"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkClient runs one client call per iteration; the traceparent the
// middleware writes replaces the previous one.
func BenchmarkClient(b *testing.B) {
	for _, bt := range benchTransports {
		for _, bp := range benchProviders {
			b.Run(bt.name+"/"+bp.name, func(b *testing.B) {
				ctx := transport.NewClientContext(context.Background(), bt.new())
				var h middleware.Handler = func(context.Context, any) (any, error) { return "reply", nil }
				if bp.tp != nil {
					h = Client(WithTracerProvider(bp.tp(b)))(h)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := h(ctx, "req"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
