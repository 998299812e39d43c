package http_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// TestStopEndsStreams runs an SSE and a WebSocket stream that would go on
// forever, stops the server, and checks that Stop returns at once and both
// clients get a 503 SERVER_STOPPING error they can reconnect on.
func TestStopEndsStreams(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := khttp.NewServer(khttp.Listener(lis))
	forever := func(s khttp.ServerStream) error {
		if err := s.Send(&testpb.Feature{Name: "first"}); err != nil {
			return err
		}
		<-s.Context().Done()
		return context.Cause(s.Context())
	}
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error { return forever(s) })
	wsRoute(srv, "/v1/chat", opRouteChat, forever)
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()

	c := newClient(t, lis.Addr().String())
	sse, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := c.WebSocket(context.Background(), "/v1/chat")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]khttp.ClientStream{"sse": sse, "ws": ws} {
		var f testpb.Feature
		if err := s.Recv(&f); err != nil || f.GetName() != "first" {
			t.Fatalf("%s: first Recv = %v, %v", name, &f, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Stop(ctx); err != nil {
		t.Errorf("Stop() = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second { // a wide bound: it takes milliseconds
		t.Errorf("Stop() took %v with two open streams", took)
	}
	t.Logf("Stop with two open streams took %v", time.Since(start))
	if err := <-done; err != nil {
		t.Errorf("Start() = %v", err)
	}
	for name, s := range map[string]khttp.ClientStream{"sse": sse, "ws": ws} {
		var f testpb.Feature
		err := s.Recv(&f)
		if se := errors.FromError(err); se.Code != http.StatusServiceUnavailable || se.Reason != "SERVER_STOPPING" {
			t.Errorf("%s: Recv after Stop = %v, want 503 SERVER_STOPPING", name, err)
		}
	}
}
