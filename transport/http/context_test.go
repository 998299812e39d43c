package http_test

import (
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// TestContextRequest pins the request a route handler's Context hands out
// (made on first use on routes without filters): its context carries the
// Transport and the deadline, and Context.Request, Transport.Request and
// RequestFromServerContext, also in middleware, return the same request.
func TestContextRequest(t *testing.T) {
	var fromMiddleware *http.Request
	mw := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			r, ok := khttp.RequestFromServerContext(ctx)
			if !ok {
				return nil, fmt.Errorf("RequestFromServerContext in middleware: not found")
			}
			if tr, ok := transport.FromServerContext(r.Context()); !ok || tr.Operation() != "/pkg.Svc/M" {
				return nil, fmt.Errorf("middleware request context: transport %v, %v", tr, ok)
			}
			fromMiddleware = r
			return next(ctx, req)
		}
	}
	type filterKey struct{}
	var fromFilter *http.Request
	filter := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := transport.FromServerContext(r.Context()); !ok {
				http.Error(w, "filter: no transport", 500)
				return
			}
			fromFilter = r.WithContext(context.WithValue(r.Context(), filterKey{}, "f"))
			next.ServeHTTP(w, fromFilter)
		})
	}
	handler := func(ctx khttp.Context) error {
		khttp.SetOperation(ctx, "/pkg.Svc/M")
		h := ctx.Middleware(func(context.Context, any) (any, error) { return nil, nil })
		if _, err := h(ctx, nil); err != nil {
			return err
		}
		r := ctx.Request()
		tr, _ := transport.FromServerContext(ctx)
		rtr, ok := transport.FromServerContext(r.Context())
		dl, hasDeadline := r.Context().Deadline()
		fromCtx, _ := khttp.RequestFromServerContext(ctx)
		return ctx.String(200, strings.TrimSpace(fmt.Sprintln(
			ok && rtr == tr,
			hasDeadline && time.Until(dl) > 50*time.Second,
			r == ctx.Request(),
			ctx.Value(filterKey{}) == r.Context().Value(filterKey{}),
			r.Method, r.URL.Path, r.Header.Get("X-In"),
			// Behind filters, the server context keeps the request the
			// filters got; the Context has the one they passed on.
			r == fromMiddleware, r == tr.(khttp.Transporter).Request(), r == fromCtx,
			fromFilter == nil || r == fromFilter)))
	}
	srv := khttp.NewServer(khttp.Timeout(time.Minute), khttp.Middleware(mw))
	srv.Route("/").GET("/plain/{id}", handler)
	srv.Route("/", filter).GET("/filtered/{id}", handler)

	for _, path := range []string{"/plain/1", "/filtered/1"} {
		fromMiddleware, fromFilter = nil, nil
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("X-In", "i")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		want := "true true true true GET " + path + " i true true true true"
		if path == "/filtered/1" {
			want = "true true true true GET " + path + " i false false false true"
		}
		if rec.Code != 200 || rec.Body.String() != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, rec.Code, rec.Body, want)
		}
	}
}

// TestContextRequestConcurrent asks for the request of a Context from
// several goroutines at once (run it with -race): all get the same one.
func TestContextRequestConcurrent(t *testing.T) {
	srv := khttp.NewServer()
	srv.Route("/").GET("/c", func(ctx khttp.Context) error {
		const n = 8
		got := make([]*http.Request, 2*n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				got[i] = ctx.Request()
			}()
			go func() {
				defer wg.Done()
				got[n+i], _ = khttp.RequestFromServerContext(ctx)
			}()
		}
		wg.Wait()
		for _, r := range got {
			if r == nil || r != got[0] {
				return fmt.Errorf("requests differ: %p and %p", r, got[0])
			}
		}
		if r := ctx.Request(); r != got[0] {
			return fmt.Errorf("Request() after the goroutines = %p, want %p", r, got[0])
		}
		return ctx.String(200, "same")
	})
	if rec := serve(srv, "GET", "/c", "", ""); rec.Code != 200 || rec.Body.String() != "same" {
		t.Errorf("response = %d %q, want 200 same", rec.Code, rec.Body)
	}
}

// TestCustomCodecsSeeTransport runs each user-supplied decoder and encoder
// and checks that the request it gets carries the server Transport, and is
// the request of the call.
func TestCustomCodecsSeeTransport(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	check := func(name string, r *http.Request) {
		tr, ok := transport.FromServerContext(r.Context())
		same := false
		if ok {
			same = tr.(khttp.Transporter).Request() == r
		}
		_, hasDeadline := r.Context().Deadline()
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s:%v,%v,%v", name, ok, same, hasDeadline))
		mu.Unlock()
	}
	srv := khttp.NewServer(
		khttp.RequestVarsDecoder(func(r *http.Request, v any) error {
			check("vars", r)
			return khttp.DefaultRequestVars(r, v)
		}),
		khttp.RequestQueryDecoder(func(r *http.Request, v any) error {
			check("query", r)
			return khttp.DefaultRequestQuery(r, v)
		}),
		khttp.RequestDecoder(func(r *http.Request, v any) error {
			check("body", r)
			return khttp.DefaultRequestDecoder(r, v)
		}),
		khttp.ResponseEncoder(func(w http.ResponseWriter, r *http.Request, v any) error {
			check("reply", r)
			return khttp.DefaultResponseEncoder(w, r, v)
		}),
		khttp.ErrorEncoder(func(w http.ResponseWriter, r *http.Request, err error) {
			check("error", r)
			khttp.DefaultErrorEncoder(w, r, err)
		}),
	)
	srv.Route("/").POST("/h/{name}", func(ctx khttp.Context) error {
		var in testpb.HelloRequest
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		if in.Name == "err" {
			return errors.Conflict("C", "c")
		}
		return ctx.Result(200, &testpb.HelloReply{Message: fmt.Sprintf("%s %d", in.Name, in.Count)})
	})

	rec := serve(srv, "POST", "/h/ann?count=2", "application/json", `{"name":"x"}`)
	if rec.Code != 200 || compact(rec.Body.String()) != `{"message":"ann 2"}` {
		t.Errorf("response = %d %q, want 200 ann 2", rec.Code, rec.Body)
	}
	rec = serve(srv, "POST", "/h/err", "application/json", `{}`)
	if rec.Code != 409 {
		t.Errorf("error response = %d %q, want 409", rec.Code, rec.Body)
	}
	want := []string{
		"body:true,true,true", "query:true,true,true", "vars:true,true,true", "reply:true,true,true",
		"body:true,true,true", "query:true,true,true", "vars:true,true,true", "error:true,true,true",
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("codecs saw %q, want %q", seen, want)
	}
}

// TestBodyLimitThroughRequest reads the body past the limit through the
// request of the Context and of the server context: both are limited.
func TestBodyLimitThroughRequest(t *testing.T) {
	read := func(r *http.Request) string {
		_, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		if stderrors.As(err, &tooLarge) {
			return fmt.Sprint("limited at ", tooLarge.Limit)
		}
		return fmt.Sprint("read: ", err)
	}
	srv := khttp.NewServer(khttp.WithMaxRequestBodySize(8))
	r := srv.Route("/")
	r.POST("/context", func(ctx khttp.Context) error {
		return ctx.String(200, read(ctx.Request()))
	})
	r.POST("/server-context", func(ctx khttp.Context) error {
		req, _ := khttp.RequestFromServerContext(ctx)
		return ctx.String(200, read(req))
	})
	r.POST("/filtered", func(ctx khttp.Context) error {
		return ctx.String(200, read(ctx.Request()))
	}, func(next http.Handler) http.Handler { return next })

	for _, path := range []string{"/context", "/server-context", "/filtered"} {
		req := httptest.NewRequest("POST", path, strings.NewReader(strings.Repeat("a", 20)))
		req.ContentLength = -1 // unknown, so that the limit applies while reading
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Body.String() != "limited at 8" {
			t.Errorf("POST %s = %q, want limited at 8", path, rec.Body)
		}
	}
}

// TestDefaultCodecOptions passes the default codec functions explicitly,
// and nil, which stands for them.
func TestDefaultCodecOptions(t *testing.T) {
	for name, opts := range map[string][]khttp.ServerOption{
		"explicit": {
			khttp.RequestVarsDecoder(khttp.DefaultRequestVars), khttp.RequestQueryDecoder(khttp.DefaultRequestQuery),
			khttp.RequestDecoder(khttp.DefaultRequestDecoder), khttp.ResponseEncoder(khttp.DefaultResponseEncoder),
			khttp.ErrorEncoder(khttp.DefaultErrorEncoder),
		},
		"nil": {
			khttp.RequestVarsDecoder(nil), khttp.RequestQueryDecoder(nil), khttp.RequestDecoder(nil),
			khttp.ResponseEncoder(nil), khttp.ErrorEncoder(nil),
		},
	} {
		srv := newGreeterServer(opts...)
		rec := serve(srv, "POST", "/helloworld/ann?count=2", "application/json", `{"name":"x"}`)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "ann") {
			t.Errorf("%s: POST = %d %q, want 200 with ann", name, rec.Code, rec.Body)
		}
		rec = serve(srv, "GET", "/missing", "", "")
		if e := decodeError(t, rec); rec.Code != 404 || e.Reason != "NOT_FOUND" {
			t.Errorf("%s: GET /missing = %d %+v, want 404 NOT_FOUND", name, rec.Code, e)
		}
	}
}
