// Package kratos is the App lifecycle manager: it starts transport servers,
// registers the service instance, waits for a signal or Stop, then stops
// everything in reverse and reports every error it met.
//
// Run does, in order:
//
//  1. build the service instance (endpoints from the Endpoint option, else
//     from every server implementing transport.Endpointer);
//  2. run the BeforeStart hooks (the first error aborts Run);
//  3. start every server concurrently, and wait until every start
//     goroutine runs, so that each server's Start is called before the
//     instance is registered and before any Stop;
//  4. register the instance with the Registrar under RegistrarTimeout;
//  5. run the AfterStart hooks; once they succeed the startup is over,
//     which servers that care learn through their Start context (the
//     admin server's /readyz answers 200 only from then on);
//  6. wait for a signal, a call to Stop, the cancellation of the Context
//     option, or a server failing;
//  7. stop: BeforeStop hooks, the servers' drain (transport.Drainer) and
//     deregistration, a wait while the servers keep serving (WithDrainDelay,
//     1s by default), then every server under StopTimeout (25s by
//     default) with a context that is not already cancelled;
//  8. run the AfterStop hooks.
//
// A failure in steps 3 to 5 goes straight to step 7, so servers already
// started are stopped. Steps 7 and 8 run every hook even after an error, and
// Run returns all errors joined. A second signal during steps 7 and 8 ends
// Run at once: the servers' stop context is cancelled, so they close their
// connections, and Run returns without waiting for them or the hooks.
//
// The contexts given to the servers' Start and Stop carry the App's logger
// (see Logger); the framework's servers log their own lines with it.
package kratos

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/applog"
	"github.com/seed6ad8aa6b/kratos/internal/appstart"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Release is the version of the Kratos API this module matches.
const Release = "v2.9.2"

// DefaultStopTimeout is the StopTimeout of an App made without the option.
//
// This constant is not part of Kratos, whose default is no bound.
const DefaultStopTimeout = 25 * time.Second

// DefaultDrainDelay is the drain delay of an App made without
// WithDrainDelay.
//
// This constant is not part of Kratos, which does not drain.
const DefaultDrainDelay = time.Second

// AppInfo describes a running application.
type AppInfo interface {
	ID() string
	Name() string
	Version() string
	Metadata() map[string]string
	Endpoint() []string
}

// App manages the lifecycle of a service. Create it with New; call Run once.
// Stop may be called from any goroutine.
type App struct {
	opts   options
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	instance *registry.ServiceInstance

	registered bool
	stopOnce   sync.Once
}

var _ AppInfo = (*App)(nil)

// New returns an App configured by opts.
func New(opts ...Option) *App {
	o := options{
		ctx:              context.Background(),
		sigs:             []os.Signal{syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGINT},
		registrarTimeout: 10 * time.Second,
		stopTimeout:      DefaultStopTimeout,
		drainDelay:       DefaultDrainDelay,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.id == "" {
		o.id = newUUID()
	}
	if o.logger == nil {
		o.logger = log.GetLogger()
	} else if !o.keepGlobalLogger {
		log.SetLogger(o.logger)
	}
	ctx, cancel := context.WithCancel(o.ctx)
	return &App{opts: o, ctx: ctx, cancel: cancel}
}

// ID returns the service instance ID.
func (a *App) ID() string { return a.opts.id }

// Name returns the service name.
func (a *App) Name() string { return a.opts.name }

// Version returns the service version.
func (a *App) Version() string { return a.opts.version }

// Metadata returns the service metadata.
func (a *App) Metadata() map[string]string { return a.opts.metadata }

// Endpoint returns the endpoints of the registered instance; it is empty
// until Run has built the instance.
func (a *App) Endpoint() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.instance == nil {
		return []string{}
	}
	return a.instance.Endpoints
}

// Run starts the App and blocks until it has stopped. See the package
// documentation for the order of events. It returns every error met, joined.
func (a *App) Run() error {
	instance, err := a.buildInstance()
	if err != nil {
		a.cancel()
		return err
	}
	a.mu.Lock()
	a.instance = instance
	a.mu.Unlock()

	// Listen for signals from the start, so one that arrives while starting
	// is not lost; it is acted on once startup is over.
	sigs := make(chan os.Signal, 1)
	if len(a.opts.sigs) > 0 {
		signal.Notify(sigs, a.opts.sigs...)
		defer signal.Stop(sigs)
	}

	sctx := NewContext(a.ctx, a)
	for _, fn := range a.opts.beforeStart {
		if err := fn(sctx); err != nil {
			a.cancel()
			return fmt.Errorf("kratos: before start: %w", err)
		}
	}

	// Servers serve with the parent context, which Stop does not cancel, so
	// in-flight requests survive a graceful stop.
	// Once the stop is over (gracefully or not), their context is
	// cancelled too, so a custom server whose Start ran late still ends.
	startupDone := make(chan struct{})
	octx, endServe := context.WithCancel(appstart.NewContext(applog.NewContext(NewContext(a.opts.ctx, a), a.opts.logger), startupDone))
	defer endServe()
	startErrs := make(chan error, len(a.opts.servers))
	var started sync.WaitGroup
	var running atomic.Int32
	for _, srv := range a.opts.servers {
		started.Add(1)
		go func() {
			defer started.Done()
			// A plain counter, not a WaitGroup: waking the waiter here
			// could hand it the processor before Start is called.
			running.Add(1)
			startErrs <- srv.Start(octx)
		}()
	}
	// Register, and maybe stop, only once every Start is being called.
	for int(running.Load()) < len(a.opts.servers) {
		runtime.Gosched()
	}
	// A start goroutine preempted right after counting itself is queued
	// behind this one: let it reach its Start.
	runtime.Gosched()

	var errs []error
	failed := false
	if a.opts.registrar != nil {
		rctx, rcancel := context.WithTimeout(octx, a.opts.registrarTimeout)
		err := a.opts.registrar.Register(rctx, instance)
		rcancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("kratos: register: %w", err))
			failed = true
		} else {
			a.mu.Lock()
			a.registered = true
			a.mu.Unlock()
		}
	}
	if !failed {
		for _, fn := range a.opts.afterStart {
			if err := fn(sctx); err != nil {
				errs = append(errs, fmt.Errorf("kratos: after start: %w", err))
				failed = true
				break
			}
		}
	}
	if !failed {
		close(startupDone) // servers waiting for the startup (readiness) may go on
	}

	pending := len(a.opts.servers)
	if !failed {
	wait:
		for {
			select {
			case sig := <-sigs:
				_ = a.opts.logger.Log(log.LevelInfo, "msg", "kratos: stopping on signal", "signal", sig.String())
				break wait
			case <-a.ctx.Done():
				break wait
			case err := <-startErrs:
				pending--
				if err != nil {
					errs = append(errs, fmt.Errorf("kratos: server start: %w", err))
					break wait
				}
			}
		}
	}

	// The stop runs on its own goroutine, so that a second signal can end
	// Run while a server or a hook is stuck.
	sctx, force := context.WithCancel(context.WithoutCancel(octx))
	defer force()
	stopped := make(chan error, 1)
	go func() {
		var errs []error
		errs = append(errs, a.Stop())
		a.drainWait(sctx)
		errs = append(errs, a.stopServers(sctx))
		endServe()
		started.Wait()
		for ; pending > 0; pending-- {
			if err := <-startErrs; err != nil {
				errs = append(errs, fmt.Errorf("kratos: server start: %w", err))
			}
		}
		// After-stop hooks get a live context: the App's own is cancelled now.
		actx := NewContext(context.WithoutCancel(a.opts.ctx), a)
		for _, fn := range a.opts.afterStop {
			if err := fn(actx); err != nil {
				errs = append(errs, fmt.Errorf("kratos: after stop: %w", err))
			}
		}
		stopped <- errors.Join(errs...)
	}()
	select {
	case err := <-stopped:
		return errors.Join(append(errs, err)...)
	case sig := <-sigs:
		_ = a.opts.logger.Log(log.LevelWarn, "msg", "kratos: second signal, stopping at once", "signal", sig.String())
		force()
		return errors.Join(append(errs, fmt.Errorf("kratos: stopped at once on a second signal (%s)", sig))...)
	}
}

// Stop begins stopping the App: it runs the BeforeStop hooks, tells the
// servers that implement transport.Drainer to drain, deregisters the
// instance, and cancels the App so Run drains (see WithDrainDelay) and
// stops the servers. Every step runs even when an earlier one fails; the
// errors are returned joined. Only the first call does anything; later
// calls return nil.
func (a *App) Stop() (err error) {
	a.stopOnce.Do(func() {
		defer a.cancel()
		var errs []error
		sctx := NewContext(context.WithoutCancel(a.ctx), a)
		for _, fn := range a.opts.beforeStop {
			if err := fn(sctx); err != nil {
				errs = append(errs, fmt.Errorf("kratos: before stop: %w", err))
			}
		}
		for _, srv := range a.opts.servers {
			if d, ok := srv.(transport.Drainer); ok {
				if err := d.Drain(sctx); err != nil {
					errs = append(errs, fmt.Errorf("kratos: drain: %w", err))
				}
			}
		}
		a.mu.Lock()
		instance, registered := a.instance, a.registered
		a.mu.Unlock()
		if a.opts.registrar != nil && registered {
			ctx, cancel := context.WithTimeout(sctx, a.opts.registrarTimeout)
			if err := a.opts.registrar.Deregister(ctx, instance); err != nil {
				errs = append(errs, fmt.Errorf("kratos: deregister: %w", err))
			}
			cancel()
		}
		err = errors.Join(errs...)
	})
	return err
}

// drainWait waits for the drain delay, while the servers keep serving,
// when there is something to drain: a registration or a Drainer. A done
// ctx (a second signal) ends the wait.
func (a *App) drainWait(ctx context.Context) {
	if a.opts.drainDelay <= 0 {
		return
	}
	drains := a.opts.registrar != nil
	for _, srv := range a.opts.servers {
		if _, ok := srv.(transport.Drainer); ok {
			drains = true
		}
	}
	if !drains {
		return
	}
	t := time.NewTimer(a.opts.drainDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// stopServers stops every server concurrently with ctx bounded by
// StopTimeout, and returns their errors joined.
func (a *App) stopServers(ctx context.Context) error {
	if a.opts.stopTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.opts.stopTimeout)
		defer cancel()
	}
	errs := make([]error, len(a.opts.servers))
	var wg sync.WaitGroup
	for i, srv := range a.opts.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Stop(ctx); err != nil {
				errs[i] = fmt.Errorf("kratos: server stop: %w", err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (a *App) buildInstance() (*registry.ServiceInstance, error) {
	endpoints := make([]string, 0, len(a.opts.endpoints))
	for _, e := range a.opts.endpoints {
		endpoints = append(endpoints, e.String())
	}
	if len(endpoints) == 0 {
		for _, srv := range a.opts.servers {
			e, ok := srv.(transport.Endpointer)
			if !ok {
				continue
			}
			u, err := e.Endpoint()
			if err != nil {
				return nil, fmt.Errorf("kratos: server endpoint: %w", err)
			}
			endpoints = append(endpoints, u.String())
		}
	}
	return &registry.ServiceInstance{
		ID:        a.opts.id,
		Name:      a.opts.name,
		Version:   a.opts.version,
		Metadata:  a.opts.metadata,
		Endpoints: endpoints,
	}, nil
}

type appKey struct{}

// NewContext returns a context carrying the application info s.
func NewContext(ctx context.Context, s AppInfo) context.Context {
	return context.WithValue(ctx, appKey{}, s)
}

// FromContext returns the application info stored in ctx.
func FromContext(ctx context.Context) (s AppInfo, ok bool) {
	s, ok = ctx.Value(appKey{}).(AppInfo)
	return
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
