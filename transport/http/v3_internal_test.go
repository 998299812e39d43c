package http

import (
	stderrors "errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRedirectAsError checks Kratos v3's way of redirecting: a handler
// returns the redirect as its error, wrapped or not.
func TestRedirectAsError(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
	}{
		{"as it is", NewRedirect("/there", http.StatusFound).(error)},
		{"wrapped", fmt.Errorf("moved: %w", NewRedirect("/there", http.StatusSeeOther).(error))},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := NewServer()
			srv.Route("/").GET("/here", func(Context) error { return c.err })
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/here", nil))
			var rd Redirector
			_ = stderrors.As(c.err, &rd)
			_, want := rd.Redirect()
			if got := rec.Code; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
			if got := rec.Header().Get("Location"); got != "/there" {
				t.Errorf("Location = %q, want /there", got)
			}
		})
	}
}

// TestHandleAnyMethod checks Kratos v3's Handle("*", ...): every method,
// with a route of the request's own method winning.
func TestHandleAnyMethod(t *testing.T) {
	srv := NewServer()
	r := srv.Route("/")
	r.Handle("*", "/any", func(ctx Context) error { return ctx.String(200, "any "+ctx.Request().Method) })
	r.GET("/any", func(ctx Context) error { return ctx.String(200, "get") })
	for _, c := range []struct{ method, want string }{
		{http.MethodGet, "get"},
		{http.MethodPost, "any POST"},
		{http.MethodDelete, "any DELETE"},
		{"PURGE", "any PURGE"},
	} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(c.method, "/any", nil))
		if got := rec.Body.String(); rec.Code != 200 || got != c.want {
			t.Errorf("%s /any = %d %q, want 200 %q", c.method, rec.Code, got, c.want)
		}
	}
}
