package kratos_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/seed6ad8aa6b/kratos"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// TestStopTimeoutBoundsBothTransports runs an App whose HTTP and gRPC
// handlers ignore their context, and checks that StopTimeout bounds the
// stop of both.
func TestStopTimeoutBoundsBothTransports(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	stuck := pb.SayHelloFunc(func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) {
		entered <- struct{}{}
		<-release // ignores its context
		return &pb.HelloReply{Message: "late"}, nil
	})
	t.Cleanup(func() { close(release) })

	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := khttp.NewServer(khttp.Listener(hl), khttp.Timeout(0))
	gs := kgrpc.NewServer(kgrpc.Listener(gl), kgrpc.Timeout(0))
	pb.RegisterGreeterHTTPServer(hs, stuck)
	pb.RegisterGreeterServer(gs, stuck)

	const stopTimeout = 300 * time.Millisecond
	started := make(chan struct{})
	app := kratos.New(kratos.Server(hs, gs), kratos.Signal(), kratos.StopTimeout(stopTimeout), kratos.WithDrainDelay(0),
		kratos.AfterStart(func(context.Context) error { close(started); return nil }))
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	<-started

	// One call stuck in each handler.
	go func() {
		res, err := http.Get("http://" + hl.Addr().String() + "/helloworld/stuck")
		if err == nil {
			res.Body.Close()
		}
	}()
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		_, _ = pb.NewGreeterClient(conn).SayHello(context.Background(), &pb.HelloRequest{Name: "stuck"})
	}()
	<-entered
	<-entered

	start := time.Now()
	_ = app.Stop()
	select {
	case err := <-done:
		took := time.Since(start)
		t.Logf("Run returned %v after Stop with StopTimeout %v: %v", took, stopTimeout, err)
		if err != nil && !strings.Contains(err.Error(), "stop") {
			t.Errorf("Run() = %v", err)
		}
	case <-time.After(10 * time.Second): // a wide bound: it takes StopTimeout
		t.Fatal("Run did not return within 10s of Stop with handlers ignoring their context")
	}
}
