// The tests of this package run the code that httpgen and errorsgen
// generated for ../../testdata/routes.proto (checked by TestGolden in
// httpgen) against a real HTTP server and client, and a gRPC server for
// the errors.
package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

// library implements LibraryHTTPServer and LibraryServer by echoing what
// it was asked.
type library struct {
	UnimplementedLibraryServer
}

func (library) GetShelf(_ context.Context, in *GetShelfRequest) (*Shelf, error) {
	switch in.Shelf {
	case "missing":
		return nil, ErrorShelfNotFound("shelf %q not found", in.Shelf)
	case "closed":
		return nil, ErrorLibraryClosed("closed for %s", "lunch")
	case "2fa":
		return nil, ErrorError2FaRequired("second factor needed")
	}
	return &Shelf{Name: in.Shelf, Theme: "library"}, nil
}

func (library) ListBooks(_ context.Context, in *ListBooksRequest) (*ListBooksResponse, error) {
	return &ListBooksResponse{Seen: in, Books: []*Book{{Name: in.Shelf + "/books/1"}}}, nil
}

func (library) SearchBooks(_ context.Context, in *ListBooksRequest) (*ListBooksResponse, error) {
	return &ListBooksResponse{Seen: in}, nil
}

func (library) GetBook(_ context.Context, in *GetBookRequest) (*Book, error) {
	return &Book{Name: in.Name, Title: "view=" + in.View}, nil
}

func (library) GetBookByRef(_ context.Context, in *GetBookByRefRequest) (*Book, error) {
	return &Book{Name: in.GetRef().GetShelf() + "|" + in.GetRef().GetBook()}, nil
}

func (library) CreateShelf(_ context.Context, in *CreateShelfRequest) (*Shelf, error) {
	if in.GetShelf().GetName() == "" {
		return nil, ErrorBookNameMissing("no name")
	}
	return &Shelf{Name: in.GetShelf().GetName(), Theme: in.GetShelf().GetTheme() + " " + in.RequestId}, nil
}

func (library) UpdateBook(_ context.Context, in *UpdateBookRequest) (*Book, error) {
	b := proto.Clone(in.GetBook()).(*Book)
	b.Tags = append(b.Tags, in.GetUpdateMask().GetPaths()...)
	return b, nil
}

func (library) PatchBook(_ context.Context, in *PatchBookRequest) (*PatchBookResponse, error) {
	b := proto.Clone(in.GetBook()).(*Book)
	b.Name = in.Id
	return &PatchBookResponse{Book: b, Etag: "etag-not-sent"}, nil
}

func (library) DeleteBook(_ context.Context, in *DeleteBookRequest) (*emptypb.Empty, error) {
	if in.Id == "" {
		return nil, ErrorBookNameMissing("no id")
	}
	return &emptypb.Empty{}, nil
}

func (library) ArchiveBook(_ context.Context, in *GetBookRequest) (*Book, error) {
	return &Book{Name: in.Name, Title: "archived"}, nil
}

func (library) HeadShelf(_ context.Context, in *GetShelfRequest) (*emptypb.Empty, error) {
	if in.Shelf == "missing" {
		return nil, ErrorShelfNotFound("no shelf")
	}
	return &emptypb.Empty{}, nil
}

// admin implements AdminHTTPServer.
type admin struct{}

func (admin) GetShelf(_ context.Context, in *GetShelfRequest) (*Shelf, error) {
	return &Shelf{Name: in.Shelf, Theme: "admin"}, nil
}

// recorder is a server middleware that records the operation and path
// template of every call.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) middleware(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		if tr, ok := transport.FromServerContext(ctx); ok {
			tmpl := ""
			if ht, ok := tr.(http.Transporter); ok {
				tmpl = ht.PathTemplate()
			}
			r.mu.Lock()
			r.seen = append(r.seen, tr.Operation()+" "+tmpl)
			r.mu.Unlock()
		}
		return next(ctx, req)
	}
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) == 0 {
		return ""
	}
	return r.seen[len(r.seen)-1]
}

// startHTTP serves the generated routes on a loopback port until the test
// ends and returns the server's address and a client for it.
func startHTTP(t *testing.T) (string, *http.Client, *recorder) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv := http.NewServer(http.Listener(lis), http.Middleware(rec.middleware))
	RegisterLibraryHTTPServer(srv, library{})
	RegisterAdminHTTPServer(srv, admin{})
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	client, err := http.NewClient(context.Background(), http.WithEndpoint(lis.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	return lis.Addr().String(), client, rec
}

func TestClientServer(t *testing.T) {
	_, cc, rec := startHTTP(t)
	c := NewLibraryHTTPClient(cc)
	ctx := context.Background()

	t.Run("path variable", func(t *testing.T) {
		got, err := c.GetShelf(ctx, &GetShelfRequest{Shelf: "fiction"})
		if err != nil {
			t.Fatalf("GetShelf() error = %v", err)
		}
		if got.Name != "fiction" || got.Theme != "library" {
			t.Errorf("GetShelf() = %v, want fiction/library", got)
		}
		if want := OperationLibraryGetShelf + " /v1/shelves/{shelf}"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})

	t.Run("escaped path variable", func(t *testing.T) {
		for _, shelf := range []string{"a b", "a/b", "100%", "x?y#z", "ünï"} {
			got, err := c.GetShelf(ctx, &GetShelfRequest{Shelf: shelf})
			if err != nil {
				t.Fatalf("GetShelf(%q) error = %v", shelf, err)
			}
			if got.Name != shelf {
				t.Errorf("GetShelf(%q).Name = %q", shelf, got.Name)
			}
		}
	})

	t.Run("query", func(t *testing.T) {
		in := &ListBooksRequest{Shelf: "s1", PageSize: 20, Filter: "a&b=c", Tags: []string{"x", "y"}, IncludeArchived: proto.Bool(false)}
		got, err := c.ListBooks(ctx, in)
		if err != nil {
			t.Fatalf("ListBooks() error = %v", err)
		}
		if !proto.Equal(got.Seen, in) {
			t.Errorf("server saw %v, want %v", got.Seen, in)
		}
		if len(got.Books) != 1 || got.Books[0].Name != "s1/books/1" {
			t.Errorf("ListBooks().Books = %v", got.Books)
		}
	})

	t.Run("custom method", func(t *testing.T) {
		in := &ListBooksRequest{Shelf: "s2", Filter: "f"}
		got, err := c.SearchBooks(ctx, in)
		if err != nil {
			t.Fatalf("SearchBooks() error = %v", err)
		}
		if !proto.Equal(got.Seen, in) {
			t.Errorf("server saw %v, want %v", got.Seen, in)
		}
		if want := OperationLibrarySearchBooks + " /v1/shelves/{shelf}/books"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		if _, err := c.HeadShelf(ctx, &GetShelfRequest{Shelf: "s"}); err != nil {
			t.Fatalf("HeadShelf() error = %v", err)
		}
		if want := OperationLibraryHeadShelf + " /v1/shelves/{shelf}"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
		_, err := c.HeadShelf(ctx, &GetShelfRequest{Shelf: "missing"})
		if errors.Code(err) != 404 {
			t.Errorf("HeadShelf(missing) error = %v, want code 404", err)
		}
	})

	t.Run("pattern variable", func(t *testing.T) {
		got, err := c.GetBook(ctx, &GetBookRequest{Name: "shelves/s1/books/b 1", View: "full"})
		if err != nil {
			t.Fatalf("GetBook() error = %v", err)
		}
		if got.Name != "shelves/s1/books/b 1" || got.Title != "view=full" {
			t.Errorf("GetBook() = %v", got)
		}
		if want := OperationLibraryGetBook + " /v1/{name:shelves/.*/books/.*}"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})

	t.Run("rest-of-path variable", func(t *testing.T) {
		// What a generated client does for a {name=**} rule (here an
		// additional binding, which the client does not use itself).
		pattern := "/v1/books/{name:.*}"
		path := binding.EncodeURL(pattern, &GetBookRequest{Name: "x/y z", View: "v"}, true)
		var out Book
		err := cc.Invoke(ctx, "GET", path, nil, &out, http.Operation(OperationLibraryGetBook), http.PathTemplate(pattern))
		if err != nil {
			t.Fatalf("Invoke(%s) error = %v", path, err)
		}
		if out.Name != "x/y z" || out.Title != "view=v" {
			t.Errorf("Invoke(%s) = %v", path, &out)
		}
		if want := OperationLibraryGetBook + " " + pattern; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})

	t.Run("nested variables", func(t *testing.T) {
		got, err := c.GetBookByRef(ctx, &GetBookByRefRequest{Ref: &BookRef{Shelf: "s", Book: "b"}})
		if err != nil {
			t.Fatalf("GetBookByRef() error = %v", err)
		}
		if got.Name != "s|b" {
			t.Errorf("GetBookByRef().Name = %q, want s|b", got.Name)
		}
	})

	t.Run("body star", func(t *testing.T) {
		got, err := c.CreateShelf(ctx, &CreateShelfRequest{Shelf: &Shelf{Name: "new", Theme: "sea"}, RequestId: "r1"})
		if err != nil {
			t.Fatalf("CreateShelf() error = %v", err)
		}
		if got.Name != "new" || got.Theme != "sea r1" {
			t.Errorf("CreateShelf() = %v", got)
		}
	})

	t.Run("body field with variable inside", func(t *testing.T) {
		in := &UpdateBookRequest{
			Book:       &Book{Name: "shelves/s/books/b", Title: "T", Author: "A"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}},
		}
		got, err := c.UpdateBook(ctx, in)
		if err != nil {
			t.Fatalf("UpdateBook() error = %v", err)
		}
		want := &Book{Name: "shelves/s/books/b", Title: "T", Author: "A", Tags: []string{"title"}}
		if !proto.Equal(got, want) {
			t.Errorf("UpdateBook() = %v, want %v", got, want)
		}
	})

	t.Run("response body", func(t *testing.T) {
		got, err := c.PatchBook(ctx, &PatchBookRequest{Id: "b7", Book: &Book{Title: "new"}})
		if err != nil {
			t.Fatalf("PatchBook() error = %v", err)
		}
		if got.GetBook().GetName() != "b7" || got.GetBook().GetTitle() != "new" {
			t.Errorf("PatchBook().Book = %v", got.GetBook())
		}
		if got.Etag != "" {
			t.Errorf("PatchBook().Etag = %q; only the book should be sent", got.Etag)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteBook(ctx, &DeleteBookRequest{Id: "b1"}); err != nil {
			t.Fatalf("DeleteBook() error = %v", err)
		}
		if want := OperationLibraryDeleteBook + " /v1/books/{id}"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})

	t.Run("custom verb", func(t *testing.T) {
		got, err := c.ArchiveBook(ctx, &GetBookRequest{Name: "shelves/s/books/b"})
		if err != nil {
			t.Fatalf("ArchiveBook() error = %v", err)
		}
		if got.Name != "shelves/s/books/b" || got.Title != "archived" {
			t.Errorf("ArchiveBook() = %v", got)
		}
		if want := OperationLibraryArchiveBook + " /v1/{name:shelves/.*/books/.*}:archive"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})

	t.Run("second service", func(t *testing.T) {
		got, err := NewAdminHTTPClient(cc).GetShelf(ctx, &GetShelfRequest{Shelf: "s"})
		if err != nil {
			t.Fatalf("Admin.GetShelf() error = %v", err)
		}
		if got.Theme != "admin" {
			t.Errorf("Admin.GetShelf().Theme = %q, want admin", got.Theme)
		}
		if want := OperationAdminGetShelf + " /admin/shelves/{shelf}"; rec.last() != want {
			t.Errorf("server saw %q, want %q", rec.last(), want)
		}
	})
}

func TestErrorsOverHTTP(t *testing.T) {
	_, cc, _ := startHTTP(t)
	c := NewLibraryHTTPClient(cc)
	ctx := context.Background()

	_, err := c.GetShelf(ctx, &GetShelfRequest{Shelf: "missing"})
	if !IsShelfNotFound(err) {
		t.Errorf("IsShelfNotFound(%v) = false, want true", err)
	}
	if IsLibraryClosed(err) || IsBookNameMissing(err) {
		t.Errorf("%v matches another reason", err)
	}
	if e := errors.FromError(err); e.Code != 404 || e.Message != `shelf "missing" not found` {
		t.Errorf("error = %d %q, want 404 with the message", e.Code, e.Message)
	}

	_, err = c.GetShelf(ctx, &GetShelfRequest{Shelf: "closed"})
	if !IsLibraryClosed(err) || errors.Code(err) != 500 {
		t.Errorf("GetShelf(closed) error = %v, want LIBRARY_CLOSED with the default code 500", err)
	}
	_, err = c.GetShelf(ctx, &GetShelfRequest{Shelf: "2fa"})
	if !IsError2FaRequired(err) || errors.Code(err) != 401 {
		t.Errorf("GetShelf(2fa) error = %v, want ERROR_2FA_REQUIRED 401", err)
	}
	_, err = c.CreateShelf(ctx, &CreateShelfRequest{})
	if !IsBookNameMissing(err) || errors.Code(err) != 400 {
		t.Errorf("CreateShelf() error = %v, want book_name_missing 400", err)
	}
}

func TestErrorsOverGRPC(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Listener(lis))
	RegisterLibraryServer(srv, library{})
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	conn, err := grpc.DialInsecure(context.Background(), grpc.WithEndpoint(lis.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := NewLibraryClient(conn)

	got, err := c.GetShelf(context.Background(), &GetShelfRequest{Shelf: "ok"})
	if err != nil || got.Name != "ok" {
		t.Fatalf("GetShelf(ok) = %v, %v", got, err)
	}
	_, err = c.GetShelf(context.Background(), &GetShelfRequest{Shelf: "missing"})
	if !IsShelfNotFound(err) {
		t.Errorf("IsShelfNotFound(%v) = false over gRPC, want true", err)
	}
	if IsLibraryClosed(err) {
		t.Errorf("IsLibraryClosed(%v) = true", err)
	}
	_, err = c.GetShelf(context.Background(), &GetShelfRequest{Shelf: "closed"})
	if !IsLibraryClosed(err) {
		t.Errorf("IsLibraryClosed(%v) = false over gRPC, want true", err)
	}
}

// TestRawRoutes calls the routes with plain net/http, to check what is on
// the wire independently of the generated client.
func TestRawRoutes(t *testing.T) {
	addr, _, rec := startHTTP(t)
	base := "http://" + addr
	tests := []struct {
		method, path, body string
		wantCode           int
		wantJSON           map[string]any // fields of the reply that must be there
		wantOp             string
	}{
		{"GET", "/v1/shelves/s1", "", 200, map[string]any{"name": "s1"}, OperationLibraryGetShelf},
		{"GET", "/v1/shelves/s%2F1", "", 200, map[string]any{"name": "s/1"}, OperationLibraryGetShelf},
		{"GET", "/v1/shelves/s1/books?pageSize=3&tags=a&tags=b", "", 200, map[string]any{"seen": map[string]any{"shelf": "s1", "pageSize": float64(3), "tags": []any{"a", "b"}}}, OperationLibraryListBooks},
		{"GET", "/v1/shelves/s1/books?page_size=4", "", 200, map[string]any{"seen": map[string]any{"pageSize": float64(4)}}, OperationLibraryListBooks},
		{"GET", "/v1/shelves/a/books/b", "", 200, map[string]any{"name": "shelves/a/books/b"}, OperationLibraryGetBook},
		// A * of a pattern takes several segments, as on Kratos's routes.
		{"GET", "/v1/shelves/a/x/books/b/y", "", 200, map[string]any{"name": "shelves/a/x/books/b/y"}, OperationLibraryGetBook},
		{"GET", "/v1/books/x/y/z", "", 200, map[string]any{"name": "x/y/z"}, OperationLibraryGetBook},
		{"POST", "/v1/books:get", `{"name":"n","view":"v"}`, 200, map[string]any{"name": "n", "title": "view=v"}, OperationLibraryGetBook},
		{"GET", "/v1/refs/s/b", "", 200, map[string]any{"name": "s|b"}, OperationLibraryGetBookByRef},
		{"POST", "/v1/shelves", `{"shelf":{"name":"n","theme":"t"},"requestId":"r"}`, 200, map[string]any{"name": "n", "theme": "t r"}, OperationLibraryCreateShelf},
		{"PUT", "/v1/shelves/s/books/b?updateMask=title,author", `{"title":"T"}`, 200, map[string]any{"name": "shelves/s/books/b", "title": "T", "tags": []any{"title", "author"}}, OperationLibraryUpdateBook},
		{"PATCH", "/v1/books/b9", `{"title":"P"}`, 200, map[string]any{"name": "b9", "title": "P"}, OperationLibraryPatchBook},
		{"DELETE", "/v1/books/b1", "", 200, map[string]any{}, OperationLibraryDeleteBook},
		{"POST", "/v1/shelves/s/books/b:archive", `{}`, 200, map[string]any{"name": "shelves/s/books/b", "title": "archived"}, OperationLibraryArchiveBook},
		{"SEARCH", "/v1/shelves/s/books?filter=x", "", 200, map[string]any{"seen": map[string]any{"shelf": "s", "filter": "x"}}, OperationLibrarySearchBooks},
		{"GET", "/admin/shelves/s", "", 200, map[string]any{"theme": "admin"}, OperationAdminGetShelf},
		{"GET", "/v1/shelves/missing", "", 404, map[string]any{"code": float64(404), "reason": "SHELF_NOT_FOUND"}, OperationLibraryGetShelf},
		// No route for methods without a rule.
		{"POST", "/kratos.test.routes.v1.Library/Internal", "{}", 404, nil, ""},
		// The streaming method is served (and not implemented here: its
		// error comes before the first event, as an ordinary reply).
		{"GET", "/v1/watch", "", 501, map[string]any{"code": float64(501)}, OperationLibraryWatchShelves},
		// A wrong method on a known path.
		{"PUT", "/v1/shelves/s1", "{}", 405, nil, ""},
		// A bad body.
		{"POST", "/v1/shelves", `{"shelf":`, 400, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := nethttp.NewRequest(tt.method, base+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			before := rec.last()
			res, err := nethttp.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.wantCode {
				t.Fatalf("status = %d, want %d; body %s", res.StatusCode, tt.wantCode, data)
			}
			if tt.wantJSON != nil {
				var got map[string]any
				if err := json.Unmarshal(data, &got); err != nil {
					t.Fatalf("reply %s: %v", data, err)
				}
				if err := contains(got, tt.wantJSON); err != nil {
					t.Errorf("reply %s: %v", data, err)
				}
			}
			if tt.wantOp != "" {
				if op, _, _ := strings.Cut(rec.last(), " "); op != tt.wantOp {
					t.Errorf("operation = %q, want %q", op, tt.wantOp)
				}
			} else if rec.last() != before {
				t.Errorf("a handler ran: %q", rec.last())
			}
		})
	}
}

// contains checks that got has every field of want, recursively.
func contains(got, want map[string]any) error {
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			return fmt.Errorf("no field %q", k)
		}
		if wm, ok := w.(map[string]any); ok {
			gm, ok := g.(map[string]any)
			if !ok {
				return fmt.Errorf("field %q = %v, want an object", k, g)
			}
			if err := contains(gm, wm); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			continue
		}
		if wl, ok := w.([]any); ok {
			gl, ok := g.([]any)
			if !ok || !slices.Equal(gl, wl) {
				return fmt.Errorf("field %q = %v, want %v", k, g, w)
			}
			continue
		}
		if g != w {
			return fmt.Errorf("field %q = %v, want %v", k, g, w)
		}
	}
	return nil
}
