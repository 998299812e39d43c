package openapigen_test

import (
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/openapigen/internal/library"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// server implements Library and Admin by echoing what it was asked.
type server struct {
	library.UnimplementedLibraryServer
	library.UnimplementedAdminServer
}

func (server) GetShelf(_ context.Context, in *library.GetShelfRequest) (*library.Shelf, error) {
	if in.Shelf == "missing" {
		return nil, library.ErrorShelfNotFound("shelf %q not found", in.Shelf)
	}
	return &library.Shelf{Name: in.Shelf, Created: timestamppb.Now()}, nil
}

func (server) ListBooks(_ context.Context, in *library.ListBooksRequest) (*library.ListBooksResponse, error) {
	return &library.ListBooksResponse{Books: []*library.Book{{Name: in.Shelf + "/books/1", Pages: 3}}, Seen: in}, nil
}

func (server) GetBook(_ context.Context, in *library.GetBookRequest) (*library.Book, error) {
	return &library.Book{Name: in.Name, Title: "view=" + in.View}, nil
}

func (server) GetBookByRef(_ context.Context, in *library.GetBookByRefRequest) (*library.Book, error) {
	r := in.GetRef()
	return &library.Book{Name: r.GetShelf() + "|" + r.GetBook() + "|" + r.GetEdition()}, nil
}

func (server) CreateShelf(_ context.Context, in *library.CreateShelfRequest) (*library.Shelf, error) {
	return in.GetShelf(), nil
}

func (server) CreateBook(_ context.Context, in *library.CreateBookRequest) (*library.Book, error) {
	b := in.GetBook()
	b.Name = in.Shelf + "/" + b.GetName()
	return b, nil
}

func (server) UpdateBook(_ context.Context, in *library.UpdateBookRequest) (*library.Book, error) {
	b := in.GetBook()
	b.Tags = append(b.Tags, in.GetUpdateMask().GetPaths()...)
	return b, nil
}

func (server) PatchBook(_ context.Context, in *library.PatchBookRequest) (*library.PatchBookResponse, error) {
	return &library.PatchBookResponse{Book: in.GetBook(), Etag: in.Id}, nil
}

func (server) DeleteBook(context.Context, *library.DeleteBookRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (server) ArchiveBook(_ context.Context, in *library.GetBookRequest) (*library.Book, error) {
	return &library.Book{Name: in.Name}, nil
}

func (server) HeadShelf(context.Context, *library.GetShelfRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (server) Describe(_ context.Context, in *library.Everything) (*library.Everything, error) {
	return in, nil
}

func (server) Query(_ context.Context, in *library.Everything) (*library.Everything, error) {
	return in, nil
}

func (server) Download(_ context.Context, in *library.GetShelfRequest) (*httpbody.HttpBody, error) {
	return &httpbody.HttpBody{ContentType: "text/plain", Data: []byte(in.Shelf)}, nil
}

func (s server) OldGetShelf(ctx context.Context, in *library.GetShelfRequest) (*library.Shelf, error) {
	return s.GetShelf(ctx, in)
}

func (server) WatchShelf(in *library.GetShelfRequest, stream grpc.ServerStreamingServer[library.Shelf]) error {
	for _, theme := range []string{"a", "b"} {
		if err := stream.Send(&library.Shelf{Name: in.Shelf, Theme: theme}); err != nil {
			return err
		}
	}
	return nil
}

// serve starts the generated services on the framework's HTTP server over
// a loopback listener.
func serve(t *testing.T) *httptest.Server {
	t.Helper()
	srv := http.NewServer()
	library.RegisterLibraryHTTPServer(srv, server{})
	library.RegisterAdminHTTPServer(srv, server{})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// TestRoundTrip calls every unary and server-streaming operation of the
// generated document with a request built from the document alone (path,
// query and body from the parameter and body schemas), checks the request
// against the document, sends it to the real server, and checks the
// response against the document too.
func TestRoundTrip(t *testing.T) {
	docs, _ := documents(t)
	spec, err := validateDocument(docs[golden+"library.openapi.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t)
	base, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	s := &sampler{spec: spec}

	paths := spec.Paths.Map()
	var keys []string
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	called := 0
	for _, p := range keys {
		for method, op := range paths[p].Operations() {
			if kind, _ := op.Extensions["x-kratos-streaming"].(string); kind == "client" || kind == "bidi" {
				continue // WebSocket: the transport's own tests cover the handshake
			}
			req, params := s.request(t, base, method, p, op)
			route := &routers.Route{Spec: spec, Path: p, PathItem: paths[p], Method: method, Operation: op}
			in := requestInput(t, route, params, req)
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				t.Errorf("%s %s: the request built from the document does not match it: %v", method, p, err)
				continue
			}
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, p, err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			called++
			if res.StatusCode/100 != 2 {
				t.Errorf("%s %s (%s) = %d %s, want 2xx", method, p, req.URL, res.StatusCode, body)
				continue
			}
			s.checkResponse(t, in, req, res, body)
			s.checkEcho(t, op.OperationID, req, body)
		}
	}
	if called < 15 {
		t.Errorf("called %d operations, want every one of the document's", called)
	}
}

// TestRoundTripError checks an error the service declares against the
// document: status, schema and reason.
func TestRoundTripError(t *testing.T) {
	docs, _ := documents(t)
	spec, err := validateDocument(docs[golden+"library.openapi.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t)
	req, err := nethttp.NewRequest(nethttp.MethodGet, ts.URL+"/v1/shelves/missing", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("GET /v1/shelves/missing = %d %s, want 404", res.StatusCode, body)
	}
	const p = "/v1/shelves/{shelf}"
	item := spec.Paths.Value(p)
	route := &routers.Route{Spec: spec, Path: p, PathItem: item, Method: nethttp.MethodGet, Operation: item.Get}
	in := requestInput(t, route, map[string]string{"shelf": "missing"}, req)
	(&sampler{spec: spec}).checkResponse(t, in, req, res, body)
	var got struct{ Reason string }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	examples := spec.Components.Responses["kratos.test.library.v1.NotFound"].Value.Content["application/json"].Examples
	if _, ok := examples[got.Reason]; !ok {
		t.Errorf("reason %q is not among the document's 404 examples", got.Reason)
	}
}

// requestInput is what kin-openapi validates: the request with the route
// of the document it was built from.
func requestInput(t *testing.T, route *routers.Route, params map[string]string, req *nethttp.Request) *openapi3filter.RequestValidationInput {
	t.Helper()
	clone := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		clone.Body = body
	}
	return &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route}
}
