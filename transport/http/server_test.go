package http_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

type errorBody struct {
	Code     int               `json:"code"`
	Reason   string            `json:"reason"`
	Message  string            `json:"message"`
	Metadata map[string]string `json:"metadata"`
}

func serve(h http.Handler, method, target, contentType, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	return e
}

func newGreeterServer(opts ...khttp.ServerOption) *khttp.Server {
	srv := khttp.NewServer(opts...)
	testpb.RegisterGreeterHTTPServer(srv, &greeter{})
	return srv
}

// TestServerErrors covers the answers the server gives by itself: unknown
// routes, wrong methods, malformed paths and bodies.
func TestServerErrors(t *testing.T) {
	srv := newGreeterServer(khttp.WithMaxRequestBodySize(64))
	tests := []struct {
		name, method, target, contentType, body string
		wantCode                                int
		wantReason                              string
		wantAllow                               string
	}{
		{"unknown path", "GET", "/nope", "", "", 404, "NOT_FOUND", ""},
		{"root", "GET", "/", "", "", 404, "NOT_FOUND", ""},
		{"wrong method", "DELETE", "/helloworld/x", "", "", 405, "METHOD_NOT_ALLOWED", "GET, POST"},
		{"unknown method", "BREW", "/helloworld/x", "", "", 405, "METHOD_NOT_ALLOWED", "GET, POST"},
		{"overlong path", "GET", "/helloworld/" + strings.Repeat("a", 9000), "", "", 400, "BAD_REQUEST", ""},
		{"bad json", "POST", "/helloworld/x", "application/json", "{", 400, "CODEC", ""},
		{"wrong type", "POST", "/helloworld/x", "application/json", `{"count":"many"}`, 400, "CODEC", ""},
		{"unknown content type", "POST", "/helloworld/x", "application/unknown", `{}`, 400, "CODEC", ""},
		{"missing content type", "POST", "/helloworld/x", "", `{}`, 400, "CODEC", ""},
		{"xml body", "POST", "/helloworld/x", "application/xml", `{"name":1}`, 400, "CODEC", ""},
		{"body too large", "POST", "/helloworld/x", "application/json", `{"name":"` + strings.Repeat("a", 100) + `"}`, 413, "BODY_TOO_LARGE", ""},
		{"bad query", "GET", "/helloworld/x?count=abc", "", "", 400, "CODEC", ""},
		{"bad query escape", "GET", "/helloworld/x?count=%zz", "", "", 400, "CODEC", ""},
		{"invalid utf-8 path var", "GET", "/helloworld/%ff", "", "", 400, "CODEC", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(srv, tt.method, tt.target, tt.contentType, tt.body)
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantCode, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			e := decodeError(t, rec)
			if e.Code != tt.wantCode || e.Reason != tt.wantReason {
				t.Errorf("error = %d %q, want %d %q", e.Code, e.Reason, tt.wantCode, tt.wantReason)
			}
			if got := rec.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

func TestBodyTooLargeStreamed(t *testing.T) {
	srv := newGreeterServer(khttp.WithMaxRequestBodySize(64))
	req := httptest.NewRequest("POST", "/helloworld/x", io.MultiReader(strings.NewReader(`{"name":"`), strings.NewReader(strings.Repeat("a", 100)+`"}`)))
	req.ContentLength = -1 // unknown, as for a chunked body
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Fatalf("status = %d, want 413; body %s", rec.Code, rec.Body)
	}
	if e := decodeError(t, rec); e.Reason != "BODY_TOO_LARGE" {
		t.Errorf("reason = %q, want BODY_TOO_LARGE", e.Reason)
	}
}

func TestStrictSlash(t *testing.T) {
	tests := []struct {
		name     string
		strict   bool
		method   string
		target   string
		wantCode int
		wantLoc  string
	}{
		{"redirect get", true, "GET", "/helloworld/x/?a=1", 301, "/helloworld/x?a=1"},
		{"redirect post", true, "POST", "/helloworld/x/", 308, "/helloworld/x"},
		{"off", false, "GET", "/helloworld/x/", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newGreeterServer(khttp.StrictSlash(tt.strict))
			rec := serve(srv, tt.method, tt.target, "", "")
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantCode)
			}
			if got := rec.Header().Get("Location"); got != tt.wantLoc {
				t.Errorf("Location = %q, want %q", got, tt.wantLoc)
			}
		})
	}
}

func TestCustomNotFoundAndMethodNotAllowed(t *testing.T) {
	srv := newGreeterServer(
		khttp.NotFoundHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(499) })),
		khttp.MethodNotAllowedHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(498) })),
	)
	if rec := serve(srv, "GET", "/nope", "", ""); rec.Code != 499 {
		t.Errorf("not found status = %d, want 499", rec.Code)
	}
	rec := serve(srv, "PUT", "/helloworld/x", "", "")
	if rec.Code != 498 || rec.Header().Get("Allow") != "GET, POST" {
		t.Errorf("method not allowed = %d Allow %q, want 498 Allow GET, POST", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestContentNegotiation(t *testing.T) {
	srv := newGreeterServer()
	tests := []struct {
		name, accept, wantType, wantBody string
	}{
		{"default json", "", "application/json", `{"message":"hello ann count=0 tags=[] inner= token="}`},
		{"json", "application/json", "application/json", `{"message":"hello ann count=0 tags=[] inner= token="}`},
		{"browser list", "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", "application/xml", "<HelloReply>"},
		{"unknown falls back", "text/html", "application/json", `{"message"`},
		{"suffix", "application/problem+json", "application/json", `{"message"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/helloworld/ann", nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if !strings.HasPrefix(compact(rec.Body.String()), tt.wantBody) {
				t.Errorf("body = %q, want prefix %q", rec.Body, tt.wantBody)
			}
		})
	}
}

func TestFormBody(t *testing.T) {
	srv := newGreeterServer()
	rec := serve(srv, "POST", "/helloworld/x", "application/x-www-form-urlencoded", "name=ignored&count=5")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "created x count=5") {
		t.Errorf("form body: %d %s, want 200 created x count=5", rec.Code, rec.Body)
	}
}

// TestFilterOrder checks the pipeline: server filters, then the route
// match and transport, then group filters, path filters and the handler.
func TestFilterOrder(t *testing.T) {
	var trace []string
	filter := func(name string) khttp.FilterFunc {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, hasTr := transport.FromServerContext(r.Context())
				trace = append(trace, fmt.Sprintf("%s transport=%v", name, hasTr))
				next.ServeHTTP(w, r)
			})
		}
	}
	srv := khttp.NewServer(khttp.Filter(filter("server-1"), filter("server-2")))
	g := srv.Route("/api", filter("route"))
	v1 := g.Group("/v1", filter("group"))
	v1.GET("/items/{id}", func(ctx khttp.Context) error {
		trace = append(trace, "handler "+ctx.Vars().Get("id"))
		return ctx.String(200, "ok")
	}, filter("path"))

	rec := serve(srv, "GET", "/api/v1/items/7", "", "")
	if rec.Code != 200 || rec.Body.String() != "ok" {
		t.Fatalf("response = %d %q", rec.Code, rec.Body)
	}
	want := []string{"server-1 transport=false", "server-2 transport=false", "route transport=true", "group transport=true", "path transport=true", "handler 7"}
	if fmt.Sprint(trace) != fmt.Sprint(want) {
		t.Errorf("trace = %q, want %q", trace, want)
	}

	trace = nil
	rec = serve(srv, "GET", "/missing", "", "")
	if rec.Code != 404 || fmt.Sprint(trace) != fmt.Sprint(want[:2]) {
		t.Errorf("404 trace = %q (%d), want %q", trace, rec.Code, want[:2])
	}
}

func TestServerTransport(t *testing.T) {
	srv := khttp.NewServer(khttp.Endpoint(mustURL("http://example.test:1")), khttp.Timeout(time.Minute))
	var got []string
	srv.Route("/").GET("/t/{id:[0-9]+}", func(ctx khttp.Context) error {
		tr, ok := transport.FromServerContext(ctx)
		if !ok {
			return fmt.Errorf("no transport")
		}
		ht := tr.(khttp.ResponseTransporter)
		req, _ := khttp.RequestFromServerContext(ctx)
		w, _ := khttp.ResponseWriterFromServerContext(ctx)
		dl, hasDeadline := ctx.Deadline()
		got = append(got, tr.Kind().String(), tr.Endpoint(), tr.Operation(), ht.PathTemplate(),
			tr.RequestHeader().Get("X-In"), fmt.Sprint(req == ht.Request(), w == ht.Response(), hasDeadline, time.Until(dl) > 50*time.Second))
		khttp.SetOperation(ctx, "/pkg.Svc/M")
		got = append(got, tr.Operation())
		khttp.SetCookie(ctx, &http.Cookie{Name: "c", Value: "v"})
		tr.ReplyHeader().Set("X-Out", "o")
		return ctx.Result(201, map[string]string{"id": ctx.Vars().Get("id")})
	})
	req := httptest.NewRequest("GET", "/t/42", nil)
	req.Header.Set("X-In", "i")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 201 || compact(rec.Body.String()) != `{"id":"42"}` {
		t.Fatalf("response = %d %q", rec.Code, rec.Body)
	}
	want := []string{"http", "http://example.test:1", "/t/{id:[0-9]+}", "/t/{id:[0-9]+}", "i", "true true true true", "/pkg.Svc/M"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("transport = %q, want %q", got, want)
	}
	if rec.Header().Get("X-Out") != "o" || !strings.Contains(rec.Header().Get("Set-Cookie"), "c=v") {
		t.Errorf("headers = %v, want X-Out and Set-Cookie", rec.Header())
	}
	if _, ok := khttp.RequestFromServerContext(context.Background()); ok {
		t.Errorf("RequestFromServerContext(background) ok = true")
	}
	khttp.SetOperation(context.Background(), "x") // no transport: no panic
	khttp.SetCookie(context.Background(), &http.Cookie{Name: "x"})
}

func mustURL(s string) *urlURL {
	u, err := parseURL(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestContextMethods covers the writers and readers of Context.
func TestContextMethods(t *testing.T) {
	srv := khttp.NewServer()
	r := srv.Route("/c")
	r.POST("/bind", func(ctx khttp.Context) error {
		var in testpb.HelloRequest
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		again, err := io.ReadAll(ctx.Request().Body)
		if err != nil {
			return err
		}
		return ctx.String(200, in.Name+" "+string(again)+" "+ctx.Header().Get("Content-Type"))
	})
	r.POST("/form", func(ctx khttp.Context) error {
		var in testpb.HelloRequest
		if err := ctx.BindForm(&in); err != nil {
			return err
		}
		return ctx.String(200, fmt.Sprintf("%s %d %s %s", in.Name, in.Count, ctx.Form().Get("name"), ctx.Query().Get("count")))
	})
	r.GET("/json", func(ctx khttp.Context) error { return ctx.JSON(202, map[string]int{"a": 1}) })
	r.GET("/xml", func(ctx khttp.Context) error {
		return ctx.XML(200, struct {
			XMLName struct{} `xml:"v"`
			A       int      `xml:"a"`
		}{A: 1})
	})
	r.GET("/blob", func(ctx khttp.Context) error { return ctx.Blob(200, "image/png", []byte{1, 2}) })
	r.GET("/stream", func(ctx khttp.Context) error { return ctx.Stream(200, "text/csv", strings.NewReader("a,b")) })
	r.GET("/returns", func(ctx khttp.Context) error { return ctx.Returns(&testpb.HelloReply{Message: "m"}, nil) })
	r.GET("/returns-err", func(ctx khttp.Context) error { return ctx.Returns(nil, errors.Conflict("C", "c")) })
	r.GET("/nocontent", func(ctx khttp.Context) error { return ctx.Result(204, nil) })
	r.GET("/redirect", func(ctx khttp.Context) error { return ctx.Result(200, khttp.NewRedirect("/there", 302)) })
	r.GET("/late-error", func(ctx khttp.Context) error {
		_ = ctx.String(200, "partial")
		return fmt.Errorf("too late")
	})
	r.GET("/bad-code", func(ctx khttp.Context) error { return errors.New(1000, "R", "m") })
	r.GET("/reset", func(ctx khttp.Context) error {
		c2 := ctx
		c2.Reset(ctx.Response(), ctx.Request())
		return c2.String(200, "reset")
	})

	tests := []struct {
		method, target, contentType, body string
		wantCode                          int
		wantType                          string
		wantBody                          string
	}{
		{"POST", "/c/bind", "application/json", `{"name":"ann"}`, 200, "text/plain", `ann {"name":"ann"} application/json`},
		{"POST", "/c/form?count=3", "application/x-www-form-urlencoded", "name=bob", 200, "text/plain", "bob 3 bob 3"},
		{"GET", "/c/json", "", "", 202, "application/json", `{"a":1}`},
		{"GET", "/c/xml", "", "", 200, "application/xml", `<v><a>1</a></v>`},
		{"GET", "/c/blob", "", "", 200, "image/png", "\x01\x02"},
		{"GET", "/c/stream", "", "", 200, "text/csv", "a,b"},
		{"GET", "/c/returns", "", "", 200, "application/json", `{"message":"m"}`},
		{"GET", "/c/returns-err", "", "", 409, "application/json", `{"code":409,"reason":"C","message":"c","metadata":{}}`},
		{"GET", "/c/nocontent", "", "", 204, "", ""},
		{"GET", "/c/redirect", "", "", 302, "text/html; charset=utf-8", `<a href="/there">Found</a>.` + "\n\n"},
		{"GET", "/c/late-error", "", "", 200, "text/plain", "partial"},
		{"GET", "/c/bad-code", "", "", 500, "application/json", `{"code":1000,"reason":"R","message":"m","metadata":{}}`},
		{"GET", "/c/reset", "", "", 200, "text/plain", "reset"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := serve(srv, tt.method, tt.target, tt.contentType, tt.body)
			if rec.Code != tt.wantCode {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantCode)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := compact(rec.Body.String()); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
		})
	}
}

func TestHandleAndWalk(t *testing.T) {
	srv := khttp.NewServer(khttp.PathPrefix("/api/"))
	srv.Route("/").GET("/a/{x}", func(ctx khttp.Context) error { return ctx.String(200, "a") })
	srv.Route("/g").POST("/b", func(ctx khttp.Context) error { return ctx.String(200, "b") })
	srv.Handle("/h", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr, _ := transport.FromServerContext(r.Context())
		fmt.Fprint(w, "h ", tr.Operation())
	}))
	srv.HandleFunc("/f/{y}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "f") })
	srv.HandlePrefix("/static/", http.StripPrefix("/api/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "static ", r.URL.Path)
	})))
	srv.HandleHeader("X-Special", "yes", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "header") })

	tests := []struct{ method, target, header, want string }{
		{"GET", "/api/a/1", "", "a"},
		{"POST", "/api/g/b", "", "b"},
		{"DELETE", "/api/h", "", "h /api/h"},
		{"GET", "/api/f/2", "", "f"},
		{"GET", "/api/static/css/x.css", "", "static css/x.css"},
		{"GET", "/anything", "yes", "header"},
		{"GET", "/a/1", "", `{"code":404,"reason":"NOT_FOUND","message":"route not found","metadata":{}}`},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.target, nil)
		if tt.header != "" {
			req.Header.Set("X-Special", tt.header)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if got := compact(rec.Body.String()); got != tt.want {
			t.Errorf("%s %s: body = %q, want %q", tt.method, tt.target, got, tt.want)
		}
	}

	var routes []string
	if err := srv.WalkRoute(func(r khttp.RouteInfo) error {
		routes = append(routes, r.Method+" "+r.Path)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := "[GET /api/a/{x} POST /api/g/b]"; fmt.Sprint(routes) != want {
		t.Errorf("WalkRoute = %v, want %s", routes, want)
	}
	stop := fmt.Errorf("stop")
	if err := srv.WalkRoute(func(khttp.RouteInfo) error { return stop }); err != stop {
		t.Errorf("WalkRoute error = %v, want %v", err, stop)
	}
	var handles []string
	if err := srv.WalkHandle(func(method, path string, h http.HandlerFunc) {
		handles = append(handles, method+" "+path)
		if h == nil {
			t.Errorf("WalkHandle(%s %s) handler is nil", method, path)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(handles) != fmt.Sprint(routes) {
		t.Errorf("WalkHandle = %v, want %v", handles, routes)
	}
}

func TestInvalidTemplatePanics(t *testing.T) {
	srv := khttp.NewServer()
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("GET with template {x: did not panic")
		}
	}()
	srv.Route("/").GET("/{x", func(khttp.Context) error { return nil })
}

func TestTimeout(t *testing.T) {
	srv := khttp.NewServer(khttp.Timeout(10 * time.Millisecond))
	srv.Route("/").GET("/slow", func(ctx khttp.Context) error {
		<-ctx.Done()
		return errors.FromError(ctx.Err())
	})
	rec := serve(srv, "GET", "/slow", "", "")
	if rec.Code != 500 {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	if e := decodeError(t, rec); !strings.Contains(e.Message, "deadline exceeded") {
		t.Errorf("message = %q, want deadline exceeded", e.Message)
	}

	none := khttp.NewServer(khttp.Timeout(0))
	none.Route("/").GET("/d", func(ctx khttp.Context) error {
		_, ok := ctx.Deadline()
		return ctx.String(200, fmt.Sprint(ok))
	})
	if rec := serve(none, "GET", "/d", "", ""); rec.Body.String() != "false" {
		t.Errorf("Timeout(0): has deadline = %s, want false", rec.Body)
	}
}

func TestEndpoint(t *testing.T) {
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"))
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "http" || !strings.HasPrefix(u.Host, "127.0.0.1:") || strings.HasSuffix(u.Host, ":0") {
		t.Errorf("Endpoint() = %v, want http://127.0.0.1:<port>", u)
	}
	// Stop before Start closes the listener Endpoint opened.
	if err := srv.Stop(context.Background()); err != nil {
		t.Errorf("Stop() error = %v", err)
	}
	if c, err := net.Dial("tcp", u.Host); err == nil {
		c.Close()
		t.Errorf("listener still accepting after Stop")
	}

	any := khttp.NewServer(khttp.Address(":0"))
	u, err = any.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	if h, p, _ := net.SplitHostPort(u.Host); h == "" || h == "0.0.0.0" || h == "::" || p == "0" {
		t.Errorf("Endpoint() for :0 = %v, want a reachable host and the port", u)
	}
	_ = any.Stop(context.Background())

	tlsSrv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.TLSConfig(&tls.Config{}))
	u, err = tlsSrv.Endpoint()
	if err != nil || u.Scheme != "https" {
		t.Errorf("Endpoint() with TLS = %v, %v, want https", u, err)
	}
	_ = tlsSrv.Stop(context.Background())

	bad := khttp.NewServer(khttp.Address("256.0.0.1:bad"))
	if _, err := bad.Endpoint(); err == nil {
		t.Errorf("Endpoint() with a bad address: error = nil")
	}
	if err := bad.Start(context.Background()); err == nil {
		t.Errorf("Start() with a bad address: error = nil")
	}
}

// TestGracefulStop checks that Stop waits for in-flight requests, and
// forces connections closed when its context expires.
func TestGracefulStop(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprint("force=", force), func(t *testing.T) {
			entered := make(chan struct{})
			release := make(chan struct{})
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := khttp.NewServer(khttp.Listener(lis), khttp.Timeout(0))
			srv.Route("/").GET("/wait", func(ctx khttp.Context) error {
				close(entered)
				select {
				case <-release:
				case <-ctx.Done():
				}
				return ctx.String(200, "done")
			})
			started := make(chan error, 1)
			go func() { started <- srv.Start(context.Background()) }()

			got := make(chan string, 1)
			go func() {
				res, err := http.Get("http://" + lis.Addr().String() + "/wait")
				if err != nil {
					got <- "error"
					return
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				got <- string(b)
			}()
			<-entered

			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan error, 1)
			go func() { stopped <- srv.Stop(ctx) }()
			if force {
				cancel()
				if err := <-stopped; err != nil {
					t.Errorf("forced Stop() error = %v", err)
				}
				if r := <-got; r != "error" {
					t.Errorf("forced stop: client got %q, want a connection error", r)
				}
				close(release)
			} else {
				select {
				case <-stopped:
					t.Fatal("Stop returned while a request was in flight")
				case <-time.After(20 * time.Millisecond):
				}
				close(release)
				if err := <-stopped; err != nil {
					t.Errorf("Stop() error = %v", err)
				}
				if r := <-got; r != "done" {
					t.Errorf("client got %q, want done", r)
				}
				cancel()
			}
			if err := <-started; err != nil {
				t.Errorf("Start() error = %v", err)
			}
		})
	}
}

// TestSlowAndHugeHeaders checks the header guards: a client that never
// finishes its header is dropped after ReadHeaderTimeout, and an oversized
// header gets 431.
func TestSlowAndHugeHeaders(t *testing.T) {
	srv := newGreeterServer()
	srv.ReadHeaderTimeout = 50 * time.Millisecond
	srv.MaxHeaderBytes = 4 << 10
	host := runServer(t, srv)

	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /helloworld/x HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn)
	if err != nil {
		t.Errorf("slow client: read error = %v, want the server to close the connection", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("slow client dropped after %v, want about ReadHeaderTimeout", d)
	}

	req, _ := http.NewRequest("GET", "http://"+host+"/helloworld/x", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		if !localTestError(err) {
			t.Fatalf("huge header: %v", err)
		}
		return
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("huge header: status = %d, want 431", res.StatusCode)
	}
}

// TestConcurrentRequests runs requests in parallel under the race detector.
func TestConcurrentRequests(t *testing.T) {
	_, host := startGenerated(t)
	client := testpb.NewGreeterHTTPClient(newClient(t, host))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("n", i)
			reply, err := client.SayHello(context.Background(), &testpb.HelloRequest{Name: name})
			if err != nil {
				t.Errorf("SayHello(%s) error = %v", name, err)
				return
			}
			if want := "hello " + name + " count=0 tags=[] inner= token="; reply.Message != want {
				t.Errorf("SayHello(%s) = %q, want %q", name, reply.Message, want)
			}
		}()
	}
	wg.Wait()
}

func TestRawRequestsOverNetwork(t *testing.T) {
	_, host := startGenerated(t)
	tests := []struct {
		name, raw string
		wantCode  int
	}{
		{"dot segments", "GET /helloworld/../helloworld/x HTTP/1.1\r\nHost: x\r\n\r\n", 301},
		{"double slash", "POST //helloworld/x HTTP/1.1\r\nHost: x\r\n\r\n", 308},
		{"bad escape", "GET /helloworld/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"unknown method", "BREW /helloworld/x HTTP/1.1\r\nHost: x\r\n\r\n", 405},
		{"body mismatch", "POST /helloworld/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n<a/>!", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.raw); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			res, err := http.ReadResponse(bufioReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			res.Body.Close()
			if res.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.wantCode)
			}
		})
	}
}

func TestCleanPathRedirect(t *testing.T) {
	srv := newGreeterServer()
	tests := []struct{ target, wantLoc string }{
		{"/helloworld/../helloworld/x?a=1", "/helloworld/x?a=1"},
		{"/helloworld//x", "/helloworld/x"},
		{"/helloworld/./x/", "/helloworld/x/"},
		{"/a%2F..%2Fb/..", "/"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/", nil)
		u, err := parseURL(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		req.URL = u
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 301 || rec.Header().Get("Location") != tt.wantLoc {
			t.Errorf("GET %s = %d Location %q, want 301 %q", tt.target, rec.Code, rec.Header().Get("Location"), tt.wantLoc)
		}
	}
}

func TestBindVarsKinds(t *testing.T) {
	srv := khttp.NewServer()
	r := srv.Route("/")
	h := func(ctx khttp.Context) error {
		var in testpb.HelloRequest
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		return ctx.String(200, fmt.Sprintf("%s|%d|%s|%s", in.Name, in.Count, in.PageToken, in.GetInner().GetValue()))
	}
	r.GET("/proto/{page_token}", h)
	r.GET("/json/{pageToken}/{name}", h)
	r.GET("/int/{count}", h)
	r.GET("/nested/{inner.value}", h)
	r.GET("/unknown/{nope}", h)
	tests := []struct {
		target   string
		wantCode int
		want     string
	}{
		{"/proto/t1", 200, "|0|t1|"},
		{"/json/t2/n%20x", 200, "n x|0|t2|"},
		{"/int/42", 200, "|42||"},
		{"/int/x", 400, ""},
		{"/nested/v", 200, "|0||v"},
		{"/unknown/z", 200, "|0||"},
	}
	for _, tt := range tests {
		rec := serve(srv, "GET", tt.target, "", "")
		if rec.Code != tt.wantCode {
			t.Errorf("GET %s: status = %d, want %d", tt.target, rec.Code, tt.wantCode)
			continue
		}
		if tt.wantCode == 200 && rec.Body.String() != tt.want {
			t.Errorf("GET %s: body = %q, want %q", tt.target, rec.Body, tt.want)
		}
	}
}
