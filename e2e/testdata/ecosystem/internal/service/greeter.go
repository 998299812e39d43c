// Package service implements the Greeter API of the ecosystem test project.
package service

import (
	"context"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/log"

	v1 "example.com/ecosystem/api/greeter/v1"
)

// Greeter answers greetings with the id of the instance it runs in.
type Greeter struct {
	instance string
	log      *log.Helper
}

// NewGreeter returns the Greeter of instance id.
func NewGreeter(id string, logger log.Logger) *Greeter {
	return &Greeter{instance: id, log: log.NewHelper(log.With(logger, "module", "service/greeter"))}
}

// SayHello greets req.Name. "nobody" is not found; "fail" always fails with
// an internal error.
func (g *Greeter) SayHello(ctx context.Context, req *v1.HelloRequest) (*v1.HelloReply, error) {
	switch req.GetName() {
	case "nobody":
		return nil, errors.NotFound("USER_NOT_FOUND", "no user named nobody")
	case "fail":
		return nil, errors.InternalServer("BROKEN", "this greeting always fails")
	}
	g.log.WithContext(ctx).Infof("greeting %s", req.GetName())
	return &v1.HelloReply{Message: "hello " + req.GetName(), Instance: g.instance}, nil
}
