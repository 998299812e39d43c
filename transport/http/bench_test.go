package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// benchRecover is a recovery middleware as cheap as the real one's fast
// path: a deferred recover.
func benchRecover(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (reply any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = errors.InternalServer("UNKNOWN", fmt.Sprint(r))
			}
		}()
		return next(ctx, req)
	}
}

type benchGreeter struct{ testpb.GreeterHTTPServer }

func (benchGreeter) SayHello(_ context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	return &testpb.HelloReply{Message: "hello " + in.Name}, nil
}

// BenchmarkKratosHTTP serves GET /helloworld/{name} through the
// generated-style handler with a recovery middleware, in process.
func BenchmarkKratosHTTP(b *testing.B) {
	srv := khttp.NewServer(khttp.Middleware(benchRecover))
	testpb.RegisterGreeterHTTPServer(srv, benchGreeter{})
	req := httptest.NewRequest(http.MethodGet, "/helloworld/kratos", nil)
	check(b, srv, req)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
	}
}

// BenchmarkRawNetHTTP does the same work with a net/http ServeMux pattern
// and protojson.
func BenchmarkRawNetHTTP(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /helloworld/{name}", func(w http.ResponseWriter, r *http.Request) {
		in := &testpb.HelloRequest{Name: r.PathValue("name")}
		reply := &testpb.HelloReply{Message: "hello " + in.Name}
		data, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(reply)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data)
	})
	req := httptest.NewRequest(http.MethodGet, "/helloworld/kratos", nil)
	check(b, mux, req)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
	}
}

func check(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || compact(rec.Body.String()) != `{"message":"hello kratos"}` {
		b.Fatalf("response = %d %q", rec.Code, rec.Body.String())
	}
}
