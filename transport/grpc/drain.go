package grpc

import (
	"context"

	"github.com/seed6ad8aa6b/kratos/transport"
)

var _ transport.Drainer = (*Server)(nil)

// Drain makes the health service answer NOT_SERVING for every service, for
// good, while the server goes on serving calls: clients that check health
// (this package's do by default) stop picking the server at once, before
// the registry tells them it is gone. The App calls Drain when it begins to
// stop (see kratos.WithDrainDelay). With CustomHealth the caller's health
// service is left alone.
//
// This method is not part of Kratos.
func (s *Server) Drain(context.Context) error {
	s.health.shutdown()
	return nil
}
