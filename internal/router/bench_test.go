package router

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchRoutes looks like the HTTP surface of a real service: ten resources
// with the usual CRUD routes, a few custom methods and regex routes.
func benchRoutes() []reg {
	var regs []reg
	for _, res := range []string{"users", "orders", "products", "carts", "invoices", "shipments", "reviews", "coupons", "stores", "payments"} {
		regs = append(regs,
			reg{method: "GET", template: "/v1/" + res, name: res + "-list"},
			reg{method: "POST", template: "/v1/" + res, name: res + "-create"},
			reg{method: "GET", template: "/v1/" + res + "/{id}", name: res + "-get"},
			reg{method: "PUT", template: "/v1/" + res + "/{id}", name: res + "-update"},
			reg{method: "DELETE", template: "/v1/" + res + "/{id}", name: res + "-delete"},
		)
	}
	regs = append(regs,
		reg{method: "GET", template: "/v1/{name:shelves/[^/]+}", name: "shelf"},
		reg{method: "GET", template: "/v1/{name:shelves/[^/]+/books/[^/]+}", name: "book"},
		reg{method: "GET", template: "/v1/{name:messages/.*}/replies", name: "replies"}, // as protoc-gen-go-http writes {name=messages/*}
		reg{method: "GET", template: "/v1/{name=projects/*/locations/*}", name: "location"},
		reg{method: "POST", template: "/v1/users/{id}:activate", name: "activate"},
		reg{method: "GET", template: "/healthz", name: "health"},
		reg{method: "GET", prefix: true, template: "/debug/pprof/", name: "pprof"},
	)
	return regs
}

func benchLookup(b *testing.B, method, target string, wantVars int) {
	r := mustRouter(b, benchRoutes())
	req := httptest.NewRequest(method, target, nil)
	m, status, _, _ := r.Lookup(req)
	if status != http.StatusOK || len(m.Vars) != wantVars {
		b.Fatalf("Lookup(%s %s) = %d, %v, want 200 with %d vars", method, target, status, m.Vars, wantVars)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Lookup(req)
	}
}

func BenchmarkLookup(b *testing.B) {
	b.Run("static", func(b *testing.B) { benchLookup(b, "GET", "/v1/shipments", 0) })
	b.Run("param", func(b *testing.B) { benchLookup(b, "PUT", "/v1/shipments/12345", 1) })
	b.Run("regex", func(b *testing.B) { benchLookup(b, "GET", "/v1/shelves/s1/books/b2", 1) })
	b.Run("regex-dotstar", func(b *testing.B) { benchLookup(b, "GET", "/v1/messages/m1/replies", 1) })
	b.Run("google-pattern", func(b *testing.B) { benchLookup(b, "GET", "/v1/projects/p1/locations/l2", 1) })
	b.Run("escaped-param", func(b *testing.B) { benchLookup(b, "GET", "/v1/orders/a%2Fb%20c", 1) })
	b.Run("custom-method", func(b *testing.B) { benchLookup(b, "POST", "/v1/users/42:activate", 1) })
	b.Run("prefix", func(b *testing.B) { benchLookup(b, "GET", "/debug/pprof/heap", 0) })
	b.Run("not-found", func(b *testing.B) {
		r := mustRouter(b, benchRoutes())
		req := httptest.NewRequest("GET", "/v2/nothing/here", nil)
		b.ReportAllocs()
		for b.Loop() {
			r.Lookup(req)
		}
	})
}

// BenchmarkLookupParams is the lookup the HTTP server does: path variables
// go into a reused buffer, so no map is built.
func BenchmarkLookupParams(b *testing.B) {
	for _, tt := range []struct{ name, method, target string }{
		{"static", "GET", "/v1/shipments"},
		{"param", "PUT", "/v1/shipments/12345"},
		{"regex", "GET", "/v1/shelves/s1/books/b2"},
		{"google-pattern", "GET", "/v1/projects/p1/locations/l2"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			r := mustRouter(b, benchRoutes())
			req := httptest.NewRequest(tt.method, tt.target, nil)
			var buf [4]Param
			if _, _, status, _, _ := r.LookupParams(req, buf[:0]); status != http.StatusOK {
				b.Fatalf("LookupParams(%s %s) = %d, want 200", tt.method, tt.target, status)
			}
			b.ReportAllocs()
			for b.Loop() {
				r.LookupParams(req, buf[:0])
			}
		})
	}
}

// BenchmarkServeMux is the baseline: net/http's own pattern matching over
// the same routes (ServeMux.Handler also returns the pattern).
func BenchmarkServeMux(b *testing.B) {
	mux := http.NewServeMux()
	for _, g := range benchRoutes() {
		if g.prefix || strings.ContainsAny(g.template, ":=") {
			continue // no equivalent ServeMux pattern
		}
		mux.Handle(fmt.Sprintf("%s %s", g.method, g.template), named(g.name))
	}
	run := func(b *testing.B, method, target string) {
		req := httptest.NewRequest(method, target, nil)
		b.ReportAllocs()
		for b.Loop() {
			mux.Handler(req)
		}
	}
	b.Run("static", func(b *testing.B) { run(b, "GET", "/v1/shipments") })
	b.Run("param", func(b *testing.B) { run(b, "PUT", "/v1/shipments/12345") })
}

var sinkVars map[string]string

// BenchmarkVarsMap is the floor for a route with one variable: building
// the one-entry map that Match.Vars must be.
func BenchmarkVarsMap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m := make(map[string]string, 1)
		m["id"] = "12345"
		sinkVars = m
	}
}
