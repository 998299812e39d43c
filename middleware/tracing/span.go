package tracing

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/metadata"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Attribute keys. The rpc.*, http.request.method, http.route, url.*,
// user_agent.original and network.peer.* names follow the OpenTelemetry
// semantic conventions (v1.24). The older http.method, http.target,
// net.peer.ip and net.peer.port are also written, so dashboards built on
// either generation of names keep working.
const (
	keyRPCSystem      = "rpc.system"
	keyRPCService     = "rpc.service"
	keyRPCMethod      = "rpc.method"
	keyRPCOperation   = "rpc.operation"
	keyRPCStatusCode  = "rpc.status_code"
	keyHTTPReqMethod  = "http.request.method"
	keyHTTPRoute      = "http.route"
	keyURLFull        = "url.full"
	keyURLPath        = "url.path"
	keyURLQuery       = "url.query"
	keyURLFragment    = "url.fragment"
	keyURLScheme      = "url.scheme"
	keyUserAgent      = "user_agent.original"
	keyPeerAddress    = "network.peer.address"
	keyPeerPort       = "network.peer.port"
	keyPeerService    = "peer.service"
	keySendMsgSize    = "send_msg.size"
	keyRecvMsgSize    = "recv_msg.size"
	keyLegacyMethod   = "http.method"
	keyLegacyTarget   = "http.target"
	keyLegacyPeerIP   = "net.peer.ip"
	keyLegacyPeerPort = "net.peer.port"
)

// httpTransporter is the part of the HTTP transport's Transporter that
// spans are described with. It is declared here, rather than imported, so
// that any transport offering the request can be described.
type httpTransporter interface {
	Request() *http.Request
	PathTemplate() string
}

// maxSpanAttrs is a capacity that fits every attribute set below.
const maxSpanAttrs = 20

// setServerSpan describes a server call on span: the transport kind as
// rpc.system, the operation, the HTTP request, the peer's address, the
// request size and the calling service's name (see Metadata).
func setServerSpan(ctx context.Context, span trace.Span, tr transport.Transporter, req any) {
	attrs := make([]attribute.KeyValue, 0, maxSpanAttrs)
	var remote string
	switch tr.Kind() {
	case transport.KindHTTP:
		if ht, ok := tr.(httpTransporter); ok {
			if r := ht.Request(); r != nil {
				attrs = appendHTTPAttrs(attrs, r, ht.PathTemplate(), true)
				remote = r.RemoteAddr
			}
		}
	case transport.KindGRPC:
		if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
			remote = p.Addr.String()
		}
	}
	attrs = append(attrs, attribute.String(keyRPCSystem, tr.Kind().String()))
	attrs = appendMethodAttrs(attrs, tr.Operation())
	attrs = appendPeerAttrs(attrs, remote)
	if p, ok := req.(proto.Message); ok {
		attrs = append(attrs, attribute.Int(keyRecvMsgSize, proto.Size(p)))
	}
	if md, ok := metadata.FromServerContext(ctx); ok {
		if name := md.Get(serviceHeader); name != "" {
			attrs = append(attrs, attribute.String(keyPeerService, name))
		}
	}
	span.SetAttributes(attrs...)
}

// setClientSpan describes a client call on span: the transport kind as
// rpc.system, the operation, the HTTP request, the target's address and the
// request size.
func setClientSpan(_ context.Context, span trace.Span, tr transport.Transporter, req any) {
	attrs := make([]attribute.KeyValue, 0, maxSpanAttrs)
	var remote string
	switch tr.Kind() {
	case transport.KindHTTP:
		if ht, ok := tr.(httpTransporter); ok {
			if r := ht.Request(); r != nil {
				attrs = appendHTTPAttrs(attrs, r, ht.PathTemplate(), false)
				remote = r.Host
				if remote == "" && r.URL != nil {
					remote = r.URL.Host
				}
			}
		}
	case transport.KindGRPC:
		remote = targetAddress(tr.Endpoint())
	}
	attrs = append(attrs, attribute.String(keyRPCSystem, tr.Kind().String()))
	attrs = appendMethodAttrs(attrs, tr.Operation())
	attrs = appendPeerAttrs(attrs, remote)
	if p, ok := req.(proto.Message); ok {
		attrs = append(attrs, attribute.Int(keySendMsgSize, proto.Size(p)))
	}
	span.SetAttributes(attrs...)
}

// appendHTTPAttrs appends the method, route and URL of r. Empty optional
// parts (query, fragment, user agent) are left out.
func appendHTTPAttrs(attrs []attribute.KeyValue, r *http.Request, route string, server bool) []attribute.KeyValue {
	attrs = append(attrs,
		attribute.String(keyHTTPReqMethod, r.Method),
		attribute.String(keyLegacyMethod, r.Method),
		attribute.String(keyHTTPRoute, route),
	)
	if u := r.URL; u != nil {
		attrs = append(attrs,
			attribute.String(keyURLPath, u.Path),
			attribute.String(keyLegacyTarget, u.Path),
			attribute.String(keyURLFull, u.String()),
		)
		if u.RawQuery != "" {
			attrs = append(attrs, attribute.String(keyURLQuery, u.RawQuery))
		}
		if u.Fragment != "" {
			attrs = append(attrs, attribute.String(keyURLFragment, u.Fragment))
		}
		scheme := u.Scheme
		if scheme == "" && server {
			// A server request's URL holds only the path and query.
			scheme = "http"
			if r.TLS != nil {
				scheme = "https"
			}
		}
		if scheme != "" {
			attrs = append(attrs, attribute.String(keyURLScheme, scheme))
		}
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, attribute.String(keyUserAgent, ua))
	}
	return attrs
}

// appendMethodAttrs appends rpc.service and rpc.method parsed from an
// operation of the form "/package.Service/Method". Any other operation is
// recorded whole as rpc.operation.
func appendMethodAttrs(attrs []attribute.KeyValue, operation string) []attribute.KeyValue {
	name := strings.TrimLeft(operation, "/")
	service, method, ok := strings.Cut(name, "/")
	if !ok {
		return append(attrs, attribute.String(keyRPCOperation, operation))
	}
	if service != "" {
		attrs = append(attrs, attribute.String(keyRPCService, service))
	}
	if method != "" {
		attrs = append(attrs, attribute.String(keyRPCMethod, method))
	}
	return attrs
}

// appendPeerAttrs appends the host and port of addr ("host:port"). An
// address without a port adds nothing; an empty host is the loopback
// address, as in ":8000".
func appendPeerAttrs(attrs []attribute.KeyValue, addr string) []attribute.KeyValue {
	if addr == "" {
		return attrs
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return attrs
	}
	if host == "" {
		host = "127.0.0.1"
	}
	attrs = append(attrs,
		attribute.String(keyPeerAddress, host),
		attribute.String(keyLegacyPeerIP, host),
		attribute.String(keyLegacyPeerPort, port),
	)
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int(keyPeerPort, n))
	}
	return attrs
}

// targetAddress returns the address part of a gRPC client target:
// "discovery:///helloworld" gives "helloworld", "dns:///10.0.0.1:9000" and
// "grpc://10.0.0.1:9000" give "10.0.0.1:9000", and a bare "10.0.0.1:9000" is
// returned as it is.
func targetAddress(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		// "10.0.0.1:9000" does not parse as a URL (first path segment with
		// a colon); read it as a host.
		if u, err = url.Parse("http://" + endpoint); err != nil {
			return ""
		}
		return u.Host
	}
	if len(u.Path) > 1 {
		return u.Path[1:]
	}
	if u.Host != "" {
		return u.Host
	}
	return endpoint
}
