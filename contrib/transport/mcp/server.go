package mcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

var (
	_ transport.Server = (*Server)(nil)
	_ http.Handler     = (*Server)(nil)
)

// ServerOption configures a Server.
type ServerOption func(*serverOptions)

type serverOptions struct {
	network, address string
	listener         net.Listener
	ms               []middleware.Middleware
	name, version    string
	sse              bool
	streamable       sdk.StreamableHTTPOptions
}

// WithAddress sets the address Start listens on. The default is ":0", a
// free port on every interface.
func WithAddress(addr string) ServerOption {
	return func(o *serverOptions) { o.address = addr }
}

// WithListener makes Start serve on l instead of listening itself. Stop
// closes l.
func WithListener(l net.Listener) ServerOption {
	return func(o *serverOptions) { o.listener = l }
}

// WithMiddleware sets the server middleware every tool call of a
// registered service runs through, the first one outermost, as with the
// HTTP and gRPC servers. The default is none.
func WithMiddleware(m ...middleware.Middleware) ServerOption {
	return func(o *serverOptions) { o.ms = m }
}

// WithImplementation sets the name and version the server reports to
// clients in initialize. The default is "kratos" with no version.
func WithImplementation(name, version string) ServerOption {
	return func(o *serverOptions) { o.name, o.version = name, version }
}

// WithSSE turns serving the older HTTP+SSE transport (protocol version
// 2024-11-05) on paths ending in "/sse" on or off. The default is on.
func WithSSE(on bool) ServerOption {
	return func(o *serverOptions) { o.sse = on }
}

// WithStreamableHTTPOptions sets the options of the SDK's Streamable HTTP
// handler (stateless mode, JSON responses, session timeout). The default
// is the SDK's zero options: stateful sessions answered with SSE streams.
func WithStreamableHTTPOptions(opts sdk.StreamableHTTPOptions) ServerOption {
	return func(o *serverOptions) { o.streamable = opts }
}

// Server serves MCP tools made from gRPC services (see RegisterService)
// over Streamable HTTP and, on paths ending in "/sse", over the older
// HTTP+SSE transport.
//
// It is a transport.Server an App runs on its own listener, and an
// http.Handler to mount on another server instead:
//
//	httpSrv.HandlePrefix("/mcp", mcpSrv)
//	httpSrv.RegisterOnShutdown(mcpSrv.CloseSessions)
//
// which serves Streamable HTTP at /mcp and SSE at /mcp/sse. Mount it with
// HandlePrefix rather than Handle: prefix handlers run without the HTTP
// server's request timeout, which would cut the long-lived streams.
//
// Register services before serving; a Server is safe for concurrent use.
type Server struct {
	opts       serverOptions
	mcp        *sdk.Server
	chain      middleware.Middleware
	streamable http.Handler
	sse        http.Handler

	mu       sync.Mutex
	lis      net.Listener
	srv      *http.Server
	baseCtx  context.Context
	cancel   context.CancelFunc
	listened bool
	url      string // set by Start
}

// NewServer returns a Server with no tools.
func NewServer(opts ...ServerOption) *Server {
	o := serverOptions{network: "tcp", address: ":0", name: "kratos", sse: true}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		opts:  o,
		mcp:   sdk.NewServer(&sdk.Implementation{Name: o.name, Version: o.version}, nil),
		chain: middleware.Chain(o.ms...),
	}
	getServer := func(*http.Request) *sdk.Server { return s.mcp }
	streamable := o.streamable
	s.streamable = sdk.NewStreamableHTTPHandler(getServer, &streamable)
	sse := sdk.NewSSEHandler(getServer, nil)
	// The SDK gives tools the request headers only over Streamable HTTP;
	// over SSE the session's context carries those of the opening GET.
	s.sse = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sse.ServeHTTP(w, r.WithContext(withHeader(r.Context(), r.Header.Clone())))
	})
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	return s
}

// MCP returns the SDK server behind s, to add hand-written tools,
// prompts or resources.
func (s *Server) MCP() *sdk.Server { return s.mcp }

// ServeHTTP serves SSE on paths ending in "/sse" (when enabled) and
// Streamable HTTP on every other path.
//
// Requests end when the Server stops or its sessions are closed (see
// CloseSessions), so that the server it is mounted on can stop gracefully.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.baseCtx, cancel)()
	r = r.WithContext(ctx)
	if s.opts.sse && strings.HasSuffix(r.URL.Path, "/sse") {
		s.sse.ServeHTTP(w, r)
		return
	}
	s.streamable.ServeHTTP(w, r)
}

// CloseSessions ends the open sessions and streams, and every request in
// flight, for good: later requests fail at once. When s is mounted on
// another server, call it as that server stops, since the streams would
// otherwise hold its graceful stop until the deadline:
//
//	httpSrv.RegisterOnShutdown(mcpSrv.CloseSessions)
func (s *Server) CloseSessions() {
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
}

var errStopped = errors.New("mcp: server stopped")

// listen opens the listener once; Start and URL share it.
func (s *Server) listen() (net.Listener, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lis != nil {
		return s.lis, nil
	}
	if s.listened {
		return nil, errStopped
	}
	lis := s.opts.listener
	if lis == nil {
		var err error
		if lis, err = net.Listen(s.opts.network, s.opts.address); err != nil {
			return nil, fmt.Errorf("mcp: listen on %s: %w", s.opts.address, err)
		}
	}
	s.lis, s.listened = lis, true
	return lis, nil
}

// URL returns the Streamable HTTP URL of the server, such as
// "http://127.0.0.1:8000/mcp", listening first when Start has not yet. It
// is not named Endpoint so that an App does not register the MCP server in
// a registry as an HTTP service.
func (s *Server) URL() (*url.URL, error) {
	lis, err := s.listen()
	if err != nil {
		return nil, err
	}
	host := lis.Addr().String()
	if h, port, err := net.SplitHostPort(host); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		host = net.JoinHostPort("127.0.0.1", port)
	}
	return &url.URL{Scheme: "http", Host: host, Path: "/mcp"}, nil
}

// endpoint returns the URL of the listener Start serves on, or "" when s
// is not started (mounted on another server).
func (s *Server) endpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Start serves until Stop; it returns nil after Stop, and at once when
// Stop ran first.
func (s *Server) Start(ctx context.Context) error {
	lis, err := s.listen()
	if errors.Is(err, errStopped) {
		return nil
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.baseCtx.Err() != nil {
		// Stop ran first and closed the listener.
		s.mu.Unlock()
		return nil
	}
	if s.srv == nil {
		s.srv = &http.Server{
			Handler:     s,
			BaseContext: func(net.Listener) context.Context { return s.baseCtx },
		}
	}
	srv := s.srv
	s.mu.Unlock()
	u, err := s.URL()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.url = u.String()
	s.mu.Unlock()
	if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("mcp: serve: %w", err)
	}
	return nil
}

// Stop ends the open sessions and their streams, which would otherwise
// never finish, by cancelling the contexts of all requests (including the
// tool calls in flight), then shuts the server down, waiting for the
// handlers to return until ctx is done; it closes the connections then.
// It may be called before Start, which then returns nil at once.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, lis := s.srv, s.lis
	s.listened = true
	if srv == nil {
		// Never started: release the listener that URL may have opened.
		s.lis = nil
	}
	s.cancel()
	s.mu.Unlock()
	if srv == nil {
		if lis != nil {
			return lis.Close()
		}
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		return errors.Join(fmt.Errorf("mcp: shutdown: %w", err), srv.Close())
	}
	return nil
}
