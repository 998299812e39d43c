package recovery

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// clock is a fake time source, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time           { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration)  { c.ns.Add(int64(d)) }
func withNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// recorder keeps the records logged to it, keyed by their keys.
type recorder struct {
	mu      sync.Mutex
	records []map[string]any
	bytes   int
}

func (r *recorder) Log(_ log.Level, kv ...any) error {
	rec := map[string]any{}
	n := 0
	for i := 0; i+1 < len(kv); i += 2 {
		rec[fmt.Sprint(kv[i])] = kv[i+1]
		n += len(fmt.Sprint(kv[i])) + len(fmt.Sprint(kv[i+1])) + 2
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	r.bytes += n
	return nil
}

func (r *recorder) take() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	recs := r.records
	r.records = nil
	return recs
}

func panicA(context.Context, any) (any, error) { panic("a") }
func panicB(context.Context, any) (any, error) { panic("b") }

func TestLogInterval(t *testing.T) {
	type step struct {
		advance        time.Duration
		handler        string // "a" or "b": which site panics
		wantLogged     bool
		wantSuppressed int
	}
	tests := []struct {
		name     string
		interval []Option
		steps    []step
	}{
		{"default one minute", nil, []step{
			{0, "a", true, 0},
			{time.Second, "a", false, 0},
			{30 * time.Second, "a", false, 0},
			{0, "b", true, 0}, // another site has its own budget
			{29 * time.Second, "a", true, 2},
			{time.Second, "a", false, 0},
			{30 * time.Second, "b", true, 0},
			{time.Hour, "a", true, 1},
			{0, "a", false, 0},
		}},
		{"ten seconds", []Option{WithLogInterval(10 * time.Second)}, []step{
			{0, "a", true, 0},
			{9 * time.Second, "a", false, 0},
			{time.Second, "a", true, 1},
		}},
		{"zero logs every panic", []Option{WithLogInterval(0)}, []step{
			{0, "a", true, 0},
			{0, "a", true, 0},
			{time.Millisecond, "a", true, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			c := &clock{}
			mw := Recovery(append([]Option{WithLogger(rec), withNow(c.now)}, tt.interval...)...)
			handlers := map[string]func(context.Context, any) (any, error){"a": mw(panicA), "b": mw(panicB)}
			for i, s := range tt.steps {
				c.advance(s.advance)
				if _, err := handlers[s.handler](context.Background(), nil); !kerrors.Is(err, ErrUnknownRequest) {
					t.Fatalf("step %d: err = %v, want ErrUnknownRequest", i, err)
				}
				recs := rec.take()
				if got := len(recs) == 1; got != s.wantLogged {
					t.Fatalf("step %d: %d records, want logged = %v", i, len(recs), s.wantLogged)
				}
				if !s.wantLogged {
					continue
				}
				if got := recs[0]["suppressed"]; got != s.wantSuppressed {
					t.Errorf("step %d: suppressed = %v, want %d", i, got, s.wantSuppressed)
				}
				if got, want := recs[0]["site"].(string), "recovery.panic"+strings.ToUpper(s.handler)+" "; !strings.Contains(got, want) {
					t.Errorf("step %d: site = %q, want it to contain %q", i, got, want)
				}
				if got := recs[0]["stack"].(string); !strings.Contains(got, "goroutine") {
					t.Errorf("step %d: stack = %q, want a stack trace", i, got)
				}
			}
		})
	}
}

//go:noinline
func panicNilMap(context.Context, any) (any, error) {
	var m map[string]int
	m["x"] = 1
	return nil, nil
}

//go:noinline
func panicIndex(_ context.Context, req any) (any, error) {
	s := []int{}
	return s[req.(int)], nil
}

//go:noinline
func panicNilDeref(_ context.Context, req any) (any, error) {
	var p *struct{ n int }
	if req != nil {
		p = nil
	}
	return p.n, nil
}

//go:noinline
func panicDivide(_ context.Context, req any) (any, error) {
	return 1 / req.(int), nil
}

func panicDeep(ctx context.Context, req any) (any, error) {
	if n := req.(int); n > 0 {
		return panicDeep(ctx, n-1)
	}
	panic("deep")
}

func TestPanicSite(t *testing.T) {
	tests := []struct {
		name    string
		handler func(context.Context, any) (any, error)
		req     any
		want    string
	}{
		{"explicit", panicA, nil, "recovery.panicA "},
		{"nil map", panicNilMap, nil, "recovery.panicNilMap "},
		{"index", panicIndex, 3, "recovery.panicIndex "},
		{"nil dereference", panicNilDeref, 1, "recovery.panicNilDeref "},
		{"divide by zero", panicDivide, 0, "recovery.panicDivide "},
		{"deep", panicDeep, 50, "recovery.panicDeep "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			_, _ = Recovery(WithLogger(rec))(tt.handler)(context.Background(), tt.req)
			recs := rec.take()
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			if got := recs[0]["site"].(string); !strings.Contains(got, tt.want) || !strings.Contains(got, "limit_test.go:") {
				t.Errorf("site = %q, want %q in limit_test.go", got, tt.want)
			}
		})
	}
}

// TestDeepPanicOneSite checks that a client choosing the recursion depth
// of a panic cannot make new sites.
func TestDeepPanicOneSite(t *testing.T) {
	rec := &recorder{}
	h := Recovery(WithLogger(rec))(panicDeep)
	for depth := range 100 {
		_, _ = h(context.Background(), depth)
	}
	if got := len(rec.take()); got != 1 {
		t.Errorf("%d records for one site at 100 depths, want 1", got)
	}
}

// TestPanicLogVolume sends 10,000 panicking requests at 100 a second (a
// fake clock) through one site and compares the volume logged with
// WithLogInterval(0), which logs every panic as Kratos does.
func TestPanicLogVolume(t *testing.T) {
	const requests = 10_000
	tests := []struct {
		name        string
		opts        []Option
		wantRecords int
		maxBytes    int
	}{
		{"default", nil, 2, 32 << 10},                                    // at 0 s and 60 s of 100 s
		{"every panic", []Option{WithLogInterval(0)}, requests, 1 << 40}, // the baseline
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			c := &clock{}
			h := Recovery(append([]Option{WithLogger(rec), withNow(c.now)}, tt.opts...)...)(panicA)
			for range requests {
				c.advance(10 * time.Millisecond)
				_, _ = h(context.Background(), "req")
			}
			recs := rec.take()
			t.Logf("%d panics: %d records, %d bytes", requests, len(recs), rec.bytes)
			if len(recs) != tt.wantRecords || rec.bytes > tt.maxBytes {
				t.Errorf("%d records, %d bytes; want %d records, at most %d bytes", len(recs), rec.bytes, tt.wantRecords, tt.maxBytes)
			}
			var counted int
			for _, r := range recs {
				counted += 1 + r["suppressed"].(int)
			}
			// Panics after the last record are counted but not yet reported.
			if counted > requests || counted < requests-6000 {
				t.Errorf("records account for %d panics, want about %d", counted, requests)
			}
		})
	}
}

// TestConcurrentPanicsCounted checks under -race that no panic is lost from
// the count when many requests panic at once.
func TestConcurrentPanicsCounted(t *testing.T) {
	const goroutines, each = 8, 200
	rec := &recorder{}
	c := &clock{}
	h := Recovery(WithLogger(rec), withNow(c.now))(panicA)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				_, _ = h(context.Background(), nil)
			}
		})
	}
	wg.Wait()
	c.advance(time.Minute)
	_, _ = h(context.Background(), nil)
	recs := rec.take()
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if got, want := recs[1]["suppressed"], goroutines*each-1; got != want {
		t.Errorf("suppressed = %v, want %d", got, want)
	}
}

// TestHugePanicRecordBounded checks that neither a 1 MB request nor a 1 MB
// panic value makes a huge record.
func TestHugePanicRecordBounded(t *testing.T) {
	big := strings.Repeat("\x00", 1<<20)
	rec := &recorder{}
	h := Recovery(WithLogger(rec))(func(context.Context, any) (any, error) { panic(fmt.Errorf("bad input %q", big)) })
	_, _ = h(context.Background(), wrapperspb.Bytes([]byte(big)))
	recs := rec.take()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	for _, k := range []string{"req", "panic"} {
		if got := recs[0][k].(string); len(got) > maxValue+64 || !strings.Contains(got, "...(truncated") {
			t.Errorf("%s = %d bytes, want at most %d and a truncation mark", k, len(got), maxValue+64)
		}
	}
}

func TestSiteLimiterForgets(t *testing.T) {
	l := &siteLimiter{interval: time.Minute}
	t0 := time.Unix(0, 0)
	for i := range maxSites {
		if _, ok := l.allow(site{function: "f", line: i}, t0); !ok {
			t.Fatalf("allow(new site %d) = false, want true", i)
		}
	}
	// Full, and every interval still running: the next site clears the table.
	if _, ok := l.allow(site{function: "g"}, t0); !ok || len(l.sites) != 1 {
		t.Errorf("allow(site past the bound) = %v with %d sites, want true with 1", ok, len(l.sites))
	}
	for i := 1; i < maxSites; i++ {
		l.allow(site{function: "f", line: i}, t0.Add(time.Duration(i)*time.Millisecond))
	}
	// Full again; only the first site's interval is over at t0+1m.
	if _, ok := l.allow(site{function: "h"}, t0.Add(time.Minute)); !ok || len(l.sites) != maxSites {
		t.Errorf("allow(site past the bound) = %v with %d sites, want true with %d", ok, len(l.sites), maxSites)
	}
}
