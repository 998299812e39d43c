// Package service implements the API of api/helloworld/v1 on top of the
// use cases of package biz. The same service answers HTTP and gRPC.
package service

import (
	"context"

	v1 "helloworld/api/helloworld/v1"
	"helloworld/internal/biz"
)

// GreeterService implements v1.GreeterServer and v1.GreeterHTTPServer.
type GreeterService struct {
	v1.UnimplementedGreeterServer

	uc *biz.GreeterUsecase
}

// NewGreeterService returns a GreeterService using uc.
func NewGreeterService(uc *biz.GreeterUsecase) *GreeterService {
	return &GreeterService{uc: uc}
}

// SayHello implements v1.GreeterServer.
func (s *GreeterService) SayHello(ctx context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) {
	g, err := s.uc.Greet(ctx, in.GetName())
	if err != nil {
		return nil, err
	}
	return &v1.HelloReply{Message: "Hello " + g.Name}, nil
}
