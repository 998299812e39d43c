package grpc

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// denyAll rejects every call it wraps, like an auth middleware facing a
// caller without credentials.
func denyAll(middleware.Handler) middleware.Handler {
	return func(context.Context, any) (any, error) {
		return nil, errors.Unauthorized("UNAUTHORIZED", "no token")
	}
}

func TestServerMiddlewareSkipsBuiltinStreams(t *testing.T) {
	_, addr := startServer(t, &greeter{}, Middleware(denyAll))
	ctx := testContext(t)

	// A client with health checking on (the default) reaches the service:
	// the call fails in the middleware, not with Unavailable.
	_, err := pb.NewGreeterClient(dialTest(t, addr)).SayHello(ctx, &pb.HelloRequest{Name: "x"})
	if got := status.Code(err); got != codes.Unauthenticated {
		t.Errorf("SayHello code = %v, want Unauthenticated (from the middleware)", got)
	}

	conn := dialTest(t, addr, WithHealthCheck(false))
	watch, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := watch.Recv(); err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health Watch = %v, %v; want SERVING", r, err)
	}

	rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := rs.Recv()
	if err != nil || len(resp.GetListServicesResponse().GetService()) == 0 {
		t.Errorf("reflection ListServices = %v, %v; want services", resp, err)
	}
	_ = rs.CloseSend()

	// User streams are still wrapped.
	stream, err := pb.NewGreeterClient(conn).SayHelloServerStream(ctx, &pb.HelloRequest{Name: "x"})
	if err == nil {
		_, err = stream.Recv()
	}
	if got := status.Code(err); got != codes.Unauthenticated {
		t.Errorf("user stream code = %v, want Unauthenticated", got)
	}
}
