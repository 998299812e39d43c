package jwt_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jwtv5 "github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/auth/jwt"
	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

const echoOp = "/test.v1.Echo/Call"

// echo is the service under test: it answers with the subject of the
// verified token.
func echo(ctx context.Context, req any) (any, error) {
	claims, ok := jwt.FromContext(ctx)
	if !ok {
		return nil, errors.InternalServer("NO_CLAIMS", "no claims in context")
	}
	sub, _ := claims.GetSubject()
	return sub, nil
}

// startHTTP serves echo behind ms on an httptest server and returns its URL.
func startHTTP(t *testing.T, ms ...middleware.Middleware) string {
	t.Helper()
	srv := khttp.NewServer(khttp.Middleware(ms...))
	srv.Route("/").POST("/v1/echo", func(ctx khttp.Context) error {
		var in struct{}
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		khttp.SetOperation(ctx, echoOp)
		out, err := ctx.Middleware(echo)(ctx, &in)
		if err != nil {
			return err
		}
		return ctx.Result(200, map[string]any{"sub": out})
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

func callHTTP(t *testing.T, url string, header map[string]string, ms ...middleware.Middleware) (string, error) {
	t.Helper()
	client, err := khttp.NewClient(context.Background(), khttp.WithEndpoint(url),
		khttp.WithMiddleware(append(ms, setHeader(header))...))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var out struct {
		Sub string `json:"sub"`
	}
	err = client.Invoke(context.Background(), "POST", "/v1/echo", struct{}{}, &out, khttp.Operation(echoOp))
	return out.Sub, err
}

// setHeader is a client middleware that sets request headers, as a
// hostile or broken client would.
func setHeader(header map[string]string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromClientContext(ctx); ok {
				for k, v := range header {
					tr.RequestHeader().Set(k, v)
				}
			}
			return next(ctx, req)
		}
	}
}

// echoDesc describes a one-method gRPC service, written by hand so the
// test needs no generated code.
var echoDesc = grpc.ServiceDesc{
	ServiceName: "test.v1.Echo",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Call",
		Handler: func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				sub, err := echo(ctx, req)
				if err != nil {
					return nil, err
				}
				return wrapperspb.String(sub.(string)), nil
			}
			if interceptor == nil {
				return h(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{FullMethod: echoOp}, h)
		},
	}},
}

func startGRPC(t *testing.T, ms ...middleware.Middleware) string {
	t.Helper()
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(ms...))
	srv.RegisterService(&echoDesc, struct{}{})
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
		<-done
	})
	return u.Host
}

func callGRPC(t *testing.T, addr string, header map[string]string, ms ...middleware.Middleware) (string, error) {
	t.Helper()
	// The server middleware guards every call, the health service's
	// included, so the client does not use health checking.
	conn, err := kgrpc.DialInsecure(context.Background(), kgrpc.WithEndpoint(addr),
		kgrpc.WithMiddleware(append(ms, setHeader(header))...), kgrpc.WithHealthCheck(false))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out := new(wrapperspb.StringValue)
	err = conn.Invoke(context.Background(), echoOp, wrapperspb.String("hi"), out)
	return out.GetValue(), err
}

func TestTransports(t *testing.T) {
	secret := []byte("a secret of at least 32 bytes!!!")
	keyFunc := func(*jwtv5.Token) (any, error) { return secret, nil }
	server := jwt.Server(keyFunc, jwt.WithClaims(func() jwtv5.Claims { return &jwtv5.RegisteredClaims{} }))
	client := jwt.Client(keyFunc, jwt.WithClaims(func() jwtv5.Claims {
		return jwtv5.RegisteredClaims{Subject: "alice", ExpiresAt: jwtv5.NewNumericDate(time.Now().Add(time.Minute))}
	}))
	expired, _ := jwtv5.NewWithClaims(jwtv5.SigningMethodHS256, jwtv5.RegisteredClaims{
		ExpiresAt: jwtv5.NewNumericDate(time.Now().Add(-time.Minute)),
	}).SignedString(secret)
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSJ9."

	transports := []struct {
		name  string
		start func(*testing.T, ...middleware.Middleware) string
		call  func(*testing.T, string, map[string]string, ...middleware.Middleware) (string, error)
	}{
		{"http", startHTTP, callHTTP},
		{"grpc", startGRPC, callGRPC},
	}
	tests := []struct {
		name    string
		header  map[string]string
		client  []middleware.Middleware
		want    *errors.Error
		wantSub string
	}{
		{"signed by the client", nil, []middleware.Middleware{client}, nil, "alice"},
		{"no token", nil, nil, jwt.ErrMissingJwtToken, ""},
		{"expired", map[string]string{"authorization": "Bearer " + expired}, nil, jwt.ErrTokenExpired, ""},
		{"alg none", map[string]string{"authorization": "Bearer " + none}, nil, jwt.ErrUnSupportSigningMethod, ""},
		{"garbage", map[string]string{"authorization": "Bearer a.b.c"}, nil, jwt.ErrTokenInvalid, ""},
		{"oversized", map[string]string{"authorization": "Bearer " + strings.Repeat("A", 9<<10)}, nil, jwt.ErrTokenInvalid, ""},
	}
	for _, tr := range transports {
		addr := tr.start(t, server)
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				sub, err := tr.call(t, addr, tt.header, tt.client...)
				if tt.want == nil {
					if err != nil || sub != tt.wantSub {
						t.Errorf("call = %q, %v, want %q, nil", sub, err, tt.wantSub)
					}
					return
				}
				got := errors.FromError(err)
				if got == nil || got.Code != tt.want.Code || got.Reason != tt.want.Reason || got.Message != tt.want.Message {
					t.Errorf("call error = %v, want %v", err, tt.want)
				}
			})
		}
	}
}
