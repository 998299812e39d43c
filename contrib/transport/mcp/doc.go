// Package mcp serves the unary RPCs of gRPC services as Model Context
// Protocol tools, on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// [NewServer] makes a [Server]; [Server.RegisterService] turns each exposed
// method of a service into a tool named "Service_Method", with the
// method's proto comment as description and input and output schemas
// from encoding/jsonschema, which describe exactly what the framework's
// json codec reads and writes. Choose the methods with [WithMethods] and
// configure one with [WithMethod].
//
// Every call runs through the server middleware given with
// [WithMiddleware], with a [Transport] of kind "mcp" in the context whose
// operation is the RPC's full method name ("/pkg.Service/Method") and whose
// request header is that of the HTTP request. Middleware written for the
// HTTP and gRPC servers therefore applies to tools too: a method that
// middleware/auth/jwt protects stays protected when it is a tool. A
// failed call is a tool error whose text is the Kratos error as JSON
// (code, reason, message, metadata), so the model sees why it failed.
//
// The Server serves Streamable HTTP, and the older HTTP+SSE transport on
// paths ending in "/sse". An App runs it on its own listener as a
// transport.Server, or it is mounted on the HTTP server with
// HandlePrefix.
package mcp
