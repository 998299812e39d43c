package window

import (
	"sort"
	"sync"
	"testing"
	"time"
)

const ms = int64(time.Millisecond)

func TestSlot(t *testing.T) {
	w := New(10, 100*time.Millisecond)
	tests := []struct {
		t    int64
		want int64
	}{
		{0, 0}, {99 * ms, 0}, {100 * ms, 1}, {250 * ms, 2},
		{-1, -1}, {-100 * ms, -1}, {-101 * ms, -2},
	}
	for _, tt := range tests {
		if got := w.Slot(tt.t); got != tt.want {
			t.Errorf("Slot(%d) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

func TestSumRolls(t *testing.T) {
	w := New(3, 100*time.Millisecond)
	w.Add(0, 1)
	w.Add(50*ms, 0)
	w.Add(150*ms, 1)
	w.Add(250*ms, 1)
	tests := []struct {
		t              int64
		wantSum, wantN int64
	}{
		{250 * ms, 3, 4}, // slots 0, 1, 2
		{350 * ms, 2, 2}, // slots 1, 2, 3: slot 0 expired
		{450 * ms, 1, 1},
		{550 * ms, 0, 0},
		{10 * int64(time.Second), 0, 0}, // a jump forward expires everything
	}
	for _, tt := range tests {
		sum, n := w.Sum(tt.t)
		if sum != tt.wantSum || n != tt.wantN {
			t.Errorf("Sum(%dms) = %d, %d, want %d, %d", tt.t/ms, sum, n, tt.wantSum, tt.wantN)
		}
	}
	// A bucket reused for a later slot starts empty.
	w.Add(300*ms, 5)
	if sum, n := w.Sum(300 * ms); sum != 7 || n != 3 {
		t.Errorf("Sum after reuse = %d, %d, want 7, 3", sum, n)
	}
}

func TestClockBackward(t *testing.T) {
	w := New(4, 100*time.Millisecond)
	w.Add(1000*ms, 10) // slot 10
	// Back in time: slot 10 is in the future and must not count.
	if sum, n := w.Sum(500 * ms); sum != 0 || n != 0 {
		t.Errorf("Sum in the past = %d, %d, want 0, 0", sum, n)
	}
	// Slot 6 shares the ring index of slot 10: adding resets it.
	w.Add(600*ms, 1)
	if sum, n := w.Sum(600 * ms); sum != 1 || n != 1 {
		t.Errorf("Sum = %d, %d, want 1, 1", sum, n)
	}
	// Negative times work too.
	w.Add(-250*ms, 3)
	if sum, n := w.Sum(-250 * ms); sum != 3 || n != 1 {
		t.Errorf("Sum(-250ms) = %d, %d, want 3, 1", sum, n)
	}
}

func TestCompleted(t *testing.T) {
	w := New(4, 100*time.Millisecond)
	w.Add(0, 1)        // slot 0: expires at t=400ms
	w.Add(110*ms, 2)   // slot 1
	w.Add(120*ms, 3)   // slot 1
	w.Add(310*ms, 4)   // slot 3
	w.Add(410*ms, 100) // slot 4: current, excluded
	var got []Bucket
	w.Completed(410*ms, func(b Bucket) { got = append(got, b) })
	sort.Slice(got, func(i, j int) bool { return got[i].Slot < got[j].Slot })
	want := []Bucket{{Slot: 1, Sum: 5, Count: 2}, {Slot: 3, Sum: 4, Count: 1}}
	if len(got) != len(want) {
		t.Fatalf("Completed = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Completed = %v, want %v", got, want)
		}
	}
}

func TestNewPanics(t *testing.T) {
	for _, tt := range []struct {
		n    int
		span time.Duration
	}{{0, time.Second}, {1, 0}, {-1, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d, %v) did not panic", tt.n, tt.span)
				}
			}()
			New(tt.n, tt.span)
		}()
	}
}

func TestConcurrent(t *testing.T) {
	w := New(10, time.Second)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				w.Add(int64(i), 1)
				w.Sum(int64(i))
			}
		}()
	}
	wg.Wait()
	if sum, n := w.Sum(0); sum != 8000 || n != 8000 {
		t.Errorf("Sum = %d, %d, want 8000, 8000", sum, n)
	}
}

func TestNoAllocs(t *testing.T) {
	w := New(10, 100*time.Millisecond)
	var now int64
	allocs := testing.AllocsPerRun(1000, func() {
		now += ms
		w.Add(now, 1)
		w.Sum(now)
		var max int64
		w.Completed(now, func(b Bucket) { max = b.Count })
		_ = max
	})
	if allocs != 0 {
		t.Errorf("allocs per Add+Sum+Completed = %v, want 0", allocs)
	}
}

func BenchmarkAdd(b *testing.B) {
	w := New(100, 100*time.Millisecond)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.Add(int64(i)*1000, 1)
	}
}
