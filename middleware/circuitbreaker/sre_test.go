package circuitbreaker

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(1_700_000_000, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// fixedRand returns v, whatever happens.
func fixedRand(v float64) func() float64 { return func() float64 { return v } }

func record(b *SRE, successes, failures int) {
	for i := 0; i < successes; i++ {
		b.MarkSuccess()
	}
	for i := 0; i < failures; i++ {
		b.MarkFailed()
	}
}

func TestSREProbability(t *testing.T) {
	tests := []struct {
		name                string
		successes, failures int
		want                float64
	}{
		{"empty", 0, 0, 0},
		{"99 failures: under the minimum", 0, 99, 0},
		{"100 failures", 0, 100, 100.0 / 101},
		{"exactly the success ratio", 60, 40, 0},
		{"above the success ratio", 90, 10, 0},
		{"60 of 200 succeed", 60, 140, 100.0 / 201},
		{"30 of 100 succeed", 30, 70, 50.0 / 101},
		{"1000 failures", 0, 1000, 1000.0 / 1001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewSRE(&SREOptions{Now: (&clock{}).Now})
			record(b, tt.successes, tt.failures)
			got := b.Stat()
			if got.Accepts != int64(tt.successes) || got.Total != int64(tt.successes+tt.failures) {
				t.Errorf("Stat() = %+v, want accepts %d, total %d", got, tt.successes, tt.successes+tt.failures)
			}
			if math.Abs(got.RejectProbability-tt.want) > 1e-9 {
				t.Errorf("RejectProbability = %v, want %v", got.RejectProbability, tt.want)
			}
		})
	}
}

func TestSREAllow(t *testing.T) {
	clk := &clock{}
	// p = 100/201 ≈ 0.4975 with 60 of 200 successes.
	tests := []struct {
		rand float64
		want error
	}{
		{0, ErrNotAllowed}, {0.49, ErrNotAllowed}, {0.4975, ErrNotAllowed}, {0.4976, nil}, {0.99, nil},
	}
	for _, tt := range tests {
		b := NewSRE(&SREOptions{Now: clk.Now, Rand: fixedRand(tt.rand)})
		record(b, 60, 140)
		if got := b.Allow(); got != tt.want {
			t.Errorf("Allow() with rand %v = %v, want %v", tt.rand, got, tt.want)
		}
	}
	// With nothing to refuse, the random source is not even consulted.
	b := NewSRE(&SREOptions{Now: clk.Now, Rand: func() float64 { panic("rand called") }})
	record(b, 100, 0)
	if err := b.Allow(); err != nil {
		t.Errorf("Allow() when healthy = %v", err)
	}
}

func TestSREWindowRolls(t *testing.T) {
	clk := &clock{}
	b := NewSRE(&SREOptions{Now: clk.Now, Rand: fixedRand(0)})
	record(b, 0, 200)
	if err := b.Allow(); err != ErrNotAllowed {
		t.Fatalf("Allow() after 200 failures = %v, want ErrNotAllowed", err)
	}
	// 300ms buckets: 2.7s later the failures are still in the window.
	clk.Advance(2700 * time.Millisecond)
	if got := b.Stat().Total; got != 200 {
		t.Errorf("Total after 2.7s = %d, want 200", got)
	}
	clk.Advance(300 * time.Millisecond)
	if got := b.Stat(); got.Total != 0 || got.RejectProbability != 0 {
		t.Errorf("Stat() after 3s = %+v, want empty", got)
	}
	if err := b.Allow(); err != nil {
		t.Errorf("Allow() after the window rolled = %v, want nil", err)
	}
	// Calls recorded before the clock went back lie in the future: they
	// are ignored rather than mixed with new ones.
	clk.Advance(10 * time.Second)
	record(b, 0, 200)
	clk.Advance(-5 * time.Second)
	b.MarkSuccess()
	if got := b.Stat(); got.Total != 1 || got.Accepts != 1 {
		t.Errorf("Stat() after the clock went back = %+v, want one success", got)
	}
}

func TestSREOptions(t *testing.T) {
	clk := &clock{}
	b := NewSRE(&SREOptions{Success: 0.5, Request: 10, Window: time.Second, Buckets: 4, Now: clk.Now})
	record(b, 5, 5) // K = 2: 10 - 2×5 = 0
	if got := b.Stat().RejectProbability; got != 0 {
		t.Errorf("RejectProbability = %v, want 0", got)
	}
	record(b, 0, 10) // 20 - 10 = 10 of 21
	if got := b.Stat().RejectProbability; math.Abs(got-10.0/21) > 1e-9 {
		t.Errorf("RejectProbability = %v, want %v", got, 10.0/21)
	}
	for _, bad := range []float64{-1, 0, 1.5, math.NaN()} {
		if got := NewSRE(&SREOptions{Success: bad}).k; math.Abs(got-1/0.6) > 1e-12 {
			t.Errorf("Success %v: K = %v, want the default 1/0.6", bad, got)
		}
	}
	d := NewSRE(nil)
	if d.request != 100 || d.stat.Len() != 10 || d.stat.Span() != 300*time.Millisecond {
		t.Errorf("defaults: request %d, buckets %d, span %v", d.request, d.stat.Len(), d.stat.Span())
	}
}

func TestSREConcurrent(t *testing.T) {
	b := NewSRE(nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if b.Allow() == nil && i%2 == 0 {
					b.MarkSuccess()
				} else {
					b.MarkFailed()
				}
			}
		}()
	}
	wg.Wait()
	if got := b.Stat().Total; got != 8000 {
		t.Errorf("Total = %d, want 8000", got)
	}
}

func TestSRENoAllocs(t *testing.T) {
	clk := &clock{}
	r := rand.New(rand.NewPCG(1, 2))
	b := NewSRE(&SREOptions{Now: clk.Now, Rand: r.Float64})
	allocs := testing.AllocsPerRun(1000, func() {
		clk.Advance(time.Millisecond)
		if b.Allow() == nil {
			b.MarkSuccess()
		}
		b.MarkFailed()
	})
	if allocs != 0 {
		t.Errorf("allocs per Allow+Mark = %v, want 0", allocs)
	}
}

func BenchmarkSREAllow(b *testing.B) {
	br := NewSRE(nil)
	b.ReportAllocs()
	for b.Loop() {
		if br.Allow() == nil {
			br.MarkSuccess()
		} else {
			br.MarkFailed()
		}
	}
}

func BenchmarkSREAllowParallel(b *testing.B) {
	br := NewSRE(nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if br.Allow() == nil {
				br.MarkSuccess()
			} else {
				br.MarkFailed()
			}
		}
	})
}
