package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// FuzzServeHTTP registers a route from a fuzzed template and serves a
// fuzzed path, method and body through it: registration may reject the
// template (with a panic, at setup time), but serving must never panic and
// must answer with a status net/http can write.
func FuzzServeHTTP(f *testing.F) {
	f.Add("/v1/{name:shelves/.*}/books/{id}", "GET", "/v1/shelves/1/books/2?x=%zz", "application/json", `{"name":1}`)
	f.Add("/a/{b=c/*/d/**}", "POST", "/a/c/x/d/y/z/", "application/x-www-form-urlencoded", "name=%ff")
	f.Add("/{x:[0-9]{2,3}}", "PATCH", "/%2F%2e%2e/12", "", "")
	f.Add("/helloworld/{name}", "BREW", "//helloworld/../x", "application/xml", "<a>")
	f.Fuzz(func(t *testing.T, template, method, path, contentType, body string) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				panic(fmt.Sprintf("hang: %q %q %q", template, method, path))
			}
		}()
		srv := khttp.NewServer(khttp.WithMaxRequestBodySize(1 << 10))
		func() {
			defer func() { _ = recover() }()
			srv.Route("/").Handle("GET", template, func(ctx khttp.Context) error {
				var in testpb.HelloRequest
				if err := ctx.BindQuery(&in); err != nil {
					return err
				}
				if err := ctx.BindVars(&in); err != nil {
					return err
				}
				return ctx.Result(200, &in)
			})
			srv.Route("/").Handle("POST", template, func(ctx khttp.Context) error {
				var in testpb.CreateBookRequest
				if err := ctx.Bind(&in.Book); err != nil {
					return err
				}
				if err := ctx.BindVars(&in); err != nil {
					return err
				}
				return ctx.Result(200, &in)
			})
		}()
		u, err := url.ParseRequestURI(path)
		if err != nil || !validMethod(method) {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Method = method
		req.URL = u
		req.RequestURI = path
		if body != "" {
			req = httptest.NewRequest(http.MethodPost, "/", stringsReader(body))
			req.Method, req.URL, req.RequestURI = method, u, path
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '@' || c == ',' ||
			c == ';' || c == ':' || c == '\\' || c == '"' || c == '/' || c == '[' || c == ']' || c == '?' ||
			c == '=' || c == '{' || c == '}' {
			return false
		}
	}
	return true
}
