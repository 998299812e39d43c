package pprof

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target, body string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	h.ServeHTTP(rec, httptest.NewRequest(method, target, rd))
	return rec.Result()
}

func TestHandler(t *testing.T) {
	h := NewHandler()
	tests := []struct {
		method, target, body string
		code                 int
		contentType          string
		contains             string
	}{
		{"GET", "/debug/pprof/", "", 200, "text/html; charset=utf-8", "goroutine"},
		{"GET", "/debug/pprof", "", 200, "text/html; charset=utf-8", "heap"},
		{"GET", "/debug/pprof/goroutine?debug=1", "", 200, "text/plain; charset=utf-8", "goroutine profile:"},
		{"GET", "/debug/pprof/heap?gc=1", "", 200, "application/octet-stream", ""},
		{"GET", "/debug/pprof/cmdline", "", 200, "text/plain; charset=utf-8", ""},
		{"GET", "/debug/pprof/symbol", "", 200, "text/plain; charset=utf-8", "num_symbols: 1"},
		{"POST", "/debug/pprof/symbol", "0x1+zz+0x0", 200, "text/plain; charset=utf-8", "num_symbols: 1"},
		{"GET", "/debug/pprof/profile?seconds=0", "", 400, "text/plain; charset=utf-8", "invalid seconds"},
		{"GET", "/debug/pprof/trace?seconds=abc", "", 400, "text/plain; charset=utf-8", "invalid seconds"},
		{"GET", "/debug/pprof/nope", "", 404, "text/plain; charset=utf-8", "unknown profile"},
		{"GET", "/other", "", 404, "text/plain; charset=utf-8", ""},
	}
	for _, tt := range tests {
		res := get(t, h, tt.method, tt.target, tt.body)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tt.code {
			t.Errorf("%s %s: status = %d, want %d", tt.method, tt.target, res.StatusCode, tt.code)
		}
		if got := res.Header.Get("Content-Type"); got != tt.contentType {
			t.Errorf("%s %s: Content-Type = %q, want %q", tt.method, tt.target, got, tt.contentType)
		}
		if !strings.Contains(string(body), tt.contains) {
			t.Errorf("%s %s: body = %.200q, want it to contain %q", tt.method, tt.target, body, tt.contains)
		}
	}
}

func TestCPUProfileCanceled(t *testing.T) {
	h := NewHandler()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/debug/pprof/profile?seconds=60", nil)
	ctx, cancel := context.WithCancel(req.Context())
	cancel()
	h.ServeHTTP(rec, req.WithContext(ctx))
	if rec.Code != 200 {
		t.Errorf("status = %d, want 200", rec.Code)
	}
}
