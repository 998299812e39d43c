package grpc

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Transport is the gRPC [transport.Transporter]: the server puts one into
// the context of every call it serves, and the client into the context its
// middleware runs with. Get it back with transport.FromServerContext or
// transport.FromClientContext and a type assertion.
//
// On the server, RequestHeader is the incoming metadata and values set on
// ReplyHeader are sent to the client as response header metadata. On the
// client, values set on RequestHeader by middleware are sent as outgoing
// metadata, and ReplyHeader holds the response header metadata once the
// call has returned.
//
// The header views are built on first use. Reading them from several
// goroutines is safe; changing them is not, as with any map. On the
// server, RequestHeader reads grpc-go's incoming metadata in place and
// copies it on the first Set or Add, so that changes stay in the
// Transport, as they do in Kratos, whose view is a copy from the start;
// the slices Values returns must not be written to.
type Transport struct {
	endpoint    string
	operation   string
	nodeFilters []selector.NodeFilter

	// incoming is the server call's context, read for the request metadata
	// on the first RequestHeader call; nil on the client.
	incoming context.Context
	// client is what only a client call has; nil on the server.
	client *clientState

	reqOnce     sync.Once // on the server, loads reqHeader from incoming
	reqHeader   mdHeader
	replyOnce   sync.Once
	replyHeader headerCarrier
}

// clientState is the part of a client call's Transport that a server call
// does without: how many attempts the middleware made, and a lock for
// merging their reply headers (see clientCall).
type clientState struct {
	attempts atomic.Int32
	replyMu  sync.Mutex
}

var _ transport.Transporter = (*Transport)(nil)

// Kind returns transport.KindGRPC.
func (tr *Transport) Kind() transport.Kind { return transport.KindGRPC }

// Endpoint returns the server endpoint ("grpc://host:port") on the server
// and the dial target on the client.
func (tr *Transport) Endpoint() string { return tr.endpoint }

// Operation returns the full method name, "/package.Service/Method".
func (tr *Transport) Operation() string { return tr.operation }

// RequestHeader returns the request metadata.
func (tr *Transport) RequestHeader() transport.Header {
	if tr.incoming != nil {
		tr.reqOnce.Do(func() { tr.reqHeader.md, tr.reqHeader.owned = incomingMD(tr.incoming) })
	}
	return &tr.reqHeader
}

// ReplyHeader returns the reply header metadata.
func (tr *Transport) ReplyHeader() transport.Header {
	tr.replyOnce.Do(func() {
		if tr.replyHeader == nil {
			tr.replyHeader = headerCarrier{}
		}
	})
	return tr.replyHeader
}

// NodeFilters returns the client's node filters (see WithNodeFilter); nil
// on the server.
func (tr *Transport) NodeFilters() []selector.NodeFilter { return tr.nodeFilters }

// requestMD returns the request metadata set so far. Call it only after
// the middleware that may set it has returned.
func (tr *Transport) requestMD() metadata.MD { return tr.reqHeader.md }

// replyMD returns the reply metadata set so far, without building the view.
// Call it only after the handler that may set it has returned.
func (tr *Transport) replyMD() metadata.MD { return metadata.MD(tr.replyHeader) }

// incomingMD returns the incoming metadata of a server call's context
// and whether it is a copy. It is grpc-go's own map when that can be read
// in place: found under the key metadata.FromIncomingContext looks for,
// with lower-case keys only, as grpc-go's server makes them.
// FromIncomingContext, which copies every key and value, is the fallback.
func incomingMD(ctx context.Context) (md metadata.MD, copied bool) {
	if keys.incoming != nil {
		if md, ok := ctx.Value(keys.incoming).(metadata.MD); ok && lowerKeys(md) {
			return md, false
		}
	}
	md, _ = metadata.FromIncomingContext(ctx)
	return md, true
}

func lowerKeys(md metadata.MD) bool {
	for k := range md {
		for i := 0; i < len(k); i++ {
			if 'A' <= k[i] && k[i] <= 'Z' {
				return false
			}
		}
	}
	return true
}

// mdHeader is the request metadata of a call as a [transport.Header]. On
// the server it reads grpc-go's map until it is changed, and a copy from
// then on. On the client it starts empty, with no map until the first Set
// or Add.
type mdHeader struct {
	md    metadata.MD // lower-case keys
	owned bool        // md is ours, free to change
}

// Get returns the first value of key, or "".
func (h *mdHeader) Get(key string) string {
	if vs := h.md[strings.ToLower(key)]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Set replaces the values of key with value.
func (h *mdHeader) Set(key, value string) { h.own().Set(key, value) }

// Add appends value to the values of key.
func (h *mdHeader) Add(key, value string) { h.own().Append(key, value) }

// Keys returns the keys, in no particular order.
func (h *mdHeader) Keys() []string { return headerCarrier(h.md).Keys() }

// Values returns every value of key. The slice must not be written to;
// appending to it is safe.
func (h *mdHeader) Values(key string) []string {
	return slices.Clip(h.md[strings.ToLower(key)])
}

// own makes md a copy, if it is not one yet, and returns it.
func (h *mdHeader) own() metadata.MD {
	if !h.owned || h.md == nil {
		h.md, h.owned = h.md.Copy(), true
	}
	return h.md
}

// headerCarrier is gRPC metadata seen as a [transport.Header]. Keys are
// lower-cased, as gRPC requires.
type headerCarrier metadata.MD

// Get returns the first value of key, or "".
func (h headerCarrier) Get(key string) string {
	if vs := metadata.MD(h).Get(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Set replaces the values of key with value.
func (h headerCarrier) Set(key, value string) { metadata.MD(h).Set(key, value) }

// Add appends value to the values of key.
func (h headerCarrier) Add(key, value string) { metadata.MD(h).Append(key, value) }

// Keys returns the keys, in no particular order.
func (h headerCarrier) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

// Values returns every value of key.
func (h headerCarrier) Values(key string) []string { return metadata.MD(h).Get(key) }

// Trailer is the trailer metadata of a call, reported to selector nodes as
// their [selector.ReplyMD].
type Trailer metadata.MD

var _ selector.ReplyMD = Trailer(nil)

// Get returns the first value of key (matched case-insensitively), or "".
func (t Trailer) Get(key string) string {
	if vs := metadata.MD(t).Get(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}
