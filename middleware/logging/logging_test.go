package logging

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

type secret struct{ Password string }

func (secret) Redact() string { return "secret{***}" }

type named struct{}

func (named) String() string { return "named-request" }

type ctxKey struct{}

func TestLogging(t *testing.T) {
	tests := []struct {
		name    string
		mw      func(log.Logger) func(context.Context) context.Context
		req     any
		err     error
		want    []string
		notWant []string
	}{
		{
			name: "server success",
			mw: func(log.Logger) func(context.Context) context.Context {
				return func(ctx context.Context) context.Context {
					return transport.NewServerContext(ctx, transporttest.New(transport.KindHTTP, "/pkg.Svc/Get"))
				}
			},
			req:  "plain",
			want: []string{"INFO", "kind=server", "component=http", "operation=/pkg.Svc/Get", "args=plain", "code=200", "reason= ", "latency=", "trace=abc"},
		},
		{
			name: "server error",
			mw: func(log.Logger) func(context.Context) context.Context {
				return func(ctx context.Context) context.Context {
					return transport.NewServerContext(ctx, transporttest.New(transport.KindGRPC, "/pkg.Svc/Del"))
				}
			},
			req:     secret{Password: "hunter2"},
			err:     errors.NotFound("USER_NOT_FOUND", "no such user"),
			want:    []string{"ERROR", "component=grpc", "args=secret{***}", "code=404", "reason=USER_NOT_FOUND", "stack=error: code = 404"},
			notWant: []string{"hunter2"},
		},
		{
			name: "no transport",
			mw: func(log.Logger) func(context.Context) context.Context {
				return func(ctx context.Context) context.Context { return ctx }
			},
			req:  named{},
			want: []string{"args=named-request", "operation= "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := log.With(log.NewStdLogger(&buf), "trace", log.Valuer(func(ctx context.Context) any { return ctx.Value(ctxKey{}) }))
			h := Server(logger)(func(context.Context, any) (any, error) { return "reply", tt.err })
			ctx := tt.mw(logger)(context.WithValue(context.Background(), ctxKey{}, "abc"))
			reply, err := h(ctx, tt.req)
			if reply != "reply" || err != tt.err {
				t.Errorf("h() = %v, %v; want reply, %v", reply, err, tt.err)
			}
			out := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("log %q lacks %q", out, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("log %q contains %q", out, w)
				}
			}
		})
	}
}

func TestClient(t *testing.T) {
	var buf bytes.Buffer
	h := Client(log.NewStdLogger(&buf))(func(context.Context, any) (any, error) { return nil, nil })
	ctx := transport.NewClientContext(context.Background(), transporttest.New(transport.KindGRPC, "/a.B/C"))
	_, _ = h(ctx, "x")
	if out := buf.String(); !strings.Contains(out, "kind=client") || !strings.Contains(out, "operation=/a.B/C") {
		t.Errorf("log = %q, want a client record for /a.B/C", out)
	}
}

func TestCallerPointsAtMiddleware(t *testing.T) {
	var buf bytes.Buffer
	logger := log.With(log.NewStdLogger(&buf), "caller", log.DefaultCaller)
	h := Server(logger)(func(context.Context, any) (any, error) { return nil, nil })
	_, _ = h(context.Background(), nil)
	if out := buf.String(); !strings.Contains(out, "caller=logging/logging.go:") {
		t.Errorf("log = %q, want caller=logging/logging.go:N", out)
	}
}

// TestServerOnGlobalLogger checks that Server(log.GetLogger()) resolves the
// installed logger's Valuers with the request context, as on Kratos.
func TestServerOnGlobalLogger(t *testing.T) {
	var buf bytes.Buffer
	log.SetLogger(log.With(log.NewStdLogger(&buf), "trace.id", log.Valuer(func(ctx context.Context) any { return ctx.Value(ctxKey{}) })))
	t.Cleanup(func() { log.SetLogger(nil) })
	ctx := context.WithValue(context.Background(), ctxKey{}, "abc123")
	ctx = transport.NewServerContext(ctx, transporttest.New(transport.KindHTTP, "/pkg.Svc/Get"))
	h := Server(log.GetLogger())(func(context.Context, any) (any, error) { return "ok", nil })
	if _, err := h(ctx, "req"); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "trace.id=abc123") {
		t.Errorf("Server(log.GetLogger()) logged %q, want trace.id=abc123", got)
	}
}
