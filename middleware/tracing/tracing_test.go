package tracing

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/metadata"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// newProvider returns an SDK provider that exports synchronously into the
// returned in-memory exporter.
func newProvider(t testing.TB) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// httpTransport is a transporttest.Transport that also offers the request,
// like the HTTP transport's Transporter.
type httpTransport struct {
	*transporttest.Transport
	req  *http.Request
	tmpl string
}

func (t *httpTransport) Request() *http.Request { return t.req }
func (t *httpTransport) PathTemplate() string   { return t.tmpl }

// attrMap flattens span attributes for lookups.
func attrMap(kvs []attribute.KeyValue) map[string]attribute.Value {
	m := make(map[string]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

// spanOfKind returns the first exported span of kind.
func spanOfKind(t *testing.T, spans tracetest.SpanStubs, kind trace.SpanKind) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.SpanKind == kind {
			return s
		}
	}
	t.Fatalf("no %v span among %d spans", kind, len(spans))
	return tracetest.SpanStub{}
}

// hop runs a client call through client middleware and hands it to a
// server by copying the request headers the client wrote, as a network
// would. The server handler is next.
func hop(client middleware.Middleware, server middleware.Middleware, kind transport.Kind, op string, next middleware.Handler) middleware.Handler {
	return client(func(ctx context.Context, req any) (any, error) {
		ctr, _ := transport.FromClientContext(ctx)
		str := transporttest.New(kind, op)
		for _, k := range ctr.RequestHeader().Keys() {
			for _, v := range ctr.RequestHeader().Values(k) {
				str.Request.Add(k, v)
			}
		}
		sctx := transport.NewServerContext(context.Background(), str)
		return server(next)(sctx, req)
	})
}

func TestChainSharesOneTrace(t *testing.T) {
	for _, kind := range []transport.Kind{transport.KindHTTP, transport.KindGRPC} {
		t.Run(kind.String(), func(t *testing.T) {
			tp, exp := newProvider(t)
			opts := []Option{WithTracerProvider(tp)}
			client, server := Client(opts...), Server(opts...)

			// gateway → (A) → order service → (B) → stock service
			var stockCtx context.Context
			stock := func(ctx context.Context, req any) (any, error) {
				stockCtx = ctx
				return "stock-reply", nil
			}
			order := func(ctx context.Context, req any) (any, error) {
				ctx = transport.NewClientContext(ctx, transporttest.New(kind, "/stock.v1.Stock/Reserve"))
				return hop(client, server, kind, "/stock.v1.Stock/Reserve", stock)(ctx, req)
			}
			ctx := transport.NewClientContext(context.Background(), transporttest.New(kind, "/order.v1.Order/Create"))
			reply, err := hop(client, server, kind, "/order.v1.Order/Create", order)(ctx, "req")
			if reply != "stock-reply" || err != nil {
				t.Fatalf("call = %v, %v; want stock-reply, nil", reply, err)
			}

			spans := exp.GetSpans()
			if got, want := len(spans), 4; got != want {
				t.Fatalf("got %d spans, want %d", got, want)
			}
			// Spans end innermost first; names are operations, so find them
			// by name and kind.
			var clientA, serverA, clientB, serverB tracetest.SpanStub
			for _, s := range spans {
				switch {
				case s.Name == "/order.v1.Order/Create" && s.SpanKind == trace.SpanKindClient:
					clientA = s
				case s.Name == "/order.v1.Order/Create" && s.SpanKind == trace.SpanKindServer:
					serverA = s
				case s.Name == "/stock.v1.Stock/Reserve" && s.SpanKind == trace.SpanKindClient:
					clientB = s
				case s.Name == "/stock.v1.Stock/Reserve" && s.SpanKind == trace.SpanKindServer:
					serverB = s
				}
			}
			traceID := clientA.SpanContext.TraceID()
			if !traceID.IsValid() {
				t.Fatal("client span has no trace ID")
			}
			if clientA.Parent.IsValid() {
				t.Errorf("root client span parent = %v, want none", clientA.Parent.SpanID())
			}
			links := []struct {
				name          string
				child, parent tracetest.SpanStub
				remote        bool
			}{
				{"server A under client A", serverA, clientA, true},
				{"client B under server A", clientB, serverA, false},
				{"server B under client B", serverB, clientB, true},
			}
			for _, l := range links {
				if got := l.child.SpanContext.TraceID(); got != traceID {
					t.Errorf("%s: trace ID = %v, want %v", l.name, got, traceID)
				}
				if got, want := l.child.Parent.SpanID(), l.parent.SpanContext.SpanID(); got != want {
					t.Errorf("%s: parent span ID = %v, want %v", l.name, got, want)
				}
				if got := l.child.Parent.IsRemote(); got != l.remote {
					t.Errorf("%s: parent remote = %v, want %v", l.name, got, l.remote)
				}
			}
			if got, want := trace.SpanContextFromContext(stockCtx).SpanID(), serverB.SpanContext.SpanID(); got != want {
				t.Errorf("handler context span = %v, want server span %v", got, want)
			}
			for _, s := range spans {
				if s.Status.Code != codes.Ok {
					t.Errorf("span %s %v status = %v, want Ok", s.Name, s.SpanKind, s.Status.Code)
				}
				if got := attrMap(s.Attributes)[keyRPCSystem].AsString(); got != kind.String() {
					t.Errorf("span %s rpc.system = %q, want %q", s.Name, got, kind)
				}
			}
		})
	}
}

func TestErrorsAreRecorded(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode codes.Code
		wantDesc string
		wantRPC  int64 // rpc.status_code; 0 when absent
	}{
		{name: "success", wantCode: codes.Ok},
		{
			name:     "kratos error",
			err:      errors.NotFound("USER_NOT_FOUND", "no such user"),
			wantCode: codes.Error,
			wantDesc: errors.NotFound("USER_NOT_FOUND", "no such user").Error(),
			wantRPC:  404,
		},
		{
			name:     "plain error",
			err:      net.ErrClosed,
			wantCode: codes.Error,
			wantDesc: net.ErrClosed.Error(),
			wantRPC:  500,
		},
	}
	for _, tt := range tests {
		for _, mw := range []struct {
			name string
			new  func(...Option) middleware.Middleware
			ctx  func(context.Context, transport.Transporter) context.Context
		}{
			{"server", Server, transport.NewServerContext},
			{"client", Client, transport.NewClientContext},
		} {
			t.Run(tt.name+"/"+mw.name, func(t *testing.T) {
				tp, exp := newProvider(t)
				h := mw.new(WithTracerProvider(tp))(func(context.Context, any) (any, error) { return "reply", tt.err })
				ctx := mw.ctx(context.Background(), transporttest.New(transport.KindGRPC, "/pkg.Svc/Get"))
				reply, err := h(ctx, "req")
				if reply != "reply" || err != tt.err {
					t.Fatalf("h() = %v, %v; want reply, %v", reply, err, tt.err)
				}
				spans := exp.GetSpans()
				if len(spans) != 1 {
					t.Fatalf("got %d spans, want 1", len(spans))
				}
				s := spans[0]
				if s.Status.Code != tt.wantCode || s.Status.Description != tt.wantDesc {
					t.Errorf("status = %v %q, want %v %q", s.Status.Code, s.Status.Description, tt.wantCode, tt.wantDesc)
				}
				if got := attrMap(s.Attributes)[keyRPCStatusCode].AsInt64(); got != tt.wantRPC {
					t.Errorf("rpc.status_code = %d, want %d", got, tt.wantRPC)
				}
				var exceptions int
				for _, e := range s.Events {
					if e.Name == "exception" {
						exceptions++
					}
				}
				if want := map[bool]int{true: 1, false: 0}[tt.err != nil]; exceptions != want {
					t.Errorf("exception events = %d, want %d", exceptions, want)
				}
			})
		}
	}
}

func TestSpanAttributes(t *testing.T) {
	msg := wrapperspb.String("hello")
	reply := wrapperspb.String("a longer reply")
	grpcPeer := &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 7), Port: 51000}}

	serverReq := httptest.NewRequest(http.MethodPost, "/v1/users/42?verbose=1", nil)
	serverReq.RemoteAddr = "192.0.2.1:4321"
	serverReq.Header.Set("User-Agent", "test-agent")
	clientReq, _ := http.NewRequest(http.MethodGet, "http://api.example.test:8000/v1/users/42#top", nil)

	tests := []struct {
		name    string
		side    string // "server" or "client"
		tr      transport.Transporter
		ctx     func(context.Context) context.Context
		want    map[string]attribute.Value
		missing []string
	}{
		{
			name: "grpc server",
			side: "server",
			tr:   transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello"),
			ctx:  func(ctx context.Context) context.Context { return peer.NewContext(ctx, grpcPeer) },
			want: map[string]attribute.Value{
				keyRPCSystem:      attribute.StringValue("grpc"),
				keyRPCService:     attribute.StringValue("helloworld.v1.Greeter"),
				keyRPCMethod:      attribute.StringValue("SayHello"),
				keyPeerAddress:    attribute.StringValue("10.0.0.7"),
				keyPeerPort:       attribute.IntValue(51000),
				keyLegacyPeerIP:   attribute.StringValue("10.0.0.7"),
				keyLegacyPeerPort: attribute.StringValue("51000"),
				keyRecvMsgSize:    attribute.IntValue(proto.Size(msg)),
				keySendMsgSize:    attribute.IntValue(proto.Size(reply)),
			},
			missing: []string{keyRPCOperation, keyHTTPReqMethod, keyPeerService},
		},
		{
			name: "http server",
			side: "server",
			tr: &httpTransport{
				Transport: transporttest.New(transport.KindHTTP, "/users.v1.Users/Get"),
				req:       serverReq,
				tmpl:      "/v1/users/{id}",
			},
			want: map[string]attribute.Value{
				keyRPCSystem:      attribute.StringValue("http"),
				keyRPCService:     attribute.StringValue("users.v1.Users"),
				keyRPCMethod:      attribute.StringValue("Get"),
				keyHTTPReqMethod:  attribute.StringValue("POST"),
				keyLegacyMethod:   attribute.StringValue("POST"),
				keyHTTPRoute:      attribute.StringValue("/v1/users/{id}"),
				keyURLPath:        attribute.StringValue("/v1/users/42"),
				keyLegacyTarget:   attribute.StringValue("/v1/users/42"),
				keyURLFull:        attribute.StringValue("/v1/users/42?verbose=1"),
				keyURLQuery:       attribute.StringValue("verbose=1"),
				keyURLScheme:      attribute.StringValue("http"),
				keyUserAgent:      attribute.StringValue("test-agent"),
				keyPeerAddress:    attribute.StringValue("192.0.2.1"),
				keyPeerPort:       attribute.IntValue(4321),
				keyLegacyPeerPort: attribute.StringValue("4321"),
			},
			missing: []string{keyURLFragment},
		},
		{
			name: "server with caller name and route operation",
			side: "server",
			tr: func() transport.Transporter {
				tr := transporttest.New(transport.KindHTTP, "/healthz")
				tr.Request.Set(serviceHeader, "gateway")
				return tr
			}(),
			want: map[string]attribute.Value{
				keyRPCOperation: attribute.StringValue("/healthz"),
				keyPeerService:  attribute.StringValue("gateway"),
			},
			missing: []string{keyRPCService, keyRPCMethod, keyHTTPReqMethod, keyPeerAddress},
		},
		{
			name: "grpc client with dns target",
			side: "client",
			tr: func() transport.Transporter {
				tr := transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello")
				tr.EndpointValue = "dns:///10.1.2.3:9000"
				return tr
			}(),
			want: map[string]attribute.Value{
				keyRPCSystem:   attribute.StringValue("grpc"),
				keyRPCMethod:   attribute.StringValue("SayHello"),
				keyPeerAddress: attribute.StringValue("10.1.2.3"),
				keyPeerPort:    attribute.IntValue(9000),
				keySendMsgSize: attribute.IntValue(proto.Size(msg)),
				keyRecvMsgSize: attribute.IntValue(proto.Size(reply)),
			},
		},
		{
			name: "grpc client with discovery target",
			side: "client",
			tr: func() transport.Transporter {
				tr := transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello")
				tr.EndpointValue = "discovery:///helloworld"
				return tr
			}(),
			want:    map[string]attribute.Value{keyRPCService: attribute.StringValue("helloworld.v1.Greeter")},
			missing: []string{keyPeerAddress, keyPeerPort},
		},
		{
			name: "http client",
			side: "client",
			tr: &httpTransport{
				Transport: transporttest.New(transport.KindHTTP, "/users.v1.Users/List"),
				req:       clientReq,
				tmpl:      "/v1/users/{id}",
			},
			want: map[string]attribute.Value{
				keyHTTPReqMethod: attribute.StringValue("GET"),
				keyURLFull:       attribute.StringValue("http://api.example.test:8000/v1/users/42#top"),
				keyURLFragment:   attribute.StringValue("top"),
				keyURLScheme:     attribute.StringValue("http"),
				keyPeerAddress:   attribute.StringValue("api.example.test"),
				keyPeerPort:      attribute.IntValue(8000),
			},
			missing: []string{keyURLQuery, keyPeerService},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, exp := newProvider(t)
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			var mw middleware.Middleware
			if tt.side == "server" {
				mw = Server(WithTracerProvider(tp))
				ctx = transport.NewServerContext(ctx, tt.tr)
			} else {
				mw = Client(WithTracerProvider(tp))
				ctx = transport.NewClientContext(ctx, tt.tr)
			}
			h := mw(func(context.Context, any) (any, error) { return reply, nil })
			if _, err := h(ctx, msg); err != nil {
				t.Fatalf("h() error = %v", err)
			}
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("got %d spans, want 1", len(spans))
			}
			got := attrMap(spans[0].Attributes)
			for k, want := range tt.want {
				if g, ok := got[k]; !ok || g != want {
					t.Errorf("attribute %s = %v (present %v), want %v", k, g.Emit(), ok, want.Emit())
				}
			}
			for _, k := range tt.missing {
				if g, ok := got[k]; ok {
					t.Errorf("attribute %s = %v, want absent", k, g.Emit())
				}
			}
		})
	}
}

func TestNoTransportPassesThrough(t *testing.T) {
	tp, exp := newProvider(t)
	for _, mw := range []middleware.Middleware{Server(WithTracerProvider(tp)), Client(WithTracerProvider(tp))} {
		var sawSpan bool
		h := mw(func(ctx context.Context, req any) (any, error) {
			sawSpan = trace.SpanContextFromContext(ctx).IsValid()
			return req, nil
		})
		if reply, err := h(context.Background(), "x"); reply != "x" || err != nil {
			t.Errorf("h() = %v, %v; want x, nil", reply, err)
		}
		if sawSpan {
			t.Error("handler saw a span without a transport")
		}
	}
	if got := len(exp.GetSpans()); got != 0 {
		t.Errorf("got %d spans, want 0", got)
	}
}

func TestBaggagePropagates(t *testing.T) {
	tp, _ := newProvider(t)
	member, _ := baggage.NewMember("tenant", "acme")
	bag, _ := baggage.New(member)

	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{name: "default propagator", want: "acme"},
		{name: "trace context only", opts: []Option{WithPropagator(propagation.TraceContext{})}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]Option{WithTracerProvider(tp)}, tt.opts...)
			var got string
			var gotValid bool
			h := hop(Client(opts...), Server(opts...), transport.KindHTTP, "/pkg.Svc/Get", func(ctx context.Context, _ any) (any, error) {
				got = baggage.FromContext(ctx).Member("tenant").Value()
				gotValid = trace.SpanContextFromContext(ctx).IsValid()
				return nil, nil
			})
			ctx := baggage.ContextWithBaggage(context.Background(), bag)
			ctx = transport.NewClientContext(ctx, transporttest.New(transport.KindHTTP, "/pkg.Svc/Get"))
			if _, err := h(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("server baggage tenant = %q, want %q", got, tt.want)
			}
			if !gotValid {
				t.Error("server handler has no valid span context")
			}
		})
	}
}

func TestServiceNameHeader(t *testing.T) {
	tp, exp := newProvider(t)
	var serverMD metadata.Metadata
	h := hop(Client(WithTracerProvider(tp), WithServiceName("order")), Server(WithTracerProvider(tp)), transport.KindGRPC, "/pkg.Svc/Get",
		func(ctx context.Context, _ any) (any, error) {
			serverMD, _ = metadata.FromServerContext(ctx)
			return nil, nil
		})
	ctx := transport.NewClientContext(context.Background(), transporttest.New(transport.KindGRPC, "/pkg.Svc/Get"))
	if _, err := h(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := serverMD.Get(serviceHeader); got != "order" {
		t.Errorf("server metadata %s = %q, want order", serviceHeader, got)
	}
	s := spanOfKind(t, exp.GetSpans(), trace.SpanKindServer)
	if got := attrMap(s.Attributes)[keyPeerService].AsString(); got != "order" {
		t.Errorf("server span peer.service = %q, want order", got)
	}
}

func TestMetadataPropagator(t *testing.T) {
	t.Run("inject", func(t *testing.T) {
		tests := []struct {
			name string
			m    Metadata
			want string
		}{
			{"zero writes nothing", Metadata{}, ""},
			{"named", Metadata{name: "order"}, "order"},
		}
		for _, tt := range tests {
			c := propagation.HeaderCarrier{}
			tt.m.Inject(context.Background(), c)
			if got := c.Get(serviceHeader); got != tt.want {
				t.Errorf("%s: header = %q, want %q", tt.name, got, tt.want)
			}
		}
	})
	t.Run("extract keeps existing metadata intact", func(t *testing.T) {
		old := metadata.New(map[string][]string{"x-md-local": {"1"}})
		parent := metadata.NewServerContext(context.Background(), old)
		ctx := Metadata{}.Extract(parent, propagation.MapCarrier{serviceHeader: "gateway"})
		md, _ := metadata.FromServerContext(ctx)
		if got := md.Get(serviceHeader); got != "gateway" {
			t.Errorf("extracted %s = %q, want gateway", serviceHeader, got)
		}
		if got := md.Get("x-md-local"); got != "1" {
			t.Errorf("extracted x-md-local = %q, want 1", got)
		}
		if got := old.Get(serviceHeader); got != "" {
			t.Errorf("parent metadata was modified: %s = %q", serviceHeader, got)
		}
	})
	t.Run("extract without header returns parent", func(t *testing.T) {
		parent := context.Background()
		if got := (Metadata{}).Extract(parent, propagation.MapCarrier{}); got != parent {
			t.Error("Extract() returned a new context without a header")
		}
	})
	if got := (Metadata{}).Fields(); len(got) != 1 || got[0] != serviceHeader {
		t.Errorf("Fields() = %v, want [%s]", got, serviceHeader)
	}
}

func TestTraceIDAndSpanID(t *testing.T) {
	if got := TraceID()(context.Background()); got != "" {
		t.Errorf("TraceID() without span = %q, want empty", got)
	}
	if got := SpanID()(context.Background()); got != "" {
		t.Errorf("SpanID() without span = %q, want empty", got)
	}
	tp, _ := newProvider(t)
	ctx, span := tp.Tracer("test").Start(context.Background(), "op")
	defer span.End()
	if got, want := TraceID()(ctx), span.SpanContext().TraceID().String(); got != want {
		t.Errorf("TraceID() = %v, want %v", got, want)
	}
	if got, want := SpanID()(ctx), span.SpanContext().SpanID().String(); got != want {
		t.Errorf("SpanID() = %v, want %v", got, want)
	}
}

func TestNewTracer(t *testing.T) {
	t.Run("unsupported kind panics", func(t *testing.T) {
		for _, kind := range []trace.SpanKind{trace.SpanKindInternal, trace.SpanKindProducer, trace.SpanKindUnspecified} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("NewTracer(%v) did not panic", kind)
					}
				}()
				NewTracer(kind)
			}()
		}
	})
	t.Run("tracer name", func(t *testing.T) {
		tests := []struct {
			opts []Option
			want string
		}{
			{want: "kratos"},
			{opts: []Option{WithTracerName("orders")}, want: "orders"},
		}
		for _, tt := range tests {
			tp, exp := newProvider(t)
			tr := NewTracer(trace.SpanKindClient, append([]Option{WithTracerProvider(tp)}, tt.opts...)...)
			_, span := tr.Start(context.Background(), "op", propagation.MapCarrier{})
			tr.End(context.Background(), span, nil, nil)
			if got := exp.GetSpans()[0].InstrumentationScope.Name; got != tt.want {
				t.Errorf("scope name = %q, want %q", got, tt.want)
			}
		}
	})
	t.Run("start injects on client, extracts on server", func(t *testing.T) {
		tp, exp := newProvider(t)
		carrier := propagation.MapCarrier{}
		cctx, cspan := NewTracer(trace.SpanKindClient, WithTracerProvider(tp)).Start(context.Background(), "op", carrier)
		if carrier["traceparent"] == "" {
			t.Fatalf("client Start() wrote no traceparent: %v", carrier)
		}
		sctx, sspan := NewTracer(trace.SpanKindServer, WithTracerProvider(tp)).Start(context.Background(), "op", carrier)
		if got, want := trace.SpanContextFromContext(sctx).TraceID(), trace.SpanContextFromContext(cctx).TraceID(); got != want {
			t.Errorf("server trace ID = %v, want %v", got, want)
		}
		sspan.End()
		cspan.End()
		if got := len(exp.GetSpans()); got != 2 {
			t.Errorf("got %d spans, want 2", got)
		}
	})
	t.Run("typed nil proto reply", func(t *testing.T) {
		tp, exp := newProvider(t)
		tr := NewTracer(trace.SpanKindServer, WithTracerProvider(tp))
		_, span := tr.Start(context.Background(), "op", propagation.MapCarrier{})
		tr.End(context.Background(), span, (*wrapperspb.StringValue)(nil), nil)
		if got := attrMap(exp.GetSpans()[0].Attributes)[keySendMsgSize].AsInt64(); got != 0 {
			t.Errorf("send_msg.size = %d, want 0", got)
		}
	})
}

func TestGlobalProviderIsDefault(t *testing.T) {
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	tp, exp := newProvider(t)
	otel.SetTracerProvider(tp)

	h := Server()(func(context.Context, any) (any, error) { return nil, nil })
	ctx := transport.NewServerContext(context.Background(), transporttest.New(transport.KindGRPC, "/pkg.Svc/Get"))
	if _, err := h(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := len(exp.GetSpans()); got != 1 {
		t.Errorf("global provider got %d spans, want 1", got)
	}
}

func TestNilRequestHeader(t *testing.T) {
	tp, exp := newProvider(t)
	tr := nilHeaderTransport{transporttest.New(transport.KindGRPC, "/pkg.Svc/Get")}
	for _, c := range []struct {
		mw  middleware.Middleware
		ctx context.Context
	}{
		{Server(WithTracerProvider(tp)), transport.NewServerContext(context.Background(), tr)},
		{Client(WithTracerProvider(tp)), transport.NewClientContext(context.Background(), tr)},
	} {
		if _, err := c.mw(func(context.Context, any) (any, error) { return nil, nil })(c.ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(exp.GetSpans()); got != 2 {
		t.Errorf("got %d spans, want 2", got)
	}
}

type nilHeaderTransport struct{ *transporttest.Transport }

func (nilHeaderTransport) RequestHeader() transport.Header { return nil }
