package selector

import "context"

// Peer receives the node a Select call picked.
type Peer struct {
	// Node is the picked node, set by Select.
	Node Node
}

type peerKey struct{}

// NewPeerContext returns a copy of ctx carrying p. A Select call made with
// that context stores the node it picks in p.
func NewPeerContext(ctx context.Context, p *Peer) context.Context {
	return context.WithValue(ctx, peerKey{}, p)
}

// FromPeerContext returns the Peer stored by NewPeerContext, if any.
func FromPeerContext(ctx context.Context) (*Peer, bool) {
	p, ok := ctx.Value(peerKey{}).(*Peer)
	return p, ok
}
