package tracing

import (
	"context"
	"net"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"

	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func TestTargetAddress(t *testing.T) {
	tests := []struct {
		endpoint, want string
	}{
		{"discovery:///helloworld", "helloworld"},
		{"dns:///10.1.2.3:9000", "10.1.2.3:9000"},
		{"grpc://10.1.2.3:9000", "10.1.2.3:9000"},
		{"10.1.2.3:9000", "10.1.2.3:9000"},
		{"localhost:9000", "localhost:9000"},
		{"[::1]:9000", "[::1]:9000"},
		{"", ""},
		{"%zz", ""},
	}
	for _, tt := range tests {
		if got := targetAddress(tt.endpoint); got != tt.want {
			t.Errorf("targetAddress(%q) = %q, want %q", tt.endpoint, got, tt.want)
		}
	}
}

func TestAppendMethodAttrs(t *testing.T) {
	tests := []struct {
		operation string
		want      []attribute.KeyValue
	}{
		{"/helloworld.v1.Greeter/SayHello", []attribute.KeyValue{
			attribute.String(keyRPCService, "helloworld.v1.Greeter"),
			attribute.String(keyRPCMethod, "SayHello"),
		}},
		{"pkg.Svc/Get", []attribute.KeyValue{
			attribute.String(keyRPCService, "pkg.Svc"),
			attribute.String(keyRPCMethod, "Get"),
		}},
		{"/pkg.Svc/", []attribute.KeyValue{attribute.String(keyRPCService, "pkg.Svc")}},
		{"//Get", []attribute.KeyValue{attribute.String(keyRPCOperation, "//Get")}},
		{"/healthz", []attribute.KeyValue{attribute.String(keyRPCOperation, "/healthz")}},
		{"", []attribute.KeyValue{attribute.String(keyRPCOperation, "")}},
	}
	for _, tt := range tests {
		got := appendMethodAttrs(nil, tt.operation)
		if !equalAttrs(got, tt.want) {
			t.Errorf("appendMethodAttrs(%q) = %v, want %v", tt.operation, got, tt.want)
		}
	}
}

func TestAppendPeerAttrs(t *testing.T) {
	tests := []struct {
		addr string
		want []attribute.KeyValue
	}{
		{"10.0.0.1:80", []attribute.KeyValue{
			attribute.String(keyPeerAddress, "10.0.0.1"),
			attribute.String(keyLegacyPeerIP, "10.0.0.1"),
			attribute.String(keyLegacyPeerPort, "80"),
			attribute.Int(keyPeerPort, 80),
		}},
		{":8000", []attribute.KeyValue{
			attribute.String(keyPeerAddress, "127.0.0.1"),
			attribute.String(keyLegacyPeerIP, "127.0.0.1"),
			attribute.String(keyLegacyPeerPort, "8000"),
			attribute.Int(keyPeerPort, 8000),
		}},
		{"host:http", []attribute.KeyValue{
			attribute.String(keyPeerAddress, "host"),
			attribute.String(keyLegacyPeerIP, "host"),
			attribute.String(keyLegacyPeerPort, "http"),
		}},
		{"10.0.0.1", nil},
		{"", nil},
		{"a:b:c", nil},
	}
	for _, tt := range tests {
		got := appendPeerAttrs(nil, tt.addr)
		if !equalAttrs(got, tt.want) {
			t.Errorf("appendPeerAttrs(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func equalAttrs(a, b []attribute.KeyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestClientHandler(t *testing.T) {
	tp, exp := newProvider(t)
	h := &ClientHandler{}
	if got := h.TagConn(context.Background(), &stats.ConnTagInfo{}); got != context.Background() {
		t.Error("TagConn() changed the context")
	}
	if got := h.TagRPC(context.Background(), &stats.RPCTagInfo{}); got != context.Background() {
		t.Error("TagRPC() changed the context")
	}
	h.HandleConn(context.Background(), &stats.ConnBegin{})

	remote := &net.TCPAddr{IP: net.IPv4(10, 9, 8, 7), Port: 9000}
	tests := []struct {
		name     string
		rs       stats.RPCStats
		withPeer bool
		want     string // network.peer.address; "" when absent
	}{
		{"out header with peer", &stats.OutHeader{Client: true}, true, "10.9.8.7"},
		{"out header remote addr only", &stats.OutHeader{Client: true, RemoteAddr: remote}, false, "10.9.8.7"},
		{"out header without address", &stats.OutHeader{Client: true}, false, ""},
		{"other stats", &stats.Begin{Client: true}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp.Reset()
			ctx, span := tp.Tracer("test").Start(context.Background(), "call")
			if tt.withPeer {
				ctx = peer.NewContext(ctx, &peer.Peer{Addr: remote})
			}
			h.HandleRPC(ctx, tt.rs)
			span.End()
			got := attrMap(exp.GetSpans()[0].Attributes)[keyPeerAddress].AsString()
			if got != tt.want {
				t.Errorf("network.peer.address = %q, want %q", got, tt.want)
			}
		})
	}
	// A context without a span must not panic.
	h.HandleRPC(peer.NewContext(context.Background(), &peer.Peer{Addr: remote}), &stats.OutHeader{})
}

func TestHTTPCarrier(t *testing.T) {
	h := transporttest.Header{}
	c := carrierOf(transport.KindHTTP, h)
	for _, k := range []string{"traceparent", "tracestate", "baggage", serviceHeader, "X-Other"} {
		c.Set(k, "v-"+k)
	}
	for _, k := range []string{"Traceparent", "Tracestate", "Baggage", "X-Md-Service-Name", "X-Other"} {
		if _, ok := h[k]; !ok {
			t.Errorf("header lacks canonical key %q: %v", k, h)
		}
	}
	h.Add("Baggage", "second")
	if got := c.Get("baggage"); got != "v-baggage" {
		t.Errorf("Get(baggage) = %q, want v-baggage", got)
	}
	vg, ok := c.(interface{ Values(string) []string })
	if !ok {
		t.Fatal("HTTP carrier has no Values method")
	}
	if got := vg.Values("baggage"); len(got) != 2 || got[1] != "second" {
		t.Errorf("Values(baggage) = %v, want [v-baggage second]", got)
	}
	if got := len(c.Keys()); got != 5 {
		t.Errorf("len(Keys()) = %d, want 5", got)
	}
	if got := carrierOf(transport.KindGRPC, h); got.Get("x-other") != "v-X-Other" {
		t.Errorf("gRPC carrier Get(x-other) = %q, want v-X-Other", got.Get("x-other"))
	}
	if got := carrierOf(transport.KindHTTP, nil); got.Get("traceparent") != "" {
		t.Error("nil header carrier returned a value")
	}
}
