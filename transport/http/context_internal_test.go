package http

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/transport"
)

type bindTarget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// TestDefaultCodecsKeepRequest pins the fast path of plain routes: with the
// default codecs, a handler that binds the body, the query and the path
// variables, runs the middleware and writes a result does not make the
// copy of the request.
func TestDefaultCodecsKeepRequest(t *testing.T) {
	srv := NewServer()
	srv.Route("/").POST("/k/{name}", func(ctx Context) error {
		var in bindTarget
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		SetOperation(ctx, "/pkg.Svc/M")
		h := ctx.Middleware(func(context.Context, any) (any, error) { return nil, nil })
		if _, err := h(ctx, nil); err != nil {
			return err
		}
		_ = ctx.Header().Get("Content-Type")
		_ = ctx.Query().Get("count")
		_ = ctx.Vars().Get("name")
		if err := ctx.Result(200, map[string]any{"name": in.Name, "count": in.Count}); err != nil {
			return err
		}
		if ctx.(*wrapper).req.Load() != nil {
			return fmt.Errorf("the request was copied")
		}
		return nil
	})
	req := httptest.NewRequest("POST", "/k/ann?count=2", strings.NewReader(`{"name":"x","count":1}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if got, want := strings.TrimSpace(rec.Body.String()), `{"count":2,"name":"ann"}`; rec.Code != 200 || got != want {
		t.Errorf("response = %d %s, want 200 %s", rec.Code, got, want)
	}
}

// TestRequestContextCarriesTransport checks that the request context
// answers for the transport package's key itself, and that the Context and
// its request see the same Transport.
func TestRequestContextCarriesTransport(t *testing.T) {
	srv := NewServer()
	srv.Route("/").GET("/s", func(ctx Context) error {
		tr, ok := transport.FromServerContext(ctx)
		rtr, rok := transport.FromServerContext(ctx.Request().Context())
		return ctx.String(200, fmt.Sprint(ok, rok, tr == rtr, " ", tr.Operation()))
	})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/s", nil))
	if got, want := rec.Body.String(), "true true true /s"; got != want {
		t.Errorf("transport = %q, want %q", got, want)
	}
}
