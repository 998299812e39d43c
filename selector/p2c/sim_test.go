package p2c

import (
	"container/heap"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/internal/stats"
)

// This file drives the balancer with the statistics of selector/node/ewma
// in simulated time: requests arrive at a fixed rate, each node answers
// after its own latency, and the clock jumps from event to event.

var errDown = errors.New("node down")

// simNode is an ewma-style node on the simulated clock.
type simNode struct {
	selector.Node
	stats   *stats.Tracker
	latency time.Duration
	failing bool
}

func (n *simNode) Raw() selector.Node         { return n.Node }
func (n *simNode) Weight() float64            { return n.stats.Weight() }
func (n *simNode) PickElapsed() time.Duration { return n.stats.PickElapsed() }
func (n *simNode) Pick() selector.DoneFunc {
	start := n.stats.Start()
	return func(_ context.Context, di selector.DoneInfo) {
		n.stats.Done(start, di.Err != nil)
	}
}

type completion struct {
	at   time.Time
	node *simNode
	done selector.DoneFunc
}

type queue []completion

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q queue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)        { *q = append(*q, x.(completion)) }
func (q *queue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

type sim struct {
	now     time.Time
	nodes   []*simNode
	wnodes  []selector.WeightedNode
	pending queue
	bal     *Balancer
}

func newSim(latencies ...time.Duration) *sim {
	s := &sim{now: time.Unix(1_700_000_000, 0), bal: &Balancer{intN: seeded(11)}}
	for i, l := range latencies {
		n := &simNode{
			Node:    selector.NewNode("grpc", string(rune('A'+i)), nil),
			stats:   stats.NewTracker(func() time.Time { return s.now }),
			latency: l,
		}
		s.nodes = append(s.nodes, n)
		s.wnodes = append(s.wnodes, n)
	}
	return s
}

// run sends a request every interval for d and returns the picks per node.
func (s *sim) run(t *testing.T, d, interval time.Duration) map[string]int {
	t.Helper()
	picks := map[string]int{}
	end := s.now.Add(d)
	for next := s.now; next.Before(end); next = next.Add(interval) {
		for s.pending.Len() > 0 && !s.pending[0].at.After(next) {
			c := heap.Pop(&s.pending).(completion)
			s.now = c.at
			var err error
			if c.node.failing {
				err = errDown
			}
			c.done(context.Background(), selector.DoneInfo{Err: err})
		}
		s.now = next
		wn, done, err := s.bal.Pick(context.Background(), s.wnodes)
		if err != nil {
			t.Fatalf("Pick() error = %v", err)
		}
		n := wn.(*simNode)
		picks[n.Address()]++
		lat := n.latency
		if n.failing {
			lat = time.Millisecond // failing nodes answer fast
		}
		heap.Push(&s.pending, completion{at: s.now.Add(lat), node: n, done: done})
	}
	return picks
}

func share(picks map[string]int, addr string) float64 {
	total := 0
	for _, c := range picks {
		total += c
	}
	return float64(picks[addr]) / float64(total)
}

func TestSimSlowNodeLosesLoad(t *testing.T) {
	s := newSim(10*time.Millisecond, 10*time.Millisecond, 100*time.Millisecond)
	s.run(t, 5*time.Second, time.Millisecond) // warm up
	picks := s.run(t, 10*time.Second, time.Millisecond)
	if got := share(picks, "C"); got > 0.05 {
		t.Errorf("slow node got %.1f%% of requests, want under 5%% (picks %v)", 100*got, picks)
	}
	for _, addr := range []string{"A", "B"} {
		if got := share(picks, addr); got < 0.40 {
			t.Errorf("fast node %s got %.1f%% of requests, want over 40%% (picks %v)", addr, 100*got, picks)
		}
	}
}

func TestSimFailingNodeLosesLoadAndRecovers(t *testing.T) {
	s := newSim(10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond)
	s.nodes[2].failing = true
	s.run(t, 5*time.Second, time.Millisecond)
	picks := s.run(t, 10*time.Second, time.Millisecond)
	if got := share(picks, "C"); got > 0.01 {
		t.Errorf("failing node got %.2f%% of requests, want under 1%% (picks %v)", 100*got, picks)
	}
	if picks["C"] == 0 {
		t.Errorf("failing node was never probed in 10s, want a forced pick every 3s (picks %v)", picks)
	}

	// Once it answers again, a forced probe restores its success rate and
	// it takes its share back.
	s.nodes[2].failing = false
	s.run(t, 5*time.Second, time.Millisecond)
	picks = s.run(t, 5*time.Second, time.Millisecond)
	if got := share(picks, "C"); got < 0.25 {
		t.Errorf("recovered node got %.1f%% of requests, want over 25%% (picks %v)", 100*got, picks)
	}
}

func TestSimStalledNodeLosesLoad(t *testing.T) {
	s := newSim(10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond)
	s.run(t, 2*time.Second, time.Millisecond)
	// C stops answering: its requests hang for a minute.
	s.nodes[2].latency = time.Minute
	picks := s.run(t, 2*time.Second, time.Millisecond)
	if got := picks["C"]; got > 100 {
		t.Errorf("stalled node got %d of %d requests in 2s, want at most 100 (picks %v)", got, 2000, picks)
	}
}

func TestSimEqualNodesShareEvenly(t *testing.T) {
	s := newSim(10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond)
	s.run(t, time.Second, time.Millisecond)
	picks := s.run(t, 10*time.Second, time.Millisecond)
	for _, addr := range []string{"A", "B", "C", "D"} {
		if got := share(picks, addr); got < 0.20 || got > 0.30 {
			t.Errorf("node %s got %.1f%% of requests, want 25%% ± 5 (picks %v)", addr, 100*got, picks)
		}
	}
}
