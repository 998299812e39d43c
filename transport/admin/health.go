package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// check is one readiness check of WithReadiness.
type check struct {
	name string
	fn   func(context.Context) error
}

func newCheck(name string, fn func(context.Context) error) check {
	if fn == nil {
		fn = func(context.Context) error { return nil }
	}
	return check{name: name, fn: fn}
}

// healthz answers 200 as long as the process serves requests at all.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 "ok" when Ready reports nil, and 503 with the reason
// otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Ready(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, err)
		return
	}
	fmt.Fprintln(w, "ok")
}

// Not-ready reasons of Ready that concern the server itself.
var (
	ErrNotStarted = errors.New("admin: not started")
	ErrStarting   = errors.New("admin: the app is starting")
	ErrDraining   = errors.New("admin: draining")
)

// Ready reports why the service is not ready, or nil when it is: the
// server must serve (Start), the App that started it must have finished
// its startup (AfterStart hooks included), the server must not be
// draining or stopped (Drain, Stop), and every readiness check must pass. The checks run only when
// the server itself is ready; their errors are wrapped with their names
// and joined. /readyz answers with it.
func (s *Server) Ready(ctx context.Context) error {
	switch {
	case s.draining.Load():
		return ErrDraining
	case !s.serving.Load():
		return ErrNotStarted
	}
	if ch := s.startup.Load(); ch != nil {
		select {
		case <-*ch:
		default:
			return ErrStarting
		}
	}
	var errs []error
	for _, c := range s.opts.checks {
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if s.opts.checkTimeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, s.opts.checkTimeout)
		}
		err := c.fn(cctx)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
		}
	}
	return errors.Join(errs...)
}

// GRPCHealth returns a readiness check that asks the grpc.health.v1.Health
// service behind cc about service ("" is the server as a whole): it passes
// while the answer is SERVING. A gRPC server of transport/grpc cannot
// answer before its Start and answers NOT_SERVING from its Drain on, so
// with this check /readyz follows it. The caller owns cc and closes it
// after the server stops.
func GRPCHealth(cc grpc.ClientConnInterface, service string) func(context.Context) error {
	client := healthpb.NewHealthClient(cc)
	return func(ctx context.Context) error {
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			return fmt.Errorf("grpc health check: %w", err)
		}
		if st := resp.GetStatus(); st != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("grpc health: %s", strings.ToLower(st.String()))
		}
		return nil
	}
}

// HealthChecker is what GRPCServerHealth asks: transport/grpc's Server
// answers it in-process.
type HealthChecker interface {
	HealthCheck(ctx context.Context, service string) (healthpb.HealthCheckResponse_ServingStatus, error)
}

// GRPCServerHealth returns a readiness check that asks srv (a
// transport/grpc Server) about service ("" is the server as a whole)
// without a network call: it passes while the answer is SERVING. Unlike
// GRPCHealth it needs no connection, so it works whatever the server's
// credentials.
func GRPCServerHealth(srv HealthChecker, service string) func(context.Context) error {
	return func(ctx context.Context) error {
		st, err := srv.HealthCheck(ctx, service)
		if err != nil {
			return fmt.Errorf("grpc health check: %w", err)
		}
		if st != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("grpc health: %s", strings.ToLower(st.String()))
		}
		return nil
	}
}
