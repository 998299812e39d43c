package http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// TestCallerDeadlineReachesTheServer calls a server whose own timeout is
// 1s with less time left, and checks that the handler sees the caller's
// time, not the server's.
func TestCallerDeadlineReachesTheServer(t *testing.T) {
	srv, host := startServer(t, khttp.Timeout(time.Second))
	srv.Route("/").GET("/left", func(ctx khttp.Context) error {
		d, ok := ctx.Deadline()
		if !ok {
			return ctx.String(http.StatusOK, "none")
		}
		return ctx.String(http.StatusOK, fmt.Sprint(time.Until(d).Milliseconds()))
	})
	tests := []struct {
		name     string
		ctxLeft  time.Duration // 0: no context deadline
		client   time.Duration // the client's WithTimeout
		min, max int64         // milliseconds the handler may see
	}{
		{"caller has 300ms", 300 * time.Millisecond, 0, 150, 300},
		{"client timeout 400ms", 0, 400 * time.Millisecond, 250, 400},
		{"caller has more than the server", 5 * time.Second, 0, 800, 1000},
		{"no deadline anywhere", 0, 0, 800, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, host, khttp.WithTimeout(tt.client))
			ctx := context.Background()
			if tt.ctxLeft > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxLeft)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/left", nil)
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got int64
			if _, err := fmt.Fscan(res.Body, &got); err != nil {
				t.Fatalf("body: %v", err)
			}
			if got < tt.min || got > tt.max {
				t.Errorf("handler saw %dms left, want between %d and %d", got, tt.min, tt.max)
			}
		})
	}
}

func TestHandlerContextErrorsAreTyped(t *testing.T) {
	srv, host := startServer(t, khttp.Timeout(20*time.Millisecond))
	srv.Route("/").GET("/slow", func(ctx khttp.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	res, err := http.Get("http://" + host + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body strings.Builder
	_, _ = io.Copy(&body, res.Body)
	if res.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body.String(), `"reason":"DEADLINE_EXCEEDED"`) {
		t.Errorf("GET /slow = %d %s, want 504 DEADLINE_EXCEEDED", res.StatusCode, body.String())
	}
}
