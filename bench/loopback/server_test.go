package loopback

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	"github.com/seed6ad8aa6b/kratos/middleware/metadata"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// serverEnv names the server a child process runs; see runChild.
const serverEnv = "KRATOS_LOOPBACK_SERVER"

// profileEnv names a directory where each child process writes a CPU
// profile of its whole life, <kind>.cpu.prof.
const profileEnv = "KRATOS_LOOPBACK_PROFILE"

// The server kinds a child process can run.
const (
	rawHTTP      = "raw-http"
	recoveryHTTP = "recovery-http"
	chainHTTP    = "chain-http"
	rawGRPC      = "raw-grpc"
	recoveryGRPC = "recovery-grpc"
	chainGRPC    = "chain-grpc"
)

// runChild runs the server kind in this process, for the benchmark
// process that started it: it writes the server's address to fd 4, then
// answers each line read from fd 3 with the process's CPU time so far
// (user plus system, in nanoseconds), and returns when fd 3 closes.
func runChild(kind string) error {
	if dir := os.Getenv(profileEnv); dir != "" {
		f, err := os.Create(filepath.Join(dir, kind+".cpu.prof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctl := os.NewFile(3, "ctl")
	out := os.NewFile(4, "out")
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	stop, err := serve(kind, lis)
	if err != nil {
		return err
	}
	defer stop()
	if _, err := fmt.Fprintln(out, lis.Addr().String()); err != nil {
		return err
	}
	sc := bufio.NewScanner(ctl)
	for sc.Scan() {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return err
		}
		ns := ru.Utime.Nano() + ru.Stime.Nano()
		if _, err := fmt.Fprintln(out, ns); err != nil {
			return err
		}
	}
	return sc.Err()
}

// serve starts the server kind on lis and returns its stop function.
func serve(kind string, lis net.Listener) (func(), error) {
	// The framework's servers log their start and stop; nothing of the
	// benchmark should depend on a terminal.
	log.SetLogger(log.NewStdLogger(io.Discard))
	switch kind {
	case rawHTTP:
		srv := &http.Server{Handler: rawMux()}
		go func() { _ = srv.Serve(lis) }()
		return func() { _ = srv.Close() }, nil
	case recoveryHTTP, chainHTTP:
		srv := khttp.NewServer(khttp.Listener(lis), khttp.Middleware(chain(kind == chainHTTP)...))
		registerHTTP(srv, greeter{})
		return startKratos(srv)
	case rawGRPC:
		srv := grpc.NewServer()
		testgreeter.RegisterGreeterServer(srv, greeter{})
		go func() { _ = srv.Serve(lis) }()
		return srv.Stop, nil
	case recoveryGRPC, chainGRPC:
		srv := kgrpc.NewServer(kgrpc.Listener(lis), kgrpc.Middleware(chain(kind == chainGRPC)...))
		testgreeter.RegisterGreeterServer(srv, greeter{})
		return startKratos(srv)
	}
	return nil, fmt.Errorf("loopback: unknown server %q", kind)
}

type kratosServer interface {
	Start(context.Context) error
	Stop(context.Context) error
}

func startKratos(srv kratosServer) (func(), error) {
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	return func() {
		_ = srv.Stop(context.Background())
		<-done
	}, nil
}

// chain returns the recovery middleware, and with full the chain a
// scaffolded service runs: recovery, logging to a discarding std logger,
// metadata.
func chain(full bool) []middleware.Middleware {
	if !full {
		return []middleware.Middleware{recovery.Recovery()}
	}
	return []middleware.Middleware{
		recovery.Recovery(),
		logging.Server(log.NewStdLogger(io.Discard)),
		metadata.Server(),
	}
}

// greeter answers SayHello as every server here does.
type greeter struct {
	testgreeter.UnimplementedGreeterServer
}

func (greeter) SayHello(_ context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
	return &testgreeter.HelloReply{Message: "hello " + in.GetName()}, nil
}

// registerHTTP registers GET /helloworld/{name} (the generated route of
// testgreeter) and POST /helloworld with body "*", written in the shape
// protoc-gen-go-http generates.
func registerHTTP(srv *khttp.Server, g greeter) {
	testgreeter.RegisterGreeterHTTPServer(srv, g)
	srv.Route("/").POST("/helloworld", func(ctx khttp.Context) error {
		var in testgreeter.HelloRequest
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		khttp.SetOperation(ctx, testgreeter.OperationGreeterSayHello)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			return g.SayHello(ctx, req.(*testgreeter.HelloRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		return ctx.Result(200, out.(*testgreeter.HelloReply))
	})
}

// rawMux serves the same two routes with net/http alone, doing the same
// protojson work as the framework's JSON codec.
func rawMux() *http.ServeMux {
	reply := func(w http.ResponseWriter, in *testgreeter.HelloRequest) {
		out, _ := greeter{}.SayHello(context.Background(), in)
		b, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /helloworld/{name}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, &testgreeter.HelloRequest{Name: r.PathValue("name")})
	})
	mux.HandleFunc("POST /helloworld", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var in testgreeter.HelloRequest
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		reply(w, &in)
	})
	return mux
}
