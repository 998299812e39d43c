package jwt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	jwtv5 "github.com/golang-jwt/jwt/v5"

	"github.com/seed6ad8aa6b/kratos/errors"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/auth/jwt"
	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// echo is the service under test: it answers with the subject of the
// verified token.
func echo(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
	claims, ok := jwt.FromContext(ctx)
	if !ok {
		return nil, errors.InternalServer("NO_CLAIMS", "no claims in context")
	}
	sub, _ := claims.GetSubject()
	return &pb.HelloReply{Message: sub}, nil
}

// startHTTP serves echo behind ms over HTTP and returns its address.
func startHTTP(t *testing.T, ms ...middleware.Middleware) string {
	t.Helper()
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.Middleware(ms...))
	pb.RegisterGreeterHTTPServer(srv, pb.SayHelloFunc(echo))
	return pb.ServeHTTP(t, srv)
}

func callHTTP(t *testing.T, addr string, header map[string]string, ms ...middleware.Middleware) (string, error) {
	t.Helper()
	client := pb.DialHTTP(t, addr, khttp.WithMiddleware(append(ms, setHeader(header))...))
	reply, err := pb.NewGreeterHTTPClient(client).SayHello(context.Background(), &pb.HelloRequest{Name: "hi"})
	return reply.GetMessage(), err
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

// startGRPC serves echo behind ms over gRPC and returns its address.
func startGRPC(t *testing.T, ms ...middleware.Middleware) string {
	t.Helper()
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(ms...))
	pb.RegisterGreeterServer(srv, pb.SayHelloFunc(echo))
	return pb.ServeGRPC(t, srv)
}

func callGRPC(t *testing.T, addr string, header map[string]string, ms ...middleware.Middleware) (string, error) {
	t.Helper()
	// The server middleware guards every call, the health service's
	// included, so the client does not use health checking.
	conn := pb.DialGRPC(t, addr, kgrpc.WithMiddleware(append(ms, setHeader(header))...), kgrpc.WithHealthCheck(false))
	reply, err := pb.NewGreeterClient(conn).SayHello(context.Background(), &pb.HelloRequest{Name: "hi"})
	return reply.GetMessage(), err
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
