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
	if s.current == nil {
		s.current = make(map[string]*float64, len(nodes))
	}
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
		addr := n.Address()
		cur := s.current[addr]
		if cur == nil {
			cur = new(float64)
			s.current[addr] = cur
		}
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

func usable(w float64) bool {
	return w > 0 && !math.IsInf(w, 0)
}
