package validate_test

import (
	"context"
	"encoding/json"
	"maps"
	nethttp "net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/seed6ad8aa6b/kratos/contrib/middleware/validate"
	"github.com/seed6ad8aa6b/kratos/contrib/middleware/validate/internal/testpb"
	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// users answers CreateUser over both transports and counts the calls that
// reach it.
type users struct {
	testpb.UnimplementedUsersServer
	calls atomic.Int32
}

func (u *users) CreateUser(_ context.Context, in *testpb.CreateUserRequest) (*testpb.CreateUserReply, error) {
	u.calls.Add(1)
	return &testpb.CreateUserReply{Id: "user-" + in.GetName()}, nil
}

// server is what serve needs of a Kratos server.
type server interface {
	transport.Server
	transport.Endpointer
}

// serve starts srv for the length of the test and returns its host:port.
func serve(t *testing.T, srv server) string {
	t.Helper()
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatalf("Endpoint() error = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Start() error = %v", err)
			}
		case <-ctx.Done():
			t.Error("Start() did not return after Stop()")
		}
	})
	return u.Host
}

// caller calls CreateUser over one transport.
type caller func(context.Context, *testpb.CreateUserRequest) (*testpb.CreateUserReply, error)

// start serves svc over one transport with serverMW and returns a caller
// whose client runs clientMW.
type start func(t *testing.T, svc *users, serverMW, clientMW []middleware.Middleware) caller

func startHTTP(t *testing.T, svc *users, serverMW, clientMW []middleware.Middleware) caller {
	srv := http.NewServer(http.Address("127.0.0.1:0"), http.Middleware(serverMW...))
	testpb.RegisterUsersHTTPServer(srv, svc)
	host := serve(t, srv)
	client, err := http.NewClient(context.Background(), http.WithEndpoint(host), http.WithMiddleware(clientMW...))
	if err != nil {
		t.Fatalf("http.NewClient() error = %v", err)
	}
	t.Cleanup(func() {
		if err := client.Close(); err != nil {
			t.Errorf("http client Close() error = %v", err)
		}
	})
	c := testpb.NewUsersHTTPClient(client)
	return func(ctx context.Context, in *testpb.CreateUserRequest) (*testpb.CreateUserReply, error) {
		return c.CreateUser(ctx, in)
	}
}

func startGRPC(t *testing.T, svc *users, serverMW, clientMW []middleware.Middleware) caller {
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(serverMW...))
	testpb.RegisterUsersServer(srv, svc)
	host := serve(t, srv)
	conn, err := kgrpc.DialInsecure(context.Background(), kgrpc.WithEndpoint(host), kgrpc.WithMiddleware(clientMW...))
	if err != nil {
		t.Fatalf("grpc.DialInsecure() error = %v", err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("grpc conn Close() error = %v", err)
		}
	})
	c := testpb.NewUsersClient(conn)
	return func(ctx context.Context, in *testpb.CreateUserRequest) (*testpb.CreateUserReply, error) {
		return c.CreateUser(ctx, in)
	}
}

var transports = []struct {
	name  string
	start start
}{
	{"http", startHTTP},
	{"grpc", startGRPC},
}

// TestTransports sends requests through real HTTP and gRPC servers that
// run the middleware, and through clients that run it in front of servers
// that do not, and checks the error that reaches the caller.
func TestTransports(t *testing.T) {
	tests := []struct {
		name         string
		req          *testpb.CreateUserRequest
		wantID       string // for a valid request
		wantMessage  string // for a rejected one
		wantMetadata map[string]string
	}{
		{name: "valid", req: validUser(), wantID: "user-ada"},
		{name: "field rules",
			req:          user(func(r *testpb.CreateUserRequest) { r.Name, r.Address.City = "", "" }),
			wantMessage:  "name: " + nameTooShort + "; address.city: " + cityTooShort,
			wantMetadata: map[string]string{"name": nameTooShort, "address.city": cityTooShort}},
		{name: "message rule",
			req:         user(func(r *testpb.CreateUserRequest) { r.Name = r.Email }),
			wantMessage: nameIsEmail},
		{name: "Validate method",
			req:         user(func(r *testpb.CreateUserRequest) { r.Name = "admin" }),
			wantMessage: testpb.ErrReservedName.Error()},
	}
	sides := []struct {
		name     string
		serverMW []middleware.Middleware
		clientMW []middleware.Middleware
	}{
		{"server", []middleware.Middleware{validate.Server()}, nil},
		{"client", nil, []middleware.Middleware{validate.Client()}},
	}
	for _, tr := range transports {
		for _, side := range sides {
			t.Run(tr.name+"/"+side.name, func(t *testing.T) {
				svc := &users{}
				call := tr.start(t, svc, side.serverMW, side.clientMW)
				var wantCalls int32
				for _, tt := range tests {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					reply, err := call(ctx, tt.req)
					cancel()
					if tt.wantMessage == "" {
						wantCalls++
						if err != nil {
							t.Errorf("%s: CreateUser() error = %v, want nil", tt.name, err)
						} else if got := reply.GetId(); got != tt.wantID {
							t.Errorf("%s: CreateUser() id = %q, want %q", tt.name, got, tt.wantID)
						}
						continue
					}
					if err == nil {
						t.Errorf("%s: CreateUser() error = nil, want 400 VALIDATOR", tt.name)
						continue
					}
					e := kerrors.FromError(err)
					if e.Code != 400 || e.Reason != "VALIDATOR" || e.Message != tt.wantMessage {
						t.Errorf("%s: CreateUser() error = %d %q %q, want 400 %q %q",
							tt.name, e.Code, e.Reason, e.Message, "VALIDATOR", tt.wantMessage)
					}
					if len(e.Metadata) != 0 || len(tt.wantMetadata) != 0 {
						if !maps.Equal(e.Metadata, tt.wantMetadata) {
							t.Errorf("%s: CreateUser() error metadata = %v, want %v", tt.name, e.Metadata, tt.wantMetadata)
						}
					}
					if tr.name == "grpc" {
						if got := status.Code(err); got != codes.InvalidArgument {
							t.Errorf("%s: gRPC status code = %v, want %v", tt.name, got, codes.InvalidArgument)
						}
					}
				}
				if got := svc.calls.Load(); got != wantCalls {
					t.Errorf("service handled %d calls, want %d (only the valid ones)", got, wantCalls)
				}
			})
		}
	}
}

// TestHTTPErrorBody reads the error body of a rejected request off the
// wire, as a client that is not Kratos sees it.
func TestHTTPErrorBody(t *testing.T) {
	svc := &users{}
	srv := http.NewServer(http.Address("127.0.0.1:0"), http.Middleware(validate.Server()))
	testpb.RegisterUsersHTTPServer(srv, svc)
	host := serve(t, srv)

	body := `{"name":"","age":36,"email":"ada@example.com","tags":["a","b","c"]}`
	resp, err := nethttp.Post("http://"+host+"/v1/users", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST /v1/users error = %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != nethttp.StatusBadRequest {
		t.Errorf("POST /v1/users status = %d, want %d", resp.StatusCode, nethttp.StatusBadRequest)
	}
	var got struct {
		Code     int               `json:"code"`
		Reason   string            `json:"reason"`
		Message  string            `json:"message"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("decode error body: %v", err)
	}
	wantMessage := "name: " + nameTooShort + "; tags: " + tooManyTags
	wantMetadata := map[string]string{"name": nameTooShort, "tags": tooManyTags}
	if got.Code != 400 || got.Reason != "VALIDATOR" || got.Message != wantMessage || !maps.Equal(got.Metadata, wantMetadata) {
		t.Errorf("error body = %+v, want {Code:400 Reason:VALIDATOR Message:%s Metadata:%v}", got, wantMessage, wantMetadata)
	}
	if n := svc.calls.Load(); n != 0 {
		t.Errorf("service handled %d calls, want 0", n)
	}
}
