package tracing

import (
	"context"

	"go.opentelemetry.io/otel/propagation"

	"github.com/seed6ad8aa6b/kratos/metadata"
)

// serviceHeader carries the calling service's name from client to server.
const serviceHeader = "x-md-service-name"

// Metadata is a propagator for the name of the calling service, carried in
// the x-md-service-name header. On the server, Extract stores the caller's
// name in the server metadata of the context (package metadata), where
// Server reads it into the span attribute peer.service.
//
// Inject writes the name set with WithServiceName; the zero Metadata writes
// nothing. (Kratos reads the name from the App in the context; this package
// sits below the App in the import layering and cannot reach it.)
type Metadata struct {
	name string
}

var _ propagation.TextMapPropagator = Metadata{}

// Inject writes the service name, when there is one, into carrier.
func (m Metadata) Inject(_ context.Context, carrier propagation.TextMapCarrier) {
	if m.name != "" {
		carrier.Set(serviceHeader, m.name)
	}
}

// Extract returns parent with the caller's service name from carrier added
// to its server metadata. The metadata already in parent is not modified: a
// copy with the name is stored in the returned context.
func (Metadata) Extract(parent context.Context, carrier propagation.TextMapCarrier) context.Context {
	name := carrier.Get(serviceHeader)
	if name == "" {
		return parent
	}
	md, ok := metadata.FromServerContext(parent)
	if ok && md.Get(serviceHeader) == name {
		return parent
	}
	if ok {
		md = md.Clone()
	} else {
		md = metadata.New()
	}
	md.Set(serviceHeader, name)
	return metadata.NewServerContext(parent, md)
}

// Fields returns the header Inject writes.
func (Metadata) Fields() []string {
	return []string{serviceHeader}
}
