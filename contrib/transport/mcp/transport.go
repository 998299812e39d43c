package mcp

import (
	"context"
	"net/http"

	"github.com/seed6ad8aa6b/kratos/transport"
)

// KindMCP is the transport kind of a tool call.
const KindMCP transport.Kind = "mcp"

var _ transport.Transporter = (*Transport)(nil)

// Transport describes a tool call in flight. The server puts it into the
// context of the middleware chain with transport.NewServerContext, so
// middleware written for HTTP and gRPC (auth, logging, metrics) works on
// tool calls unchanged.
type Transport struct {
	endpoint  string
	operation string
	tool      string
	reqHeader headerCarrier
	repHeader headerCarrier
}

// Kind returns KindMCP.
func (tr *Transport) Kind() transport.Kind { return KindMCP }

// Endpoint returns the URL of the server, such as
// "http://127.0.0.1:8000/mcp", when it runs on its own listener, and ""
// when it is mounted on another server.
func (tr *Transport) Endpoint() string { return tr.endpoint }

// Operation returns the full method name of the RPC behind the tool, such
// as "/helloworld.v1.Greeter/SayHello".
func (tr *Transport) Operation() string { return tr.operation }

// Tool returns the name of the tool being called.
func (tr *Transport) Tool() string { return tr.tool }

// RequestHeader returns the headers of the HTTP request that carried the
// call. Over the SSE transport these are the headers of the GET request
// that opened the session.
func (tr *Transport) RequestHeader() transport.Header { return tr.reqHeader }

// ReplyHeader returns a header that middleware may write to; MCP has no
// reply headers per call, so nothing written here is sent.
func (tr *Transport) ReplyHeader() transport.Header { return tr.repHeader }

// headerCarrier is a transport.Header over an http.Header.
type headerCarrier http.Header

func (hc headerCarrier) Get(key string) string { return http.Header(hc).Get(key) }

func (hc headerCarrier) Set(key, value string) { http.Header(hc).Set(key, value) }

func (hc headerCarrier) Add(key, value string) { http.Header(hc).Add(key, value) }

func (hc headerCarrier) Keys() []string {
	keys := make([]string, 0, len(hc))
	for k := range hc {
		keys = append(keys, k)
	}
	return keys
}

func (hc headerCarrier) Values(key string) []string { return http.Header(hc).Values(key) }

// headerKey is the context key of the headers of the request that opened
// an SSE session; the SDK passes headers to tools only over Streamable HTTP.
type headerKey struct{}

func withHeader(ctx context.Context, h http.Header) context.Context {
	return context.WithValue(ctx, headerKey{}, h)
}

func headerFrom(ctx context.Context) http.Header {
	h, _ := ctx.Value(headerKey{}).(http.Header)
	return h
}
