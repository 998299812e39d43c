package grpc

import (
	"context"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthServer is grpc-go's health service with one change: once the
// server stops, each Watch stream ends right after it has told its client
// NOT_SERVING. Clients with health checking on (the default of Dial) keep
// a Watch stream open on every connection, and a graceful stop waits for
// all streams, so without this every graceful stop would run into its
// deadline.
type healthServer struct {
	*health.Server

	mu       sync.Mutex
	stopping bool
	watches  map[*healthWatch]struct{}
}

func newHealthServer() *healthServer {
	return &healthServer{Server: health.NewServer(), watches: make(map[*healthWatch]struct{})}
}

// healthWatch is the stream of one Watch call, with a context the health
// server can cancel.
type healthWatch struct {
	healthpb.Health_WatchServer
	h      *healthServer
	ctx    context.Context
	cancel context.CancelFunc
	// last is the last status sent plus one; zero before the first send.
	last atomic.Int32
}

func (w *healthWatch) Context() context.Context { return w.ctx }

func (w *healthWatch) Send(resp *healthpb.HealthCheckResponse) error {
	err := w.Health_WatchServer.Send(resp)
	w.last.Store(int32(resp.GetStatus()) + 1)
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING && w.h.isStopping() {
		w.cancel()
	}
	return err
}

func (h *healthServer) Watch(in *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	w := &healthWatch{Health_WatchServer: stream, h: h, ctx: ctx, cancel: cancel}
	h.mu.Lock()
	h.watches[w] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.watches, w)
		h.mu.Unlock()
	}()
	return h.Server.Watch(in, w)
}

func (h *healthServer) isStopping() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopping
}

// shutdown sets every status to NOT_SERVING for good and ends the Watch
// streams once they have sent it.
func (h *healthServer) shutdown() {
	h.mu.Lock()
	h.stopping = true
	watches := make([]*healthWatch, 0, len(h.watches))
	for w := range h.watches {
		watches = append(watches, w)
	}
	h.mu.Unlock()

	h.Server.Shutdown()
	// A stream whose last status was not SERVING gets no update from
	// Shutdown; one that has sent nothing yet ends after its first send.
	for _, w := range watches {
		if last := w.last.Load(); last != 0 && last-1 != int32(healthpb.HealthCheckResponse_SERVING) {
			w.cancel()
		}
	}
}
