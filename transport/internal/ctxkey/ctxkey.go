// Package ctxkey holds the context keys under which package transport
// stores the server and client Transporter. They live here, not in
// transport itself, so that a transport implementation (transport/http)
// can build a request context that answers for the key directly instead of
// wrapping one more context around it on every request.
package ctxkey

// Server is the key of the server-side Transporter.
type Server struct{}

// Client is the key of the client-side Transporter.
type Client struct{}
