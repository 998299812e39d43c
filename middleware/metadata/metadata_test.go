package metadata

import (
	"context"
	"reflect"
	"testing"

	"github.com/seed6ad8aa6b/kratos/metadata"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func TestServer(t *testing.T) {
	tr := transporttest.New(transport.KindHTTP, "/op")
	tr.Request.Add("X-Md-Global-Trace", "t1")
	tr.Request.Add("X-Md-Local-Lang", "en")
	tr.Request.Add("X-Md-Local-Lang", "fr")
	tr.Request.Add("Authorization", "secret")
	var got metadata.Metadata
	h := Server(WithConstants(metadata.Metadata{"x-md-const": {"c"}}))(func(ctx context.Context, req any) (any, error) {
		got, _ = metadata.FromServerContext(ctx)
		return nil, nil
	})
	_, _ = h(transport.NewServerContext(context.Background(), tr), nil)
	want := metadata.Metadata{"x-md-global-trace": {"t1"}, "x-md-local-lang": {"en", "fr"}, "x-md-const": {"c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("server metadata = %v, want %v", got, want)
	}
}

func TestServerCustomPrefix(t *testing.T) {
	tr := transporttest.New(transport.KindHTTP, "/op")
	tr.Request.Add("X-Tenant", "acme")
	tr.Request.Add("X-Md-Other", "no")
	var got metadata.Metadata
	h := Server(WithPropagatedPrefix("x-tenant"))(func(ctx context.Context, req any) (any, error) {
		got, _ = metadata.FromServerContext(ctx)
		return nil, nil
	})
	_, _ = h(transport.NewServerContext(context.Background(), tr), nil)
	if want := (metadata.Metadata{"x-tenant": {"acme"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("server metadata = %v, want %v", got, want)
	}
}

func TestClient(t *testing.T) {
	tr := transporttest.New(transport.KindGRPC, "/op")
	ctx := transport.NewClientContext(context.Background(), tr)
	// Server metadata of an incoming call: only global keys hop on.
	ctx = metadata.NewServerContext(ctx, metadata.Metadata{
		"x-md-global-trace": {"t1"},
		"x-md-local-lang":   {"en"},
	})
	ctx = metadata.AppendToClientContext(ctx, "x-md-local-caller", "svc-a")
	h := Client(WithConstants(metadata.Metadata{"x-md-global-const": {"c1", "c2"}}))(func(context.Context, any) (any, error) { return nil, nil })
	_, _ = h(ctx, nil)
	tests := []struct {
		key  string
		want []string
	}{
		{"x-md-global-trace", []string{"t1"}},
		{"x-md-local-lang", nil},
		{"x-md-local-caller", []string{"svc-a"}},
		{"x-md-global-const", []string{"c1", "c2"}},
	}
	for _, tt := range tests {
		if got := tr.Request.Values(tt.key); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("header %s = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestNoTransportPassesThrough(t *testing.T) {
	called := 0
	next := func(context.Context, any) (any, error) { called++; return nil, nil }
	_, _ = Server()(next)(context.Background(), nil)
	_, _ = Client()(next)(context.Background(), nil)
	if called != 2 {
		t.Errorf("handler called %d times, want 2", called)
	}
}
