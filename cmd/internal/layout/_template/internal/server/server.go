// Package server builds the HTTP, gRPC and admin servers, registers the
// services on them and chooses their middleware.
package server

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
	"github.com/seed6ad8aa6b/kratos/middleware/selector"
	"github.com/seed6ad8aa6b/kratos/middleware/tracing"
)

// healthService is the gRPC health service, which the admin listener's
// /readyz asks at every probe.
const healthService = "/grpc.health.v1.Health/"

// Middleware returns the middleware of the HTTP and gRPC servers, the
// outermost first. Tracing runs before metrics and logging, so that they
// see the call's span: the logging middleware's line carries its trace.id,
// and the metrics can link to it. Health checks are neither traced,
// counted nor logged.
func Middleware(logger log.Logger, tp trace.TracerProvider, metrics middleware.Middleware) []middleware.Middleware {
	observe := selector.Server(
		tracing.Server(tracing.WithTracerProvider(tp)),
		metrics,
		logging.Server(logger),
	).Match(func(_ context.Context, operation string) bool {
		return !strings.HasPrefix(operation, healthService)
	}).Build()
	return []middleware.Middleware{recovery.Recovery(), observe}
}
