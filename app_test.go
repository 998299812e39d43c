package kratos

import (
	"context"
	"errors"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// recorder collects lifecycle events in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) hook(name string, err error) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, ok := FromContext(ctx); !ok {
			r.add(name + " without AppInfo")
		}
		r.add(name)
		return err
	}
}

// fakeServer blocks in Start until Stop is called.
type fakeServer struct {
	name     string
	rec      *recorder
	startErr error
	stopErr  error
	endpoint string
	started  chan struct{}
	stopped  chan struct{}
	once     sync.Once
	stopCtx  chan context.Context
	// blockStop makes Stop wait for its context to end.
	blockStop bool
}

func newFakeServer(name string, rec *recorder) *fakeServer {
	return &fakeServer{
		name: name, rec: rec,
		started: make(chan struct{}), stopped: make(chan struct{}),
		stopCtx: make(chan context.Context, 1),
	}
}

func (s *fakeServer) Start(ctx context.Context) error {
	s.rec.add(s.name + " start")
	close(s.started)
	if s.startErr != nil {
		return s.startErr
	}
	<-s.stopped
	return nil
}

func (s *fakeServer) Stop(ctx context.Context) error {
	s.rec.add(s.name + " stop")
	if ctx.Err() != nil {
		s.rec.add(s.name + " stop with done context")
	}
	s.stopCtx <- ctx
	if s.blockStop {
		<-ctx.Done()
	}
	s.once.Do(func() { close(s.stopped) })
	return s.stopErr
}

func (s *fakeServer) Endpoint() (*url.URL, error) {
	if s.endpoint == "bad" {
		return nil, errors.New("no endpoint")
	}
	return url.Parse(s.endpoint)
}

// fakeRegistrar records registrations.
type fakeRegistrar struct {
	rec         *recorder
	regErr      error
	deregErr    error
	mu          sync.Mutex
	registered  *registry.ServiceInstance
	hadDeadline bool
}

func (f *fakeRegistrar) Register(ctx context.Context, s *registry.ServiceInstance) error {
	f.rec.add("register")
	f.mu.Lock()
	f.registered = s
	_, f.hadDeadline = ctx.Deadline()
	f.mu.Unlock()
	return f.regErr
}

func (f *fakeRegistrar) Deregister(ctx context.Context, s *registry.ServiceInstance) error {
	f.rec.add("deregister")
	if ctx.Err() != nil {
		f.rec.add("deregister with done context")
	}
	return f.deregErr
}

func runAsync(app *App) chan error {
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	return done
}

func waitErr(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestLifecycleOrder(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	srv.endpoint = "http://127.0.0.1:8000"
	reg := &fakeRegistrar{rec: rec}
	started := make(chan struct{})
	app := New(
		ID("id1"), Name("greeter"), Version("v1"), Metadata(map[string]string{"k": "v"}),
		Server(srv), Registrar(reg), Signal(),
		BeforeStart(rec.hook("before start", nil)),
		AfterStart(rec.hook("after start", nil)),
		AfterStart(func(context.Context) error { close(started); return nil }),
		BeforeStop(rec.hook("before stop", nil)),
		AfterStop(rec.hook("after stop", nil)),
	)
	done := runAsync(app)
	<-started
	<-srv.started
	if got, want := app.Endpoint(), []string{"http://127.0.0.1:8000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Endpoint() = %v, want %v", got, want)
	}
	if err := app.Stop(); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	got := rec.get()
	want := []string{"before start", "srv start", "register", "after start", "before stop", "deregister", "srv stop", "after stop"}
	// Start runs concurrently with registration; normalise its position.
	if !sameOrderIgnoring(got, want, "srv start") {
		t.Errorf("events = %v, want %v", got, want)
	}
	ins := reg.registered
	if ins.ID != "id1" || ins.Name != "greeter" || ins.Version != "v1" || ins.Metadata["k"] != "v" {
		t.Errorf("registered instance = %+v", ins)
	}
	if !reg.hadDeadline {
		t.Error("Register context had no deadline (RegistrarTimeout)")
	}
	if app.ID() != "id1" || app.Name() != "greeter" || app.Version() != "v1" || app.Metadata()["k"] != "v" {
		t.Error("AppInfo accessors do not reflect options")
	}
}

// sameOrderIgnoring compares got and want after removing ignore from both,
// and checks that ignore occurs once in got.
func sameOrderIgnoring(got, want []string, ignore string) bool {
	strip := func(s []string) []string {
		var out []string
		for _, e := range s {
			if e != ignore {
				out = append(out, e)
			}
		}
		return out
	}
	return reflect.DeepEqual(strip(got), strip(want)) && len(got) == len(want)
}

func TestBeforeStartErrorStartsNothing(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	boom := errors.New("boom")
	app := New(Server(srv), Signal(), BeforeStart(rec.hook("before start", boom)), AfterStop(rec.hook("after stop", nil)))
	err := app.Run()
	if !errors.Is(err, boom) {
		t.Fatalf("Run() = %v, want %v", err, boom)
	}
	if got, want := rec.get(), []string{"before start"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestServerStartFailureStopsOthers(t *testing.T) {
	rec := &recorder{}
	good := newFakeServer("good", rec)
	bad := newFakeServer("bad", rec)
	bad.startErr = errors.New("address in use")
	app := New(Server(good, bad), Signal(), AfterStop(rec.hook("after stop", nil)))
	err := waitErr(t, runAsync(app))
	if err == nil || !strings.Contains(err.Error(), "address in use") {
		t.Fatalf("Run() = %v, want the start error", err)
	}
	events := strings.Join(rec.get(), ",")
	for _, e := range []string{"good stop", "bad stop", "after stop"} {
		if !strings.Contains(events, e) {
			t.Errorf("events %q lack %q", events, e)
		}
	}
}

func TestRegisterFailureStopsServers(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	reg := &fakeRegistrar{rec: rec, regErr: errors.New("registry down")}
	app := New(Server(srv), Registrar(reg), Signal(), AfterStart(rec.hook("after start", nil)))
	err := waitErr(t, runAsync(app))
	if err == nil || !strings.Contains(err.Error(), "registry down") {
		t.Fatalf("Run() = %v, want the register error", err)
	}
	events := rec.get()
	for _, e := range events {
		if e == "after start" || e == "deregister" {
			t.Errorf("unexpected event %q after failed registration: %v", e, events)
		}
	}
	if !strings.Contains(strings.Join(events, ","), "srv stop") {
		t.Errorf("server not stopped: %v", events)
	}
}

func TestAfterStartFailureStops(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	reg := &fakeRegistrar{rec: rec}
	boom := errors.New("warmup failed")
	app := New(Server(srv), Registrar(reg), Signal(), AfterStart(rec.hook("after start", boom)), AfterStop(rec.hook("after stop", nil)))
	err := waitErr(t, runAsync(app))
	if !errors.Is(err, boom) {
		t.Fatalf("Run() = %v, want %v", err, boom)
	}
	events := strings.Join(rec.get(), ",")
	for _, e := range []string{"deregister", "srv stop", "after stop"} {
		if !strings.Contains(events, e) {
			t.Errorf("events %q lack %q", events, e)
		}
	}
}

func TestStopErrorsJoined(t *testing.T) {
	rec := &recorder{}
	s1 := newFakeServer("s1", rec)
	s1.stopErr = errors.New("s1 stop failed")
	s2 := newFakeServer("s2", rec)
	s2.stopErr = errors.New("s2 stop failed")
	reg := &fakeRegistrar{rec: rec, deregErr: errors.New("deregister failed")}
	e1, e2, e3 := errors.New("before stop 1"), errors.New("after stop 1"), errors.New("after stop 2")
	started := make(chan struct{})
	app := New(Server(s1, s2), Registrar(reg), Signal(),
		AfterStart(func(context.Context) error { close(started); return nil }),
		BeforeStop(rec.hook("bs1", e1)), BeforeStop(rec.hook("bs2", nil)),
		AfterStop(rec.hook("as1", e2)), AfterStop(rec.hook("as2", e3)))
	done := runAsync(app)
	<-started
	stopErr := app.Stop()
	for _, want := range []error{e1, reg.deregErr} {
		if !errors.Is(stopErr, want) {
			t.Errorf("Stop() = %v, want it to include %v", stopErr, want)
		}
	}
	if err := app.Stop(); err != nil {
		t.Errorf("second Stop() = %v, want nil", err)
	}
	runErr := waitErr(t, done)
	for _, want := range []error{s1.stopErr, s2.stopErr, e2, e3} {
		if !errors.Is(runErr, want) {
			t.Errorf("Run() = %v, want it to include %v", runErr, want)
		}
	}
	events := strings.Join(rec.get(), ",")
	for _, e := range []string{"bs1", "bs2", "deregister", "s1 stop", "s2 stop", "as1", "as2"} {
		if !strings.Contains(events, e) {
			t.Errorf("events %q lack %q", events, e)
		}
	}
}

func TestSignalStops(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	reg := &fakeRegistrar{rec: rec}
	started := make(chan struct{})
	app := New(Server(srv), Registrar(reg), Signal(syscall.SIGUSR1),
		AfterStart(func(context.Context) error { close(started); return nil }))
	done := runAsync(app)
	<-started
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if events := strings.Join(rec.get(), ","); !strings.Contains(events, "deregister") || !strings.Contains(events, "srv stop") {
		t.Errorf("events = %q, want deregister and stop", events)
	}
}

func TestParentContextCancelStops(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	reg := &fakeRegistrar{rec: rec}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	app := New(Context(ctx), Server(srv), Registrar(reg), Signal(),
		AfterStart(func(context.Context) error { close(started); return nil }))
	done := runAsync(app)
	<-started
	cancel()
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	events := strings.Join(rec.get(), ",")
	if !strings.Contains(events, "deregister") || strings.Contains(events, "deregister with done context") {
		t.Errorf("events = %q, want a deregistration with a live context", events)
	}
	// The servers are stopped with a context that is not already done.
	if strings.Contains(events, "stop with done context") {
		t.Errorf("events = %q: server Stop context already done", events)
	}
}

func TestStopTimeoutBoundsServerStop(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	srv.blockStop = true
	started := make(chan struct{})
	app := New(Server(srv), Signal(), StopTimeout(50*time.Millisecond),
		AfterStart(func(context.Context) error { close(started); return nil }))
	done := runAsync(app)
	<-started
	_ = app.Stop()
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	sctx := <-srv.stopCtx
	if _, ok := sctx.Deadline(); !ok {
		t.Error("server Stop context has no deadline despite StopTimeout")
	}
}

func TestEndpointOptionAndEndpointError(t *testing.T) {
	rec := &recorder{}
	srv := newFakeServer("srv", rec)
	srv.endpoint = "bad"
	u, _ := url.Parse("grpc://10.0.0.1:9000")
	reg := &fakeRegistrar{rec: rec}
	started := make(chan struct{})
	app := New(Server(srv), Endpoint(u), Registrar(reg), Signal(),
		AfterStart(func(context.Context) error { close(started); return nil }))
	done := runAsync(app)
	<-started
	_ = app.Stop()
	if err := waitErr(t, done); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if got := reg.registered.Endpoints; !reflect.DeepEqual(got, []string{"grpc://10.0.0.1:9000"}) {
		t.Errorf("registered endpoints = %v", got)
	}

	app = New(Server(newFakeServer("x", rec)), Signal())
	app.opts.servers[0].(*fakeServer).endpoint = "bad"
	if err := app.Run(); err == nil || !strings.Contains(err.Error(), "no endpoint") {
		t.Errorf("Run() with failing Endpoint = %v", err)
	}
}

func TestDefaults(t *testing.T) {
	a, b := New(), New()
	if a.ID() == "" || a.ID() == b.ID() || len(a.ID()) != 36 {
		t.Errorf("default IDs %q, %q: want distinct UUIDs", a.ID(), b.ID())
	}
	if got := a.Endpoint(); len(got) != 0 {
		t.Errorf("Endpoint() before Run = %v, want empty", got)
	}
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext(empty) ok = true")
	}
	ctx := NewContext(context.Background(), a)
	if info, ok := FromContext(ctx); !ok || info.ID() != a.ID() {
		t.Error("FromContext does not return the stored AppInfo")
	}
}

var _ transport.Server = (*fakeServer)(nil)
var _ transport.Endpointer = (*fakeServer)(nil)

// TestLoggerOptionSetsGlobalLogger checks that Logger installs the App's
// logger as the global logger, as Kratos does, unless WithGlobalLogger(false)
// is given, and that the App's own messages go to its logger either way.
func TestLoggerOptionSetsGlobalLogger(t *testing.T) {
	tests := []struct {
		name       string
		opts       []Option
		wantGlobal bool
	}{
		{"default", nil, true},
		{"WithGlobalLogger(true)", []Option{WithGlobalLogger(true)}, true},
		{"WithGlobalLogger(false)", []Option{WithGlobalLogger(false)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Cleanup(func() { log.SetLogger(nil) })
			var appBuf, globalBuf strings.Builder
			log.SetLogger(log.NewStdLogger(&globalBuf))
			opts := append([]Option{Logger(log.NewStdLogger(&appBuf)), Signal(syscall.SIGUSR2)}, tt.opts...)
			app := New(opts...)

			log.Info("through the global logger")
			if got := strings.Contains(appBuf.String(), "through the global logger"); got != tt.wantGlobal {
				t.Errorf("log.Info reached the App's logger = %v, want %v (App logger got %q)", got, tt.wantGlobal, appBuf.String())
			}
			if got := strings.Contains(globalBuf.String(), "through the global logger"); got == tt.wantGlobal {
				t.Errorf("log.Info reached the previous global logger = %v, want %v", got, !tt.wantGlobal)
			}

			// The App's own messages go to its logger.
			started := make(chan struct{})
			app.opts.afterStart = append(app.opts.afterStart, func(context.Context) error { close(started); return nil })
			done := runAsync(app)
			<-started
			if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
				t.Fatal(err)
			}
			if err := waitErr(t, done); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			if !strings.Contains(appBuf.String(), "stopping on signal") {
				t.Errorf("App logger got %q, want the signal message", appBuf.String())
			}
		})
	}
}
