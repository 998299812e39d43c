package grpc

import (
	"context"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// HealthCheck reports, without a network call, what the server's health
// service would answer a Check for service ("" for the server as a whole):
// NOT_SERVING before Start and from Drain or Stop on, the status set on the
// health service otherwise. An unknown service is an error, as the health
// service's NotFound. With CustomHealth the status is the one this package
// keeps, not the caller's service's.
//
// This method is not part of Kratos.
func (s *Server) HealthCheck(ctx context.Context, service string) (healthpb.HealthCheckResponse_ServingStatus, error) {
	s.mu.Lock()
	serving := s.serving && !s.stopped
	s.mu.Unlock()
	res, err := s.health.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return healthpb.HealthCheckResponse_SERVICE_UNKNOWN, err
	}
	if !serving {
		return healthpb.HealthCheckResponse_NOT_SERVING, nil
	}
	return res.GetStatus(), nil
}
