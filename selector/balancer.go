package selector

import (
	"context"
	"time"
)

// WeightedNode is a Node together with the statistics a balancer picks by.
// Implementations are safe for concurrent use.
type WeightedNode interface {
	Node

	// Raw returns the node this one was built from.
	Raw() Node
	// Weight returns the current effective weight; a balancer prefers
	// nodes with a higher weight.
	Weight() float64
	// Pick records that the node was picked and returns the function to
	// call, exactly once, when the call has finished.
	Pick() DoneFunc
	// PickElapsed returns the time since the node was last picked.
	PickElapsed() time.Duration
}

// WeightedNodeBuilder wraps a Node into a WeightedNode.
type WeightedNodeBuilder interface {
	Build(Node) WeightedNode
}

// Balancer picks one node out of a non-empty candidate list. It must not
// retain or modify the slice. Implementations are safe for concurrent use.
type Balancer interface {
	// Pick returns the picked node and the result of its Pick method. It
	// returns ErrNoAvailable when nodes is empty.
	Pick(ctx context.Context, nodes []WeightedNode) (selected WeightedNode, done DoneFunc, err error)
}

// BalancerBuilder builds a new, independent Balancer.
type BalancerBuilder interface {
	Build() Balancer
}

// DoneFunc reports the outcome of a call to the node it was sent to.
type DoneFunc func(ctx context.Context, di DoneInfo)

// DoneInfo is the outcome of a call.
type DoneInfo struct {
	// Err is the error the call ended with, or nil.
	Err error
	// ReplyMD is the metadata (headers or trailers) of the reply, if any.
	ReplyMD ReplyMD

	// BytesSent reports whether any bytes were sent to the server.
	BytesSent bool
	// BytesReceived reports whether any bytes were received from the server.
	BytesReceived bool
}

// ReplyMD is read access to reply metadata.
type ReplyMD interface {
	Get(key string) string
}
