package transport

import (
	"context"
	"testing"
)

type fakeTransport struct{ kind Kind }

func (f fakeTransport) Kind() Kind            { return f.kind }
func (f fakeTransport) Endpoint() string      { return "" }
func (f fakeTransport) Operation() string     { return "/a.B/C" }
func (f fakeTransport) RequestHeader() Header { return nil }
func (f fakeTransport) ReplyHeader() Header   { return nil }

func TestContexts(t *testing.T) {
	ctx := context.Background()
	if _, ok := FromServerContext(ctx); ok {
		t.Error("FromServerContext(empty) ok = true")
	}
	sctx := NewServerContext(ctx, fakeTransport{KindHTTP})
	tr, ok := FromServerContext(sctx)
	if !ok || tr.Kind() != KindHTTP {
		t.Errorf("FromServerContext = %v, %v; want http transport", tr, ok)
	}
	if _, ok := FromClientContext(sctx); ok {
		t.Error("server transport visible as client transport")
	}
	cctx := NewClientContext(ctx, fakeTransport{KindGRPC})
	if tr, ok := FromClientContext(cctx); !ok || tr.Kind().String() != "grpc" {
		t.Errorf("FromClientContext = %v, %v; want grpc transport", tr, ok)
	}
}
