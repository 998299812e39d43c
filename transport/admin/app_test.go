package admin_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/seed6ad8aa6b/kratos"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// hookRegistrar runs onDeregister when the App deregisters, which it does
// after it has drained its servers and before it stops them.
type hookRegistrar struct{ onDeregister func() }

func (hookRegistrar) Register(context.Context, *registry.ServiceInstance) error { return nil }
func (r hookRegistrar) Deregister(context.Context, *registry.ServiceInstance) error {
	r.onDeregister()
	return nil
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}

// TestAppStopFlipsReadinessFirst runs an App with an HTTP, a gRPC and an
// admin server, stops it while a slow HTTP request is in flight, and checks
// the order: /readyz answers 503 first, while the HTTP and gRPC servers
// still serve, and the slow request then completes.
func TestAppStopFlipsReadinessFirst(t *testing.T) {
	hl, gl, al := listen(t), listen(t), listen(t)
	adminURL := "http://" + al.Addr().String()
	httpURL := "http://" + hl.Addr().String()

	entered, release := make(chan struct{}), make(chan struct{})
	hs := khttp.NewServer(khttp.Listener(hl), khttp.Timeout(0))
	hs.HandleFunc("/slow", func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "slow done")
	})
	hs.HandleFunc("/fast", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "fast") })
	gs := kgrpc.NewServer(kgrpc.Listener(gl))
	pb.RegisterGreeterServer(gs, pb.SayHelloFunc(func(_ context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
		return &pb.HelloReply{Message: "hi " + in.GetName()}, nil
	}))
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	as := admin.New(admin.WithListener(al),
		// Long enough for the gRPC server to begin serving.
		admin.WithCheckTimeout(10*time.Second),
		admin.WithReadiness("grpc", admin.GRPCHealth(conn, "")))

	// What the servers answer while the App deregisters: after the drain,
	// before any listener closes.
	var (
		mu     sync.Mutex
		during []string
	)
	record := func(s string) { mu.Lock(); during = append(during, s); mu.Unlock() }
	answer := func(url string) string {
		code, body, err := fetch(url)
		if err != nil {
			return err.Error()
		}
		return strings.TrimSpace(itoa(code) + " " + body)
	}
	reg := hookRegistrar{onDeregister: func() {
		record("readyz " + answer(adminURL+"/readyz"))
		record("healthz " + answer(adminURL+"/healthz"))
		record("http " + answer(httpURL+"/fast"))
		_, err := pb.NewGreeterClient(conn).SayHello(context.Background(), &pb.HelloRequest{Name: "x"})
		record("grpc " + errString(err))
	}}
	started := make(chan struct{})
	app := kratos.New(kratos.Server(hs, gs, as), kratos.Registrar(reg), kratos.Signal(),
		kratos.WithDrainDelay(0), // the registrar hook checks during the drain
		kratos.AfterStart(func(context.Context) error { close(started); return nil }))
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	<-started

	// The startup is over once the AfterStart hook has returned.
	if code, body := waitReady(t, adminURL); code != 200 {
		t.Fatalf("GET /readyz while running = %d %q, want 200", code, body)
	}
	slow := make(chan string, 1)
	go func() {
		slow <- answer(httpURL + "/slow")
	}()
	<-entered

	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop() }()
	if err := <-stopped; err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	// Stop has drained and deregistered; Run now stops the servers, whose
	// graceful stop waits for the slow request.
	close(release)
	if got, want := <-slow, "200 slow done"; got != want {
		t.Errorf("slow request across the stop = %q, want %q", got, want)
	}
	if err := <-done; err != nil {
		t.Errorf("Run() = %v", err)
	}

	want := []string{
		"readyz 503 admin: draining",
		"healthz 200 ok",
		"http 200 fast",
		"grpc ok",
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(during, "\n") != strings.Join(want, "\n") {
		t.Errorf("answers during the drain:\n%s\nwant:\n%s", strings.Join(during, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadinessFollowsGRPCHealth checks /readyz against a gRPC server
// drained on its own.
func TestReadinessFollowsGRPCHealth(t *testing.T) {
	gl := listen(t)
	gs := kgrpc.NewServer(kgrpc.Listener(gl))
	gdone := make(chan error, 1)
	go func() { gdone <- gs.Start(context.Background()) }()
	defer func() {
		gs.Stop(context.Background())
		<-gdone
	}()
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, base := start(t, func(lis net.Listener) *admin.Server {
		return admin.New(admin.WithListener(lis), admin.WithCheckTimeout(10*time.Second),
			admin.WithReadiness("grpc", admin.GRPCHealth(conn, "")))
	})
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("GET /readyz with a serving gRPC server = %d %q, want 200", code, body)
	}
	gs.Drain(context.Background())
	if code, body := get(t, base+"/readyz"); code != 503 || body != "grpc: grpc health: not_serving" {
		t.Errorf("GET /readyz with a drained gRPC server = %d %q, want 503 \"grpc: grpc health: not_serving\"", code, body)
	}
	gs.Stop(context.Background())
	if code, body := get(t, base+"/readyz"); code != 503 {
		t.Errorf("GET /readyz with a stopped gRPC server = %d %q, want 503", code, body)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// waitReady polls /readyz until it answers 200 or 10s pass, and returns
// the last answer.
func waitReady(t *testing.T, adminURL string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := get(t, adminURL+"/readyz")
		if code == 200 || time.Now().After(deadline) {
			return code, body
		}
		runtime.Gosched()
	}
}

// TestReadinessWaitsForAfterStart checks that /readyz answers 503 while
// the App's AfterStart hooks run (a warm-up, say), and 200 once they are
// over.
func TestReadinessWaitsForAfterStart(t *testing.T) {
	al := listen(t)
	adminURL := "http://" + al.Addr().String()
	as := admin.New(admin.WithListener(al))
	inHook, release := make(chan struct{}), make(chan struct{})
	app := kratos.New(kratos.Server(as), kratos.Signal(), kratos.WithDrainDelay(0),
		kratos.AfterStart(func(context.Context) error {
			close(inHook)
			<-release
			return nil
		}))
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	<-inHook
	// The admin server serves once its Start runs; wait for that.
	deadline := time.Now().Add(10 * time.Second)
	var code int
	var body string
	for {
		c, b, err := fetch(adminURL + "/readyz")
		if err == nil {
			code, body = c, b
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the admin server did not answer: %v", err)
		}
		runtime.Gosched()
	}
	if code != 503 || !strings.Contains(body, admin.ErrStarting.Error()) {
		t.Errorf("GET /readyz during AfterStart = %d %q, want 503 %q", code, body, admin.ErrStarting)
	}
	close(release)
	if code, body := waitReady(t, adminURL); code != 200 {
		t.Errorf("GET /readyz after AfterStart = %d %q, want 200", code, body)
	}
	if err := app.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run() = %v", err)
	}
}
func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// TestReadinessFollowsGRPCServerHealth checks /readyz against a gRPC
// server asked in-process: NOT_SERVING before its Start, SERVING while it
// serves, NOT_SERVING from its Drain on.
func TestReadinessFollowsGRPCServerHealth(t *testing.T) {
	gl := listen(t)
	gs := kgrpc.NewServer(kgrpc.Listener(gl))
	_, base := start(t, func(lis net.Listener) *admin.Server {
		return admin.New(admin.WithListener(lis), admin.WithCheckTimeout(10*time.Second),
			admin.WithReadiness("grpc", admin.GRPCServerHealth(gs, "")))
	})
	if code, body := get(t, base+"/readyz"); code != 503 {
		t.Errorf("GET /readyz before the gRPC server started = %d %q, want 503", code, body)
	}
	gdone := make(chan error, 1)
	go func() { gdone <- gs.Start(context.Background()) }()
	defer func() {
		gs.Stop(context.Background())
		<-gdone
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := get(t, base+"/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /readyz with a started gRPC server = %d %q, want 200", code, body)
		}
		runtime.Gosched()
	}
	gs.Drain(context.Background())
	if code, body := get(t, base+"/readyz"); code != 503 || body != "grpc: grpc health: not_serving" {
		t.Errorf("GET /readyz with a drained gRPC server = %d %q, want 503 \"grpc: grpc health: not_serving\"", code, body)
	}
}
