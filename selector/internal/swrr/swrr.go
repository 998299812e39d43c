// Package swrr implements smooth weighted round robin, the algorithm nginx
// uses for its upstreams: every pick raises each node's current weight by
// its weight, picks the node with the highest current weight, and lowers
// that node's current weight by the sum of all weights. Over any run of
// picks each node is chosen in proportion to its weight, and the picks of a
// heavy node are spread out instead of coming in a burst.
//
// It is shared by package selector (for its default) and selector/wrr.
package swrr

import (
	"math"
	"reflect"
	"sync"
)

// Weighted is what the algorithm needs from a node.
type Weighted interface {
	Address() string
	Weight() float64
}

// State holds the current weights, keyed by node address, so that they
// survive a change of the node set. The zero value is ready to use and a
// State is safe for concurrent use.
type State struct {
	mu      sync.Mutex
	current map[string]*float64

	// The nodes of the last Pick and their entries of current, in the
	// same order, so that a Pick over the same nodes, the common case,
	// finds its entries without hashing an address. lastNodes is empty
	// when a node's type is not comparable.
	lastNodes []any
	lastCur   []*float64
}

// Pick returns the index of the node to use, or -1 when nodes is empty.
// Nodes with a weight that is not a positive finite number are never picked
// unless no node has such a weight, in which case all count as 1.
func Pick[N Weighted](s *State, nodes []N) int {
	if len(nodes) == 0 {
		return -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	weights := entries(s, nodes)
	uniform := true
	for _, n := range nodes {
		if usable(n.Weight()) {
			uniform = false
			break
		}
	}
	var total float64
	var best *float64
	picked := -1
	for i, n := range nodes {
		w := 1.0
		if !uniform {
			w = n.Weight()
			if !usable(w) {
				continue
			}
		}
		total += w
		cur := weights[i]
		*cur += w
		if picked < 0 || *cur > *best {
			picked, best = i, cur
		}
	}
	if picked < 0 {
		// Every weight changed to unusable between the two loops.
		return 0
	}
	*best -= total
	// Forget nodes that left the set, once they make up most of the map.
	if len(s.current) > 2*len(nodes)+16 {
		keep := make(map[string]*float64, len(nodes))
		for _, n := range nodes {
			addr := n.Address()
			if cur := s.current[addr]; cur != nil {
				keep[addr] = cur
			}
		}
		s.current = keep
	}
	return picked
}

// entries returns the current weights of nodes, in their order, adding
// those of new nodes. s.mu must be held.
func entries[N Weighted](s *State, nodes []N) []*float64 {
	if len(nodes) == len(s.lastNodes) {
		same := true
		for i, n := range nodes {
			// The types of lastNodes are comparable, so this cannot
			// panic: values of different types are just unequal.
			if any(n) != s.lastNodes[i] {
				same = false
				break
			}
		}
		if same {
			return s.lastCur
		}
	}
	if s.current == nil {
		s.current = make(map[string]*float64, len(nodes))
	}
	clear(s.lastNodes)
	lastNodes, lastCur := s.lastNodes[:0], s.lastCur[:0]
	comparable := true
	for _, n := range nodes {
		addr := n.Address()
		cur := s.current[addr]
		if cur == nil {
			cur = new(float64)
			s.current[addr] = cur
		}
		lastCur = append(lastCur, cur)
		if t := reflect.TypeOf(any(n)); t == nil || !t.Comparable() {
			comparable = false
		}
		lastNodes = append(lastNodes, any(n))
	}
	if !comparable {
		clear(lastNodes)
		lastNodes = lastNodes[:0]
	}
	s.lastNodes, s.lastCur = lastNodes, lastCur
	return lastCur
}

func usable(w float64) bool {
	return w > 0 && !math.IsInf(w, 0)
}
