package kratos_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/seed6ad8aa6b/kratos"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/registry"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
)

// stopRegistrar signals deregistration.
type stopRegistrar struct{ deregistered chan struct{} }

func (stopRegistrar) Register(context.Context, *registry.ServiceInstance) error { return nil }
func (r stopRegistrar) Deregister(context.Context, *registry.ServiceInstance) error {
	close(r.deregistered)
	return nil
}

// TestDrainKeepsServingWhileNotReady stops an App with a drain delay and
// checks that, once it has deregistered, its gRPC server answers health
// checks with NOT_SERVING but still serves calls, until the delay is over.
func TestDrainKeepsServingWhileNotReady(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := kgrpc.NewServer(kgrpc.Listener(lis))
	pb.RegisterGreeterServer(gs, pb.SayHelloFunc(func(_ context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
		return &pb.HelloReply{Message: "hi " + in.GetName()}, nil
	}))
	reg := stopRegistrar{deregistered: make(chan struct{})}
	const drain = 2 * time.Second // long enough to check during it
	started := make(chan struct{})
	app := kratos.New(kratos.Server(gs), kratos.Registrar(reg), kratos.Signal(), kratos.WithDrainDelay(drain),
		kratos.AfterStart(func(context.Context) error { close(started); return nil }))
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	<-started

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	check := func() healthpb.HealthCheckResponse_ServingStatus {
		res, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err != nil {
			t.Fatalf("health Check: %v", err)
		}
		return res.GetStatus()
	}
	if got := check(); got != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health before stop = %v, want SERVING", got)
	}

	stopAt := time.Now()
	go app.Stop()
	<-reg.deregistered
	if got := check(); got != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health while draining = %v, want NOT_SERVING", got)
	}
	if _, err := pb.NewGreeterClient(conn).SayHello(context.Background(), &pb.HelloRequest{Name: "drain"}); err != nil {
		t.Errorf("SayHello while draining = %v, want an answer", err)
	}
	select {
	case err := <-done:
		if took := time.Since(stopAt); took < drain {
			t.Errorf("Run returned %v after Stop, before the %v drain", took, drain)
		}
		if err != nil {
			t.Errorf("Run() = %v", err)
		}
	case <-time.After(drain + 10*time.Second):
		t.Fatal("Run did not return after the drain")
	}
}

func TestDrainDelayDefault(t *testing.T) {
	if kratos.DefaultDrainDelay <= 0 || kratos.DefaultDrainDelay > 5*time.Second {
		t.Errorf("DefaultDrainDelay = %v, want small and positive", kratos.DefaultDrainDelay)
	}
}
