// Package rpcwire holds what the RPC protocols served on the HTTP port
// (Connect, gRPC, gRPC-Web) share: the seam between them and the server
// (Protocol and Stream), the five-byte message envelope, codecs, gzip
// compression and status codes.
//
// The server picks a Protocol by the request, asks it for a Stream and
// runs the method's handler over that Stream: the handler receives its
// requests with Receive, sends replies with Send and ends the call with
// Close, whatever protocol frames them on the wire. Each protocol lives in
// a package of its own (internal/connect, internal/grpc) and imports this
// one; nothing here knows a protocol.
package rpcwire
