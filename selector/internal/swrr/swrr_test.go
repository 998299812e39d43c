package swrr

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

type node struct {
	addr   string
	weight float64
}

func (n node) Address() string { return n.addr }
func (n node) Weight() float64 { return n.weight }

func picks(s *State, nodes []node, count int) string {
	var b strings.Builder
	for range count {
		b.WriteString(nodes[Pick(s, nodes)].addr)
	}
	return b.String()
}

func TestPickSequence(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name  string
		nodes []node
		count int
		want  string
	}{
		{"nginx example 5/1/1", []node{{"a", 5}, {"b", 1}, {"c", 1}}, 14, "aabacaa" + "aabacaa"},
		{"equal weights", []node{{"a", 1}, {"b", 1}, {"c", 1}}, 6, "abcabc"},
		{"2/1", []node{{"a", 2}, {"b", 1}}, 6, "abaaba"},
		{"zero weight skipped", []node{{"a", 0}, {"b", 1}, {"c", 1}}, 4, "bcbc"},
		{"all zero take turns", []node{{"a", 0}, {"b", 0}}, 4, "abab"},
		{"negative, NaN and Inf skipped", []node{{"a", -1}, {"b", math.NaN()}, {"c", inf}, {"d", 3}}, 3, "ddd"},
		{"single", []node{{"a", 9}}, 3, "aaa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := picks(&State{}, tt.nodes, tt.count); got != tt.want {
				t.Errorf("picks = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPickRatiosOverManyCycles(t *testing.T) {
	nodes := []node{{"a", 50}, {"b", 30}, {"c", 15}, {"d", 5}}
	var s State
	got := map[string]int{}
	for range 100 * 100 {
		got[nodes[Pick(&s, nodes)].addr]++
	}
	for _, n := range nodes {
		if want := int(n.weight) * 100; got[n.addr] != want {
			t.Errorf("node %s picked %d times, want %d", n.addr, got[n.addr], want)
		}
	}
}

func TestPickEmpty(t *testing.T) {
	if got := Pick(&State{}, []node(nil)); got != -1 {
		t.Errorf("Pick(empty) = %d, want -1", got)
	}
}

func TestStateSurvivesNodeSetChange(t *testing.T) {
	var s State
	nodes := []node{{"a", 1}, {"b", 1}}
	if got := picks(&s, nodes, 1); got != "a" {
		t.Fatalf("first pick = %q, want a", got)
	}
	// A new node list (same addresses, new order) continues the rotation.
	if got := picks(&s, []node{{"b", 1}, {"a", 1}}, 1); got != "b" {
		t.Errorf("pick after reorder = %q, want b", got)
	}
}

// listNode is a node of a type that is not comparable.
type listNode []string

func (n listNode) Address() string { return n[0] }
func (n listNode) Weight() float64 { return 1 }

func TestPickNodesOfIncomparableType(t *testing.T) {
	var s State
	nodes := []Weighted{listNode{"a"}, listNode{"b"}}
	var got []int
	for range 4 {
		got = append(got, Pick(&s, nodes))
	}
	if want := []int{0, 1, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("picks = %v, want %v", got, want)
	}
	// Mixed with comparable ones, which are compared with them.
	mixed := []Weighted{&node{addr: "a", weight: 1}, listNode{"b"}}
	for range 2 {
		Pick(&s, mixed)
	}
}

func TestStateFollowsChangingSubsets(t *testing.T) {
	// The same node values in subsets that change from pick to pick, as
	// node filters make them, share the current weights of the full set.
	var s State
	a, b, c := &node{addr: "a", weight: 1}, &node{addr: "b", weight: 1}, &node{addr: "c", weight: 1}
	all := []Weighted{a, b, c}
	var got strings.Builder
	for i := range 6 {
		nodes := all
		if i%2 == 1 {
			nodes = []Weighted{b, c}
		}
		got.WriteString(nodes[Pick(&s, nodes)].Address())
	}
	// Each pick adds every candidate's weight to its current weight and
	// takes the candidates' total off the winner's: a (a=-2 b=1 c=1),
	// b (b=0 c=2), c (a=-1 b=1 c=0), b (b=0 c=1), c (a=0 b=1 c=-1), b.
	if want := "abcbcb"; got.String() != want {
		t.Errorf("picks = %q, want %q", got.String(), want)
	}
}

func TestStateForgetsDepartedNodes(t *testing.T) {
	var s State
	for i := range 200 {
		Pick(&s, []node{{string(rune('A' + i%50)), 1}, {"stay", 1}})
	}
	Pick(&s, []node{{"x", 1}})
	if n := len(s.current); n > 2*1+16+1 {
		t.Errorf("state holds %d addresses, want departed ones pruned", n)
	}
}

func TestPickConcurrent(t *testing.T) {
	nodes := []node{{"a", 3}, {"b", 1}}
	var s State
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			local := map[string]int{}
			for range 400 {
				local[nodes[Pick(&s, nodes)].addr]++
			}
			mu.Lock()
			for k, v := range local {
				got[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if got["a"] != 2400 || got["b"] != 800 {
		t.Errorf("picks = %v, want a:2400 b:800", got)
	}
}

// BenchmarkPick picks among five nodes held as interface values, as the
// selectors hold them, the node set the same from pick to pick.
func BenchmarkPick(b *testing.B) {
	nodes := make([]Weighted, 5)
	for i := range nodes {
		nodes[i] = &node{addr: "10.0.0." + string(rune('1'+i)) + ":8000", weight: float64(1 + i%2)}
	}
	var s State
	b.ReportAllocs()
	for b.Loop() {
		if Pick(&s, nodes) < 0 {
			b.Fatal("no pick")
		}
	}
}
