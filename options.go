package kratos

import (
	"context"
	"net/url"
	"os"
	"time"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Option configures an App.
type Option func(o *options)

// options holds an App's configuration; newOptions sets the defaults.
type options struct {
	id        string
	name      string
	version   string
	metadata  map[string]string
	endpoints []*url.URL

	ctx    context.Context
	sigs   []os.Signal
	logger log.Logger
	// keepGlobalLogger is the inverse of WithGlobalLogger, so that the zero
	// value is Kratos's behaviour.
	keepGlobalLogger bool

	registrar        registry.Registrar
	registrarTimeout time.Duration
	stopTimeout      time.Duration
	drainDelay       time.Duration
	servers          []transport.Server

	beforeStart []func(context.Context) error
	beforeStop  []func(context.Context) error
	afterStart  []func(context.Context) error
	afterStop   []func(context.Context) error
}

// ID sets the service instance ID. Default: a random UUID (version 4).
func ID(id string) Option { return func(o *options) { o.id = id } }

// Name sets the service name used for registration. Default: "".
func Name(name string) Option { return func(o *options) { o.name = name } }

// Version sets the service version. Default: "".
func Version(version string) Option { return func(o *options) { o.version = version } }

// Metadata sets the service instance metadata. Default: none.
func Metadata(md map[string]string) Option { return func(o *options) { o.metadata = md } }

// Endpoint sets the endpoints published to the registrar. Default: the
// endpoint of every server that implements transport.Endpointer.
func Endpoint(endpoints ...*url.URL) Option { return func(o *options) { o.endpoints = endpoints } }

// Context sets the parent context of the App: cancelling it stops the App
// the same way Stop does. Default: context.Background().
func Context(ctx context.Context) Option { return func(o *options) { o.ctx = ctx } }

// Logger sets the logger for the App's own messages and for the lines its
// servers log. Default: the global logger (log.GetLogger()).
//
// As in Kratos, New also installs this logger as the process-wide global
// logger (log.SetLogger), so code that logs through the log package's
// functions gets the same fields (ts, caller, service.id, ...). Pass
// WithGlobalLogger(false) to leave the global logger alone. Build the
// logger on a sink (log.NewStdLogger, ...) rather than on log.GetLogger():
// the App keeps using the logger given here, which, built on the global
// logger, would repeat its fields once installed.
func Logger(logger log.Logger) Option { return func(o *options) { o.logger = logger } }

// WithGlobalLogger sets whether New installs the logger given with Logger
// as the global logger (log.SetLogger). Default: true, as in Kratos. With
// false the global logger is left as it is; the App and its servers log
// through the Logger either way. Without a Logger option this option has
// no effect.
//
// This option is not part of Kratos.
func WithGlobalLogger(set bool) Option { return func(o *options) { o.keepGlobalLogger = !set } }

// Server adds transport servers, started concurrently by Run.
func Server(srv ...transport.Server) Option {
	return func(o *options) { o.servers = append(o.servers, srv...) }
}

// Signal sets the signals that stop the App. Default: SIGTERM, SIGQUIT and
// SIGINT.
func Signal(sigs ...os.Signal) Option { return func(o *options) { o.sigs = sigs } }

// Registrar sets the registrar the App registers with after its servers
// start and deregisters from when it stops. Default: none.
func Registrar(r registry.Registrar) Option { return func(o *options) { o.registrar = r } }

// RegistrarTimeout bounds each Register and Deregister call. Default: 10s.
func RegistrarTimeout(t time.Duration) Option {
	return func(o *options) { o.registrarTimeout = t }
}

// StopTimeout bounds the graceful stop of the servers; when it expires the
// servers are closed forcibly. Default: 25s, which fits in the 30s grace
// period Kubernetes and ECS give a container between SIGTERM and SIGKILL,
// with time left for deregistration and the AfterStop hooks. Zero or less
// means no bound: then a stream that never ends keeps the process alive
// (Kratos's default), until a second signal.
func StopTimeout(t time.Duration) Option { return func(o *options) { o.stopTimeout = t } }

// WithDrainDelay sets how long a stopping App keeps its servers serving
// after it has told them to drain (see transport.Drainer: the gRPC server's
// health turns NOT_SERVING) and deregistered the instance, before it stops
// them: the time clients need to learn that the instance is going away and
// to move their calls elsewhere, so a graceful stop fails none of them.
// The default is 1s, enough for clients that follow a registry watch or
// gRPC health; behind Kubernetes Services, whose endpoints follow a pod's
// termination a few seconds late, raise it (5s is common) and keep it plus
// StopTimeout within the pod's grace period. The wait is skipped when the
// App has neither a Registrar nor a server that implements
// transport.Drainer; a second signal cuts it short. Zero or less means no
// wait.
//
// This option is not part of Kratos, which stops its servers right after
// deregistering.
func WithDrainDelay(d time.Duration) Option { return func(o *options) { o.drainDelay = d } }

// BeforeStart adds a hook run, in order, before the servers start. An error
// aborts Run before anything is started.
func BeforeStart(fn func(context.Context) error) Option {
	return func(o *options) { o.beforeStart = append(o.beforeStart, fn) }
}

// BeforeStop adds a hook run, in order, when the App begins to stop, before
// deregistration. Every hook runs even when an earlier one fails.
func BeforeStop(fn func(context.Context) error) Option {
	return func(o *options) { o.beforeStop = append(o.beforeStop, fn) }
}

// AfterStart adds a hook run, in order, once the servers are started and
// the instance is registered. An error stops the App.
func AfterStart(fn func(context.Context) error) Option {
	return func(o *options) { o.afterStart = append(o.afterStart, fn) }
}

// AfterStop adds a hook run, in order, after every server has stopped.
// Every hook runs even when an earlier one fails.
func AfterStop(fn func(context.Context) error) Option {
	return func(o *options) { o.afterStop = append(o.afterStop, fn) }
}
