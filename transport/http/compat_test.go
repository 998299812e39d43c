package http_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// greeter implements the generated-style GreeterHTTPServer of testpb.
type greeter struct {
	mu   sync.Mutex
	seen []string // operation, path template and x-md-global-id of each call
}

func (g *greeter) record(ctx context.Context) {
	tr, ok := transport.FromServerContext(ctx)
	if !ok {
		panic("no server transport in context")
	}
	ht := tr.(khttp.Transporter)
	g.mu.Lock()
	g.seen = append(g.seen, fmt.Sprintf("%s %s %s %s", tr.Kind(), tr.Operation(), ht.PathTemplate(), tr.RequestHeader().Get("x-md-global-id")))
	g.mu.Unlock()
	tr.ReplyHeader().Set("X-Reply", "r-"+tr.Operation())
}

func (g *greeter) SayHello(ctx context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	g.record(ctx)
	switch in.Name {
	case "error":
		return nil, errors.New(403, "NOT_ALLOWED", "you may not").WithMetadata(map[string]string{"who": in.PageToken})
	case "plain":
		return nil, fmt.Errorf("plain failure")
	case "panic":
		panic("boom")
	}
	return &testpb.HelloReply{Message: fmt.Sprintf("hello %s count=%d tags=%v inner=%s token=%s",
		in.Name, in.Count, in.Tags, in.GetInner().GetValue(), in.PageToken)}, nil
}

func (g *greeter) CreateHello(ctx context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	g.record(ctx)
	return &testpb.HelloReply{Message: fmt.Sprintf("created %s count=%d", in.Name, in.Count)}, nil
}

// library implements the generated-style LibraryHTTPServer of testpb.
type library struct{}

func (library) CreateBook(_ context.Context, in *testpb.CreateBookRequest) (*testpb.Book, error) {
	return &testpb.Book{Name: in.Parent + "/books/" + in.GetBook().GetName(), Title: in.GetBook().GetTitle() + " " + in.RequestId, Pages: in.GetBook().GetPages()}, nil
}

func (library) GetBook(_ context.Context, in *testpb.GetBookRequest) (*testpb.GetBookReply, error) {
	return &testpb.GetBookReply{Book: &testpb.Book{Name: in.Name, Title: fmt.Sprintf("full=%v", in.Full)}, Etag: "e"}, nil
}

func (library) UpdateBook(_ context.Context, in *testpb.UpdateBookRequest) (*testpb.Book, error) {
	return &testpb.Book{Name: in.GetBook().GetName(), Title: fmt.Sprintf("%s mask=%v", in.GetBook().GetTitle(), in.GetUpdateMask().GetPaths())}, nil
}

// recoverer turns a panic into a 500 error, like the recovery middleware.
func recoverer(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (reply any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = errors.InternalServer("UNKNOWN", fmt.Sprint("panic: ", r))
			}
		}()
		return next(ctx, req)
	}
}

func startGenerated(t *testing.T, opts ...khttp.ServerOption) (*greeter, string) {
	t.Helper()
	g := &greeter{}
	srv, host := startServer(t, append([]khttp.ServerOption{khttp.Middleware(recoverer)}, opts...)...)
	testpb.RegisterGreeterHTTPServer(srv, g)
	testpb.RegisterLibraryHTTPServer(srv, library{})
	return g, host
}

func TestGeneratedGreeter(t *testing.T) {
	_, host := startGenerated(t)
	client := testpb.NewGreeterHTTPClient(newClient(t, host))
	ctx := context.Background()
	tests := []struct {
		name string
		call func() (*testpb.HelloReply, error)
		want string
	}{
		{"get path var", func() (*testpb.HelloReply, error) {
			return client.SayHello(ctx, &testpb.HelloRequest{Name: "ann"})
		}, "hello ann count=0 tags=[] inner= token="},
		{"get escaped path var", func() (*testpb.HelloReply, error) {
			return client.SayHello(ctx, &testpb.HelloRequest{Name: "a b/c?d"})
		}, "hello a b/c?d count=0 tags=[] inner= token="},
		{"get with query", func() (*testpb.HelloReply, error) {
			return client.SayHello(ctx, &testpb.HelloRequest{Name: "bob", Count: 3, Tags: []string{"x", "y"}, Inner: &testpb.Inner{Value: "in"}, PageToken: "pt"})
		}, "hello bob count=3 tags=[x y] inner=in token=pt"},
		{"post body star", func() (*testpb.HelloReply, error) {
			return client.CreateHello(ctx, &testpb.HelloRequest{Name: "cat", Count: 7})
		}, "created cat count=7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			if err != nil {
				t.Fatalf("call error = %v", err)
			}
			if got.Message != tt.want {
				t.Errorf("Message = %q, want %q", got.Message, tt.want)
			}
		})
	}
}

func TestGeneratedLibrary(t *testing.T) {
	_, host := startGenerated(t)
	client := testpb.NewLibraryHTTPClient(newClient(t, host))
	ctx := context.Background()

	created, err := client.CreateBook(ctx, &testpb.CreateBookRequest{Parent: "shelves/1", Book: &testpb.Book{Name: "b", Title: "T", Pages: 9}, RequestId: "rid"})
	if err != nil {
		t.Fatalf("CreateBook() error = %v", err)
	}
	// body: "book", the request id is not sent (no query for body methods).
	if want := (&testpb.Book{Name: "shelves/1/books/b", Title: "T ", Pages: 9}); !proto.Equal(created, want) {
		t.Errorf("CreateBook() = %v, want %v", created, want)
	}

	got, err := client.GetBook(ctx, &testpb.GetBookRequest{Name: "shelves/1/books/2", Full: true})
	if err != nil {
		t.Fatalf("GetBook() error = %v", err)
	}
	// response_body: "book": only the book travels.
	if want := (&testpb.GetBookReply{Book: &testpb.Book{Name: "shelves/1/books/2", Title: "full=true"}}); !proto.Equal(got, want) {
		t.Errorf("GetBook() = %v, want %v", got, want)
	}

	updated, err := client.UpdateBook(ctx, &testpb.UpdateBookRequest{
		Book:       &testpb.Book{Name: "shelves/1/books/3", Title: "new"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
	})
	if err != nil {
		t.Fatalf("UpdateBook() error = %v", err)
	}
	if want := (&testpb.Book{Name: "shelves/1/books/3", Title: "new mask=[title]"}); !proto.Equal(updated, want) {
		t.Errorf("UpdateBook() = %v, want %v", updated, want)
	}
}

// TestBindingOrder checks that generated handlers bind body, then query,
// then path variables, so the path wins.
func TestBindingOrder(t *testing.T) {
	_, host := startGenerated(t)
	c := newClient(t, host)
	ctx := context.Background()

	var reply testpb.HelloReply
	err := c.Invoke(ctx, "POST", "/helloworld/path", &testpb.HelloRequest{Name: "body", Count: 2}, &reply)
	if err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	if want := "created path count=2"; reply.Message != want {
		t.Errorf("body * with path var: Message = %q, want %q", reply.Message, want)
	}

	var book testpb.Book
	err = c.Invoke(ctx, "PATCH", "/v1/shelves/9/books/9?book.title=query&book.name=query", &testpb.Book{Name: "body", Title: "body"}, &book)
	if err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	if want := (&testpb.Book{Name: "shelves/9/books/9", Title: "query mask=[]"}); !proto.Equal(&book, want) {
		t.Errorf("body field with query and path: %v, want %v", &book, want)
	}
}

func TestGeneratedErrors(t *testing.T) {
	_, host := startGenerated(t)
	var hdr http.Header
	client := testpb.NewGreeterHTTPClient(newClient(t, host))
	tests := []struct {
		name       string
		in         *testpb.HelloRequest
		wantCode   int32
		wantReason string
		wantMsg    string
		wantMD     map[string]string
	}{
		{"kratos error", &testpb.HelloRequest{Name: "error", PageToken: "me"}, 403, "NOT_ALLOWED", "you may not", map[string]string{"who": "me"}},
		{"plain error", &testpb.HelloRequest{Name: "plain"}, 500, "", "plain failure", nil},
		{"panic", &testpb.HelloRequest{Name: "panic"}, 500, "UNKNOWN", "panic: boom", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, err := client.SayHello(context.Background(), tt.in, khttp.Header(&hdr))
			if reply != nil {
				t.Errorf("reply = %v, want nil", reply)
			}
			var se *errors.Error
			if !errors.As(err, &se) {
				t.Fatalf("error = %#v, want *errors.Error", err)
			}
			if se.Code != tt.wantCode || se.Reason != tt.wantReason || se.Message != tt.wantMsg {
				t.Errorf("error = %d %q %q, want %d %q %q", se.Code, se.Reason, se.Message, tt.wantCode, tt.wantReason, tt.wantMsg)
			}
			if len(se.Metadata) != 0 || len(tt.wantMD) != 0 {
				if !reflect.DeepEqual(se.Metadata, tt.wantMD) {
					t.Errorf("metadata = %v, want %v", se.Metadata, tt.wantMD)
				}
			}
			if got := hdr.Get("Content-Type"); got != "application/json" {
				t.Errorf("error Content-Type = %q, want application/json", got)
			}
		})
	}
}

// TestMetadataAndMiddleware runs client and server middleware around a
// generated call and checks their order, the operations they see and that
// headers set by client middleware reach the service.
func TestMetadataAndMiddleware(t *testing.T) {
	var (
		mu    sync.Mutex
		trace []string
	)
	mark := func(name string) middleware.Middleware {
		return func(next middleware.Handler) middleware.Handler {
			return func(ctx context.Context, req any) (any, error) {
				var op string
				if tr, ok := transport.FromServerContext(ctx); ok {
					op = tr.Operation()
				} else if tr, ok := transport.FromClientContext(ctx); ok {
					op = tr.Operation() + " " + tr.(khttp.Transporter).PathTemplate()
					tr.RequestHeader().Set("x-md-global-id", "gid-1")
				}
				mu.Lock()
				trace = append(trace, name+" "+op)
				mu.Unlock()
				reply, err := next(ctx, req)
				if tr, ok := transport.FromClientContext(ctx); ok {
					mu.Lock()
					trace = append(trace, name+" reply "+tr.ReplyHeader().Get("X-Reply"))
					mu.Unlock()
				}
				return reply, err
			}
		}
	}
	g := &greeter{}
	srv, host := startServer(t, khttp.Middleware(mark("server-1"), mark("server-2")))
	srv.Use("/testpb.v1.Greeter/*", mark("use-prefix"))
	srv.Use(testpb.OperationGreeterCreateHello, mark("use-exact"))
	testpb.RegisterGreeterHTTPServer(srv, g)

	client := testpb.NewGreeterHTTPClient(newClient(t, host, khttp.WithMiddleware(mark("client-1"), mark("client-2"))))
	var hdr http.Header
	if _, err := client.SayHello(context.Background(), &testpb.HelloRequest{Name: "x"}, khttp.Header(&hdr)); err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	if _, err := client.CreateHello(context.Background(), &testpb.HelloRequest{Name: "x"}); err != nil {
		t.Fatalf("CreateHello() error = %v", err)
	}
	want := []string{
		"client-1 /testpb.v1.Greeter/SayHello /helloworld/{name}",
		"client-2 /testpb.v1.Greeter/SayHello /helloworld/{name}",
		"server-1 /testpb.v1.Greeter/SayHello",
		"server-2 /testpb.v1.Greeter/SayHello",
		"use-prefix /testpb.v1.Greeter/SayHello",
		"client-2 reply r-/testpb.v1.Greeter/SayHello",
		"client-1 reply r-/testpb.v1.Greeter/SayHello",
		"client-1 /testpb.v1.Greeter/CreateHello /helloworld/{name}",
		"client-2 /testpb.v1.Greeter/CreateHello /helloworld/{name}",
		"server-1 /testpb.v1.Greeter/CreateHello",
		"server-2 /testpb.v1.Greeter/CreateHello",
		"use-exact /testpb.v1.Greeter/CreateHello",
		"client-2 reply r-/testpb.v1.Greeter/CreateHello",
		"client-1 reply r-/testpb.v1.Greeter/CreateHello",
	}
	if !slices.Equal(trace, want) {
		t.Errorf("trace =\n%q\nwant\n%q", trace, want)
	}
	wantSeen := []string{
		"http /testpb.v1.Greeter/SayHello /helloworld/{name} gid-1",
		"http /testpb.v1.Greeter/CreateHello /helloworld/{name} gid-1",
	}
	if !slices.Equal(g.seen, wantSeen) {
		t.Errorf("service saw %q, want %q", g.seen, wantSeen)
	}
	if got := hdr.Get("X-Reply"); got != "r-/testpb.v1.Greeter/SayHello" {
		t.Errorf("Header call option: X-Reply = %q, want r-/testpb.v1.Greeter/SayHello", got)
	}
}
