package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/applog"
	"github.com/seed6ad8aa6b/kratos/internal/appstart"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/http/pprof"
)

var (
	_ transport.Server  = (*Server)(nil)
	_ transport.Drainer = (*Server)(nil)
	_ http.Handler      = (*Server)(nil)
)

// DefaultAddress is the address a Server listens on without WithAddress.
const DefaultAddress = ":6060"

// Option configures a Server.
type Option func(*options)

type options struct {
	network      string
	address      string
	lis          net.Listener
	metrics      http.Handler
	level        *log.LevelVar
	pprof        bool
	checks       []check
	checkTimeout time.Duration
	handlers     []route
	logger       log.Logger
}

type route struct {
	pattern string
	h       http.Handler
}

// WithNetwork sets the network to listen on, as for net.Listen. The
// default is "tcp".
func WithNetwork(network string) Option {
	return func(o *options) { o.network = network }
}

// WithAddress sets the address to listen on, as for net.Listen. The
// default is DefaultAddress, ":6060".
func WithAddress(addr string) Option {
	return func(o *options) { o.address = addr }
}

// WithListener makes the server serve on lis instead of listening itself;
// Stop closes it.
func WithListener(lis net.Listener) Option {
	return func(o *options) { o.lis = lis }
}

// WithMetrics serves h at /metrics, for example the handler of the
// contrib/metrics/prometheus module, which reads the OpenTelemetry
// instruments of the metrics middleware. The default is none: /metrics
// answers 404.
func WithMetrics(h http.Handler) Option {
	return func(o *options) { o.metrics = h }
}

// WithLogLevel serves /loglevel, which reads and changes v: give the same
// LevelVar to the App's logger with log.FilterLeveler. The default is
// none: /loglevel answers 404.
func WithLogLevel(v *log.LevelVar) Option {
	return func(o *options) { o.level = v }
}

// WithPprof serves the runtime profiles under /debug/pprof/ when on. The
// default is on.
func WithPprof(on bool) Option {
	return func(o *options) { o.pprof = on }
}

// WithReadiness adds a check that /readyz runs on every request: the
// server is ready only while check returns nil. name labels the check in
// the answer. Checks run one after the other, each with a context bounded
// by WithCheckTimeout. The default is no check.
func WithReadiness(name string, check func(context.Context) error) Option {
	return func(o *options) { o.checks = append(o.checks, newCheck(name, check)) }
}

// WithCheckTimeout bounds each readiness check. The default is one second;
// zero or less means only the request's own context bounds them.
func WithCheckTimeout(d time.Duration) Option {
	return func(o *options) { o.checkTimeout = d }
}

// WithHandler serves h for pattern, a net/http.ServeMux pattern such as
// "GET /version", on the admin listener. Options add up; a pattern that
// collides with a built-in endpoint or an earlier one panics in New, as
// ServeMux.Handle does.
func WithHandler(pattern string, h http.Handler) Option {
	return func(o *options) { o.handlers = append(o.handlers, route{pattern, h}) }
}

// WithLogger sets the logger of the server's own lines ("listening",
// "log level changed"). By default the server uses the logger of the App
// that starts it, and otherwise the global logger.
func WithLogger(l log.Logger) Option {
	return func(o *options) { o.logger = l }
}

// Server is the admin listener. Create it with New; an App starts and
// stops it. It is safe for concurrent use.
type Server struct {
	opts options
	mux  *http.ServeMux
	srv  *http.Server

	serving atomic.Bool // Start has the listener and serves
	// startup is closed when the App that started the server has finished
	// its startup (AfterStart hooks included); nil when no App started it.
	startup  atomic.Pointer[<-chan struct{}]
	draining atomic.Bool // Drain or Stop was called: not ready, for good
	log      atomic.Pointer[log.Helper]

	mu      sync.Mutex
	lis     net.Listener
	stopped bool
}

// New returns an admin server configured by opts.
func New(opts ...Option) *Server {
	o := options{
		network:      "tcp",
		address:      DefaultAddress,
		pprof:        true,
		checkTimeout: time.Second,
	}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{opts: o, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if o.metrics != nil {
		s.mux.Handle("GET /metrics", o.metrics)
	}
	if o.pprof {
		s.mux.Handle("/debug/pprof/", pprof.NewHandler())
	}
	if o.level != nil {
		s.mux.HandleFunc("GET /loglevel", s.getLevel)
		s.mux.HandleFunc("PUT /loglevel", s.setLevel)
		s.mux.HandleFunc("POST /loglevel", s.setLevel)
	}
	for _, r := range o.handlers {
		s.mux.Handle(r.pattern, r.h)
	}
	s.srv = &http.Server{
		Handler: s.mux,
		// No ReadTimeout or WriteTimeout: profiles and traces stream for
		// as long as they were asked to.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
	}
	return s
}

// ServeHTTP answers an admin request; the server's listener does the same.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Start listens, unless WithListener gave a listener, and serves until
// Stop; from then on /readyz may answer 200 — when an App runs the server,
// only once the App's startup is over, AfterStart hooks included (until
// then /readyz answers 503 ErrStarting). It returns nil once the
// server has been stopped, and at once when Stop came first. Requests'
// base context is ctx.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	lis := s.opts.lis
	if lis == nil {
		var err error
		if lis, err = net.Listen(s.opts.network, s.opts.address); err != nil {
			s.mu.Unlock()
			return fmt.Errorf("admin: listen on %s %q: %w", s.opts.network, s.opts.address, err)
		}
	}
	s.lis = lis
	s.srv.BaseContext = func(net.Listener) context.Context { return ctx }
	if ch, ok := appstart.FromContext(ctx); ok {
		s.startup.Store(&ch)
	}
	s.serving.Store(true)
	s.mu.Unlock()

	logger := s.logFor(ctx)
	s.log.Store(logger)
	logger.Infof("[admin] server listening on: %s", lis.Addr().String())
	err := s.srv.Serve(lis)
	s.serving.Store(false)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("admin: serve: %w", err)
}

// Drain makes /readyz answer 503 from now on, for good, while the server
// goes on answering everything else. The App calls it when it begins to
// stop, before its drain delay.
func (s *Server) Drain(context.Context) error {
	if !s.draining.Swap(true) {
		s.helper().Info("[admin] not ready: draining")
	}
	return nil
}

// Stop makes /readyz answer 503, closes the listener and waits for the
// requests in flight (a profile being taken, for example); when ctx is
// done first it closes their connections. It may be called before Start
// and more than once.
func (s *Server) Stop(ctx context.Context) error {
	s.draining.Store(true)
	s.mu.Lock()
	s.stopped = true
	started := s.lis != nil
	s.mu.Unlock()
	if !started {
		if s.opts.lis != nil {
			// Start never ran: nobody else closes the given listener.
			if err := s.opts.lis.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("admin: close listener: %w", err)
			}
		}
		return nil
	}
	logger := s.logFor(ctx)
	logger.Info("[admin] server stopping")
	err := s.srv.Shutdown(ctx)
	if err != nil && ctx.Err() != nil {
		logger.Warn("[admin] server could not stop gracefully in time, closing its connections")
		err = s.srv.Close()
	}
	if err != nil {
		return fmt.Errorf("admin: stop: %w", err)
	}
	return nil
}

// logFor returns the helper for the server's own lines in a call of Start
// or Stop with ctx.
func (s *Server) logFor(ctx context.Context) *log.Helper {
	if s.opts.logger != nil {
		return log.NewHelper(s.opts.logger)
	}
	return applog.Helper(ctx, nil)
}

// helper returns the helper Start settled on, or the fallback before it.
func (s *Server) helper() *log.Helper {
	if h := s.log.Load(); h != nil {
		return h
	}
	return s.logFor(context.Background())
}

// index lists the endpoints this server answers.
func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "/healthz\tliveness")
	fmt.Fprintln(w, "/readyz\treadiness")
	if s.opts.metrics != nil {
		fmt.Fprintln(w, "/metrics\tmetrics")
	}
	if s.opts.pprof {
		fmt.Fprintln(w, "/debug/pprof/\truntime profiles")
	}
	if s.opts.level != nil {
		fmt.Fprintln(w, "/loglevel\tlog level (GET, PUT)")
	}
	for _, r := range s.opts.handlers {
		fmt.Fprintln(w, r.pattern)
	}
}
