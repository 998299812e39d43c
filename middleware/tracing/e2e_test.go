package tracing_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware/tracing"
	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// sayFunc is the one method of the test services.
type sayFunc func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error)

// sayer is the handler type of the hand-written gRPC service description.
type sayer interface {
	Say(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error)
}

func (f sayFunc) Say(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	return f(ctx, in)
}

// grpcService describes service "test.<name>" with the unary method Say,
// the way generated code would.
func grpcService(name string) *grpc.ServiceDesc {
	full := "/test." + name + "/Say"
	return &grpc.ServiceDesc{
		ServiceName: "test." + name,
		HandlerType: (*sayer)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Say",
			Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
				in := new(wrapperspb.StringValue)
				if err := dec(in); err != nil {
					return nil, err
				}
				h := func(ctx context.Context, req any) (any, error) {
					return srv.(sayer).Say(ctx, req.(*wrapperspb.StringValue))
				}
				if interceptor == nil {
					return h(ctx, in)
				}
				return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: full}, h)
			},
		}},
	}
}

// hop is one service of a call chain, reached over kind.
type hop struct {
	kind transport.Kind
	name string // service name; the operation is "/test.<name>/Say"
}

func (h hop) operation() string { return "/test." + h.name + "/Say" }
func (h hop) path() string      { return "/v1/" + strings.ToLower(h.name) }

// serve starts a server of h.kind with the tracing server middleware that
// answers with say, and returns a function that calls it through a client
// with the tracing client middleware. Everything stops at test cleanup.
func serve(t *testing.T, tp trace.TracerProvider, h hop, say sayFunc) sayFunc {
	t.Helper()
	switch h.kind {
	case transport.KindHTTP:
		srv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.Middleware(tracing.Server(tracing.WithTracerProvider(tp))))
		srv.Route("/").POST(h.path(), func(ctx khttp.Context) error {
			in := new(wrapperspb.StringValue)
			if err := ctx.Bind(in); err != nil {
				return err
			}
			khttp.SetOperation(ctx, h.operation())
			handler := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
				return say(ctx, req.(*wrapperspb.StringValue))
			})
			out, err := handler(ctx, in)
			if err != nil {
				return err
			}
			return ctx.Result(200, out)
		})
		client := testgreeter.DialHTTP(t, testgreeter.ServeHTTP(t, srv),
			khttp.WithMiddleware(tracing.Client(tracing.WithTracerProvider(tp))),
		)
		return func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			out := new(wrapperspb.StringValue)
			err := client.Invoke(ctx, "POST", h.path(), in, out, khttp.Operation(h.operation()), khttp.PathTemplate(h.path()))
			return out, err
		}
	case transport.KindGRPC:
		srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(tracing.Server(tracing.WithTracerProvider(tp))))
		srv.RegisterService(grpcService(h.name), say)
		conn := testgreeter.DialGRPC(t, testgreeter.ServeGRPC(t, srv),
			kgrpc.WithMiddleware(tracing.Client(tracing.WithTracerProvider(tp))),
			kgrpc.WithOptions(grpc.WithStatsHandler(&tracing.ClientHandler{})),
		)
		return func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			out := new(wrapperspb.StringValue)
			err := conn.Invoke(ctx, h.operation(), in, out)
			return out, err
		}
	}
	t.Fatalf("unknown kind %q", h.kind)
	return nil
}

// chain starts one server per hop, each calling the next, the last one
// answering with last, and returns a function that calls the first hop.
func chain(t *testing.T, tp trace.TracerProvider, hops []hop, last sayFunc) sayFunc {
	next := last
	for i := len(hops) - 1; i >= 0; i-- {
		next = serve(t, tp, hops[i], next)
	}
	return next
}

func TestMain(m *testing.M) {
	// The servers log their start and stop through the global logger.
	log.SetLogger(log.NewStdLogger(io.Discard))
	os.Exit(m.Run())
}

func TestChainOverRealTransports(t *testing.T) {
	tests := []struct {
		name string
		hops []hop
	}{
		{"http then grpc", []hop{{transport.KindHTTP, "Front"}, {transport.KindGRPC, "Back"}}},
		{"grpc then http", []hop{{transport.KindGRPC, "Front"}, {transport.KindHTTP, "Back"}}},
		{"grpc then grpc then http", []hop{{transport.KindGRPC, "Edge"}, {transport.KindGRPC, "Middle"}, {transport.KindHTTP, "Store"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

			var lastSpan trace.SpanContext
			call := chain(t, tp, tt.hops, func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
				lastSpan = trace.SpanContextFromContext(ctx)
				return wrapperspb.String("done " + in.GetValue()), nil
			})
			out, err := call(context.Background(), wrapperspb.String("x"))
			if err != nil {
				t.Fatalf("call error = %v", err)
			}
			if got := out.GetValue(); got != "done x" {
				t.Fatalf("reply = %q, want %q", got, "done x")
			}

			spans := exp.GetSpans()
			if got, want := len(spans), 2*len(tt.hops); got != want {
				t.Fatalf("got %d spans, want %d: %v", got, want, spanNames(spans))
			}
			var prev tracetest.SpanStub // the span the next client span hangs under
			var traceID trace.TraceID
			for i, h := range tt.hops {
				c := findSpan(t, spans, h.operation(), trace.SpanKindClient)
				s := findSpan(t, spans, h.operation(), trace.SpanKindServer)
				if i == 0 {
					traceID = c.SpanContext.TraceID()
					if c.Parent.IsValid() {
						t.Errorf("first client span has parent %v, want none", c.Parent.SpanID())
					}
				} else if got, want := c.Parent.SpanID(), prev.SpanContext.SpanID(); got != want {
					t.Errorf("hop %d client parent = %v, want server span of hop %d %v", i, got, i-1, want)
				}
				if got, want := s.Parent.SpanID(), c.SpanContext.SpanID(); got != want || !s.Parent.IsRemote() {
					t.Errorf("hop %d server parent = %v (remote %v), want remote %v", i, got, s.Parent.IsRemote(), want)
				}
				for _, sp := range []tracetest.SpanStub{c, s} {
					if got := sp.SpanContext.TraceID(); got != traceID {
						t.Errorf("hop %d %v trace ID = %v, want %v", i, sp.SpanKind, got, traceID)
					}
					if sp.Status.Code != codes.Ok {
						t.Errorf("hop %d %v status = %v %q, want Ok", i, sp.SpanKind, sp.Status.Code, sp.Status.Description)
					}
					checkAttrs(t, fmt.Sprintf("hop %d %v", i, sp.SpanKind), h, sp)
				}
				prev = s
			}
			if got, want := lastSpan.SpanID(), prev.SpanContext.SpanID(); got != want {
				t.Errorf("last handler's span = %v, want the last server span %v", got, want)
			}
		})
	}
}

// checkAttrs checks the attributes every span of a real call has.
func checkAttrs(t *testing.T, what string, h hop, s tracetest.SpanStub) {
	t.Helper()
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		got[kv.Key] = kv.Value
	}
	want := map[attribute.Key]string{
		"rpc.system":           h.kind.String(),
		"rpc.service":          "test." + h.name,
		"rpc.method":           "Say",
		"network.peer.address": "127.0.0.1",
	}
	if h.kind == transport.KindHTTP {
		want["http.request.method"] = "POST"
		want["http.route"] = h.path()
		want["url.path"] = h.path()
	}
	for k, w := range want {
		if g := got[k].Emit(); g != w {
			t.Errorf("%s: %s = %q, want %q", what, k, g, w)
		}
	}
	if got["network.peer.port"].AsInt64() == 0 {
		t.Errorf("%s: network.peer.port missing", what)
	}
	for _, k := range []attribute.Key{"send_msg.size", "recv_msg.size"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: %s missing", what, k)
		}
	}
}

func TestErrorOverRealTransports(t *testing.T) {
	for _, kind := range []transport.Kind{transport.KindHTTP, transport.KindGRPC} {
		t.Run(kind.String(), func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			h := hop{kind, "Users"}
			call := serve(t, tp, h, func(context.Context, *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
				return nil, errors.NotFound("USER_NOT_FOUND", "no such user")
			})
			_, err := call(context.Background(), wrapperspb.String("x"))
			if got := errors.Reason(err); got != "USER_NOT_FOUND" {
				t.Fatalf("call error reason = %q (%v), want USER_NOT_FOUND", got, err)
			}
			for _, kindOfSpan := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
				s := findSpan(t, exp.GetSpans(), h.operation(), kindOfSpan)
				if s.Status.Code != codes.Error || !strings.Contains(s.Status.Description, "no such user") {
					t.Errorf("%v status = %v %q, want Error mentioning the message", kindOfSpan, s.Status.Code, s.Status.Description)
				}
				var code int64
				for _, kv := range s.Attributes {
					if kv.Key == "rpc.status_code" {
						code = kv.Value.AsInt64()
					}
				}
				if code != 404 {
					t.Errorf("%v rpc.status_code = %d, want 404", kindOfSpan, code)
				}
				if len(s.Events) == 0 || s.Events[0].Name != "exception" {
					t.Errorf("%v events = %v, want an exception", kindOfSpan, s.Events)
				}
			}
		})
	}
}

func findSpan(t *testing.T, spans tracetest.SpanStubs, name string, kind trace.SpanKind) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.Name == name && s.SpanKind == kind {
			return s
		}
	}
	t.Fatalf("no %v span %q among %v", kind, name, spanNames(spans))
	return tracetest.SpanStub{}
}

func spanNames(spans tracetest.SpanStubs) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.SpanKind.String() + " " + s.Name
	}
	return names
}

func TestStreamOverGRPC(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	const op = "/test.Feed/Watch"
	handlerSpan := make(chan trace.SpanContext, 1)
	desc := &grpc.ServiceDesc{
		ServiceName: "test.Feed",
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{
			StreamName:    "Watch",
			ServerStreams: true,
			Handler: func(_ any, stream grpc.ServerStream) error {
				handlerSpan <- trace.SpanContextFromContext(stream.Context())
				in := new(wrapperspb.StringValue)
				if err := stream.RecvMsg(in); err != nil {
					return err
				}
				for i := range 3 {
					if err := stream.SendMsg(wrapperspb.String(fmt.Sprintf("%s %d", in.GetValue(), i))); err != nil {
						return err
					}
				}
				return nil
			},
		}},
	}
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(tracing.Server(tracing.WithTracerProvider(tp))))
	srv.RegisterService(desc, struct{}{})
	conn := testgreeter.DialGRPC(t, testgreeter.ServeGRPC(t, srv),
		kgrpc.WithMiddleware(tracing.Client(tracing.WithTracerProvider(tp))),
	)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cs, err := conn.NewStream(ctx, &desc.Streams[0], op)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SendMsg(wrapperspb.String("news")); err != nil {
		t.Fatal(err)
	}
	if err := cs.CloseSend(); err != nil {
		t.Fatal(err)
	}
	var got int
	for {
		out := new(wrapperspb.StringValue)
		if err := cs.RecvMsg(out); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != 3 {
		t.Fatalf("received %d messages, want 3", got)
	}

	// The server span ends when the handler returns, after the last
	// message; the client span covers opening the stream.
	c := findSpan(t, exp.GetSpans(), op, trace.SpanKindClient)
	s := findSpan(t, exp.GetSpans(), op, trace.SpanKindServer)
	if got, want := s.Parent.SpanID(), c.SpanContext.SpanID(); got != want {
		t.Errorf("server span parent = %v, want client span %v", got, want)
	}
	if got, want := s.SpanContext.TraceID(), c.SpanContext.TraceID(); got != want {
		t.Errorf("server trace ID = %v, want %v", got, want)
	}
	if got, want := (<-handlerSpan).SpanID(), s.SpanContext.SpanID(); got != want {
		t.Errorf("stream handler span = %v, want server span %v", got, want)
	}
	if s.Status.Code != codes.Ok {
		t.Errorf("server span status = %v, want Ok", s.Status.Code)
	}
}
