package selector

import (
	"strconv"

	"github.com/seed6ad8aa6b/kratos/registry"
)

// Node is one address of a service instance.
type Node interface {
	// Scheme is the protocol of Address, such as "http" or "grpc".
	Scheme() string
	// Address is the host:port the node is reached at.
	Address() string
	// ServiceName is the name of the service the node belongs to.
	ServiceName() string
	// InitialWeight is the weight the service publisher assigned, or nil.
	InitialWeight() *int64
	// Version is the version of the service instance.
	Version() string
	// Metadata is the metadata of the service instance; do not modify it.
	Metadata() map[string]string
}

// DefaultNode is the Node made by [NewNode]. It is immutable.
type DefaultNode struct {
	scheme   string
	addr     string
	weight   *int64
	version  string
	name     string
	metadata map[string]string
}

var _ Node = (*DefaultNode)(nil)

// NewNode returns a node for the endpoint scheme://addr of ins. It takes the
// service name, version and metadata from ins, which may be nil, and the
// initial weight from the metadata key "weight" parsed as a base-10 int64;
// the initial weight is nil when that key is absent or does not parse.
func NewNode(scheme, addr string, ins *registry.ServiceInstance) Node {
	n := &DefaultNode{scheme: scheme, addr: addr}
	if ins != nil {
		n.name = ins.Name
		n.version = ins.Version
		n.metadata = ins.Metadata
		if s, ok := ins.Metadata["weight"]; ok {
			if w, err := strconv.ParseInt(s, 10, 64); err == nil {
				n.weight = &w
			}
		}
	}
	return n
}

// Scheme returns the scheme given to NewNode.
func (n *DefaultNode) Scheme() string { return n.scheme }

// Address returns the address given to NewNode.
func (n *DefaultNode) Address() string { return n.addr }

// ServiceName returns the name of the service instance.
func (n *DefaultNode) ServiceName() string { return n.name }

// InitialWeight returns the weight from the "weight" metadata key, or nil.
func (n *DefaultNode) InitialWeight() *int64 { return n.weight }

// Version returns the version of the service instance.
func (n *DefaultNode) Version() string { return n.version }

// Metadata returns the metadata of the service instance.
func (n *DefaultNode) Metadata() map[string]string { return n.metadata }
