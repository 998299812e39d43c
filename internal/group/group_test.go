package group

import (
	"sync"
	"testing"
)

func TestGroup(t *testing.T) {
	n := 0
	g := New(func() *int { n++; v := n; return &v })
	var wg sync.WaitGroup
	res := make([]*int, 8)
	for i := range res {
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = g.Get("a") }()
	}
	wg.Wait()
	for _, r := range res {
		if r != res[0] {
			t.Fatal("Get returned different objects for one key")
		}
	}
	if b := g.Get("b"); b == res[0] {
		t.Error("Get(b) returned the object of a")
	}
	g.Clear()
	if c := g.Get("a"); c == res[0] {
		t.Error("Get after Clear returned the old object")
	}
	g.Reset(func() *int { v := -1; return &v })
	if got := *g.Get("a"); got != -1 {
		t.Errorf("Get after Reset = %d, want -1", got)
	}
}
