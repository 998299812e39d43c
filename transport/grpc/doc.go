// Package grpc is the gRPC transport: a server and a client on grpc-go that
// run the framework's middleware, carry metadata and errors, and find
// servers through service discovery.
//
// # Server
//
// NewServer returns a [Server] that embeds *grpc.Server, so generated
// services register on it directly. Its interceptor runs first on every
// call: it puts a [Transport] (operation = full method name, request
// header = incoming metadata) into the context, applies the Timeout,
// and runs the middleware (Middleware, and Use for some operations). The
// same middleware wraps whole streaming handlers, so recovery, logging or
// auth protect streams too; StreamMiddleware runs around each message of a
// stream. Values set on the Transport's ReplyHeader reach the client as
// response header metadata. Errors returned by handlers reach the client as
// their gRPC status: a kratos *errors.Error carries its code (mapped from
// the HTTP code) and a google.rpc.ErrorInfo with its reason and metadata,
// which errors.FromError restores on the client; context errors become
// Canceled or DeadlineExceeded, and other errors Unknown, as in grpc-go.
//
// The server also serves grpc.health.v1.Health (SERVING from Start,
// NOT_SERVING from Stop; see CustomHealth), server reflection (see
// DisableReflection) and kratos.api.Metadata (package api/metadata).
// Stop is graceful until its context is done, then forced: it returns
// without waiting for handlers that ignore their contexts. The server logs
// its own lines with the logger in the contexts given to Start and Stop,
// which an App puts there.
//
// Unlike Kratos and grpc-go, a server limits what one client may take by
// default: 1 MiB of metadata per call, 1000 calls at once per connection,
// a ping every 5s, 5 minutes without a call before it closes a connection
// (see Options and WithIdleTimeout), and 100 levels of nesting in a
// request message (see WithRecursionLimit). A request it cannot decode
// fails with InvalidArgument (grpc-go: Internal).
//
// # Client
//
// Dial and DialInsecure return a *grpc.ClientConn whose interceptor puts a
// client [Transport] into the context of each call and runs the client
// middleware; values set on its RequestHeader are sent as metadata. Each
// unary call gets a timeout (two seconds by default). Targets may be
// "host:port", "direct://authority/host1:port1,host2:port2" (package
// resolver/direct) or, WithDiscovery, "discovery:///name" (package
// resolver/discovery). The connection balances calls with the "selector"
// policy: a selector built from selector.GlobalSelector when the connection
// is made picks a server for every call, after the node filters of
// WithNodeFilter, and learns the outcome (error, trailer) of each call.
//
// # Registration with grpc-go
//
// The package registers two plug-ins in grpc-go's registries, which
// grpc-go only allows at initialisation: the "selector" load balancing
// policy and a "json" codec, so that clients may send
// grpc.CallContentSubtype("json") calls (protobuf JSON) to any server of
// this package. Neither replaces anything grpc-go provides. Unlike Kratos,
// the direct resolver is not registered globally; Dial adds it to each
// connection. To decode requests with its own limits, a Server forces a
// codec of its own on its grpc.Server (see WithRecursionLimit) rather than
// replace grpc-go's "proto" codec for the whole process.
package grpc
