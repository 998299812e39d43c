package matcher

import (
	"context"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/seed6ad8aa6b/kratos/middleware"
)

// named returns a middleware that appends name to the trace in the request.
func named(name string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			*req.(*[]string) = append(*req.(*[]string), name)
			return next(ctx, req)
		}
	}
}

func trace(ms []middleware.Middleware) []string {
	var got []string
	h := middleware.Chain(ms...)(func(context.Context, any) (any, error) { return nil, nil })
	_, _ = h(context.Background(), &got)
	return got
}

func TestMatch(t *testing.T) {
	m := New()
	m.Use(named("all"))
	m.Add("/pkg.Svc/*", named("svc"))
	m.Add("/pkg.*", named("pkg"))
	m.Add("/pkg.Svc/Exact", named("exact"))
	m.Add("/pkg.Svc/Exact", named("exact2"))
	tests := []struct {
		op   string
		want []string
	}{
		{"/pkg.Svc/Exact", []string{"all", "exact", "exact2"}},
		{"/pkg.Svc/Other", []string{"all", "svc"}},
		{"/pkg.Other/X", []string{"all", "pkg"}},
		{"/other.Svc/X", []string{"all"}},
		{"", []string{"all"}},
	}
	for _, tt := range tests {
		// Twice: the second answer comes from the cache.
		for range 2 {
			if got := trace(m.Match(tt.op)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Match(%q) = %v, want %v", tt.op, got, tt.want)
			}
		}
	}
	// Adding invalidates the cache.
	m.Add("/other.*", named("other"))
	if got, want := trace(m.Match("/other.Svc/X")), []string{"all", "other"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Match after Add = %v, want %v", got, want)
	}
}

func TestMatchConcurrentAndBounded(t *testing.T) {
	m := New()
	m.Add("/*", named("root"))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				if n := len(m.Match("/op/" + strconv.Itoa(g) + "/" + strconv.Itoa(i))); n != 1 && n != 2 {
					t.Error("Match lost the prefix middleware")
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); m.Use(named("late")) }()
	wg.Wait()
	if n := m.(*table).cached.Load(); n > maxCached {
		t.Errorf("cache holds %d entries, want at most %d", n, maxCached)
	}
}

func BenchmarkMatchCached(b *testing.B) {
	m := New()
	m.Use(named("a"))
	m.Add("/pkg.Svc/*", named("b"))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Match("/pkg.Svc/Method")
	}
}
