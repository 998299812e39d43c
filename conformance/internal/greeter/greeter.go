// Package greeter is the Greeter of the real-client tests and the
// benchmark: a kratos-style service whose errors are kratos errors.
package greeter

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"

	v1 "github.com/seed6ad8aa6b/kratos/conformance/internal/gen/greeterv1"
)

// Server answers "Hello <name>"; the name "missing" fails with a kratos
// NotFound error with reason USER_NOT_FOUND and metadata user=missing.
type Server struct {
	v1.UnimplementedGreeterServer
}

// ErrNotFound is the error of the name "missing".
var ErrNotFound = kerrors.NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"user": "missing"})

func (Server) SayHello(_ context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) {
	if in.GetName() == "missing" {
		return nil, ErrNotFound
	}
	return &v1.HelloReply{Message: "Hello " + in.GetName()}, nil
}

// StreamHello sends three greetings, or fails like SayHello.
func (s Server) StreamHello(in *v1.HelloRequest, stream grpc.ServerStreamingServer[v1.HelloReply]) error {
	for range 3 {
		r, err := s.SayHello(stream.Context(), in)
		if err != nil {
			return err
		}
		if err := stream.Send(r); err != nil {
			return err
		}
	}
	return nil
}

// Hellos greets every name it receives.
func (s Server) Hellos(stream grpc.BidiStreamingServer[v1.HelloRequest, v1.HelloReply]) error {
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		r, err := s.SayHello(stream.Context(), in)
		if err != nil {
			return err
		}
		if err := stream.Send(r); err != nil {
			return err
		}
	}
}
