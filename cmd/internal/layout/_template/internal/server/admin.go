package server

import (
	"net/http"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"

	"helloworld/internal/conf"
)

// DefaultAdminAddr is the admin listener's address when server.admin.addr
// is empty.
const DefaultAdminAddr = "0.0.0.0:6060"

// NewAdminServer returns the admin listener: /healthz, /readyz (ready while
// the App runs and the gRPC server's health service answers SERVING, asked
// in-process), /metrics, /debug/pprof/ and /loglevel (which changes level).
func NewAdminServer(c *conf.Server, metrics http.Handler, level *log.LevelVar, gs *grpc.Server) *admin.Server {
	addr := c.GetAdmin().GetAddr()
	if addr == "" {
		addr = DefaultAdminAddr
	}
	return admin.New(
		admin.WithAddress(addr),
		admin.WithMetrics(metrics),
		admin.WithLogLevel(level),
		admin.WithReadiness("grpc", admin.GRPCServerHealth(gs, "")),
	)
}
