// Package http is the HTTP transport: a Server that routes requests to
// handlers (the ones protoc-gen-go-http generates, or plain net/http
// handlers) and a Client that calls such servers, both sharing the kratos
// middleware, error and metadata models.
//
// # Server
//
// NewServer returns a Server, which is a transport.Server for an App and an
// http.Handler. Generated code registers routes with Route:
//
//	r := srv.Route("/")
//	r.GET("/helloworld/{name}", handler)
//
// A HandlerFunc receives a Context to bind the request (Bind for the body,
// BindQuery, BindVars for path variables), to run the service middleware
// (Middleware) and to write the reply (Result). Templates use {name} for a
// path segment and {name:regex} for a pattern. Requests go through the
// server filters (Filter), the router, then the route's filters and the
// handler; the handler's context carries a Transport (see
// transport.FromServerContext) and the deadline set by Timeout.
//
// Codecs are chosen by Content-Type for request bodies and by Accept for
// replies, json by default. Errors are written as
// {"code","reason","message","metadata"} with the error's code as HTTP
// status. Unknown paths get a 404 error and known paths with another method
// a 405 error with an Allow header: nothing falls back to
// http.DefaultServeMux. Request bodies of routes are limited (see
// WithMaxRequestBodySize).
//
// # Streams
//
// Streaming methods of a gRPC service are served over HTTP on the stream
// interfaces protoc-gen-go-grpc generates, so one implementation serves
// both transports: server-streaming calls as Server-Sent Events
// (NewServerSentEventServerStream, read by Client.ServerSentEvent or a
// browser's EventSource), client- and bidi-streaming calls over WebSocket
// (NewWebSocketServerStream, Client.WebSocket). A ServerStream is not cut
// by the server's Timeout, runs the service inside the server middleware
// like any call, and carries errors as {"code","reason","message","metadata"}
// to the client, which returns them as *errors.Error. See ServerStream and
// ClientStream.
//
// A google.api.HttpBody request or reply (*httpbody.HttpBody) is the raw
// body with its content type, in the default codecs of server and client.
//
// # Client
//
// NewClient returns a Client for one endpoint or, with WithDiscovery, for
// the instances of a service ("discovery:///name"). Invoke encodes the
// request, runs the client middleware, and decodes the reply, or the error:
// a non-2xx response comes back as an *errors.Error with the status as its
// code.
package http
