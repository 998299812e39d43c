package server

import (
	"fmt"
	"net/http"

	grpcgo "google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"

	"helloworld/internal/conf"
)

// DefaultAdminAddr is the admin listener's address when server.admin.addr
// is empty.
const DefaultAdminAddr = "0.0.0.0:6060"

// NewAdminServer returns the admin listener: /healthz, /readyz (ready while
// the App runs and the gRPC server's health service answers SERVING),
// /metrics, /debug/pprof/ and /loglevel (which changes level). The
// function it returns closes the connection to the gRPC server's health
// service; call it after the App has stopped.
func NewAdminServer(c *conf.Server, metrics http.Handler, level *log.LevelVar, gs *grpc.Server) (*admin.Server, func(), error) {
	addr := c.GetAdmin().GetAddr()
	if addr == "" {
		addr = DefaultAdminAddr
	}
	// The health service is asked over the gRPC server's own listener.
	u, err := gs.Endpoint()
	if err != nil {
		return nil, nil, err
	}
	conn, err := grpcgo.NewClient(u.Host, grpcgo.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, fmt.Errorf("health client for %s: %w", u, err)
	}
	srv := admin.New(
		admin.WithAddress(addr),
		admin.WithMetrics(metrics),
		admin.WithLogLevel(level),
		admin.WithReadiness("grpc", admin.GRPCHealth(conn, "")),
	)
	return srv, func() { conn.Close() }, nil
}
