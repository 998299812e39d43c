package kratos

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/applog"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/transport"
)

func TestDefaultStopTimeout(t *testing.T) {
	if got := New().opts.stopTimeout; got != DefaultStopTimeout || got <= 0 {
		t.Errorf("default StopTimeout = %v, want %v", got, DefaultStopTimeout)
	}
	if got := New(StopTimeout(0)).opts.stopTimeout; got != 0 {
		t.Errorf("StopTimeout(0) = %v, want 0", got)
	}
}

// orderServer notes, as the first thing its Start does, that Start was
// entered, and its Stop and the registrar check the note: a recorder with
// a mutex would order events by lock acquisition, not by call.
type orderServer struct {
	entered, late atomic.Bool
	stopped       chan struct{}
	once          sync.Once
}

func (s *orderServer) Start(ctx context.Context) error {
	s.entered.Store(true)
	select {
	case <-s.stopped:
	case <-ctx.Done():
	}
	return nil
}

func (s *orderServer) Stop(context.Context) error {
	if !s.entered.Load() {
		s.late.Store(true)
	}
	s.once.Do(func() { close(s.stopped) })
	return nil
}

type orderRegistrar struct {
	servers []*orderServer
	early   atomic.Bool
}

func (r *orderRegistrar) Register(context.Context, *registry.ServiceInstance) error {
	for _, s := range r.servers {
		if !s.entered.Load() {
			r.early.Store(true)
		}
	}
	return nil
}

func (r *orderRegistrar) Deregister(context.Context, *registry.ServiceInstance) error { return nil }

// TestStartPrecedesRegisterAndStop runs many Apps that are stopped as soon
// as they run, with several servers each, and checks that every server's
// Start is entered before the registration and before its Stop.
//
// The App calls every Start before it registers or stops, but it cannot
// see a Start being entered: a start goroutine descheduled between the two
// (the race detector and the garbage collector make that happen about once
// in several thousand starts) enters it late. Such a Start still ends, as
// its context is cancelled at the end of the stop; the test allows that
// rare case and fails when it is common, as it was when the App registered
// without waiting for the start goroutines.
func TestStartPrecedesRegisterAndStop(t *testing.T) {
	const iterations, servers = 500, 8
	early, late := 0, 0
	for i := range iterations {
		reg := &orderRegistrar{}
		var opts []Option
		for range servers {
			s := &orderServer{stopped: make(chan struct{})}
			reg.servers = append(reg.servers, s)
			opts = append(opts, Server(s))
		}
		app := New(append(opts, Registrar(reg), Signal(), WithDrainDelay(0))...)
		done := runAsync(app)
		go app.Stop() // as early as possible: races with the starts
		if err := waitErr(t, done); err != nil {
			t.Fatalf("iteration %d: Run() = %v", i, err)
		}
		if reg.early.Load() {
			early++
		}
		for _, s := range reg.servers {
			if s.late.Load() {
				late++
				break
			}
		}
	}
	t.Logf("%d iterations of %d servers: %d registered before a Start was entered, %d stopped a server before its Start was entered", iterations, servers, early, late)
	if early > iterations/100 || late > iterations/100 {
		t.Errorf("%d of %d iterations registered, and %d stopped, before a Start was entered; want at most 1%%", early, iterations, late)
	}
}

// stuckServer's Stop ignores its context until release is closed.
type stuckServer struct {
	stopping chan struct{}
	release  chan struct{}
	once     sync.Once
}

func (s *stuckServer) Start(context.Context) error { <-s.release; return nil }

func (s *stuckServer) Stop(context.Context) error {
	s.once.Do(func() { close(s.stopping) })
	<-s.release
	return nil
}

var _ transport.Server = (*stuckServer)(nil)

func TestSecondSignalStopsAtOnce(t *testing.T) {
	rec := &recorder{}
	graceful := newFakeServer("graceful", rec)
	graceful.blockStop = true // waits for its stop context to end
	stuck := &stuckServer{stopping: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { close(stuck.release) })
	started := make(chan struct{})
	app := New(Server(graceful, stuck), Signal(syscall.SIGUSR1), StopTimeout(0),
		AfterStart(func(context.Context) error { close(started); return nil }))
	done := runAsync(app)
	<-started
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	<-stuck.stopping
	stopCtx := <-graceful.stopCtx
	select {
	case err := <-done:
		t.Fatalf("Run() = %v before the second signal, want it still stopping", err)
	default:
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	err := waitErr(t, done)
	if err == nil || !strings.Contains(err.Error(), "second signal") {
		t.Errorf("Run() = %v, want the second-signal error", err)
	}
	// The graceful server was told to stop at once.
	select {
	case <-stopCtx.Done():
	case <-time.After(5 * time.Second):
		t.Error("the servers' stop context was not cancelled by the second signal")
	}
}

// loggerServer records the logger its Start and Stop contexts carry.
type loggerServer struct {
	start, stop chan log.Logger
	stopped     chan struct{}
}

func (s *loggerServer) Start(ctx context.Context) error {
	l, _ := applog.FromContext(ctx)
	s.start <- l
	<-s.stopped
	return nil
}

func (s *loggerServer) Stop(ctx context.Context) error {
	l, _ := applog.FromContext(ctx)
	s.stop <- l
	close(s.stopped)
	return nil
}

func TestServersGetTheAppLogger(t *testing.T) {
	logger := log.NewStdLogger(&strings.Builder{})
	srv := &loggerServer{start: make(chan log.Logger, 1), stop: make(chan log.Logger, 1), stopped: make(chan struct{})}
	started := make(chan struct{})
	app := New(Server(srv), Logger(logger), Signal(),
		AfterStart(func(context.Context) error { close(started); return nil }))
	done := runAsync(app)
	<-started
	_ = app.Stop()
	if err := waitErr(t, done); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Run() = %v", err)
	}
	if got := <-srv.start; got != logger {
		t.Errorf("Start context logger = %v, want the App's", got)
	}
	if got := <-srv.stop; got != logger {
		t.Errorf("Stop context logger = %v, want the App's", got)
	}
}
