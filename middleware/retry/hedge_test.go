package retry

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// barrier lets n requests through once n of them arrived, or when their
// context ends.
type barrier struct {
	mu      sync.Mutex
	arrived int
	n       int
	open    chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

// wait returns the request's arrival order, from 1.
func (b *barrier) wait(ctx context.Context) int {
	b.mu.Lock()
	b.arrived++
	i := b.arrived
	if i == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
	case <-ctx.Done():
	}
	return i
}

// TestHedgeBothAnswer has two hedged attempts of a POST both answer at
// about the same time, many times over, for the race detector: each
// attempt sends the whole body, and the caller gets one complete reply and
// the header of an answer.
func TestHedgeBothAnswer(t *testing.T) {
	var (
		mu sync.Mutex
		b  *barrier
	)
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"))
	srv.Route("/").POST("/echo", func(ctx khttp.Context) error {
		var in testgreeter.HelloRequest
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		mu.Lock()
		bar := b
		mu.Unlock()
		i := bar.wait(ctx)
		ctx.Response().Header().Set("X-Answer", strings.Repeat("a", i))
		return ctx.Result(200, &testgreeter.HelloReply{Message: in.GetName() + strings.Repeat("!", i)})
	})
	c := testgreeter.DialHTTP(t, testgreeter.ServeHTTP(t, srv),
		khttp.WithMiddleware(Client(WithIdempotent("/echo"), Hedge(time.Millisecond, 2))))
	ctx := testContext(t)
	for range 30 {
		mu.Lock()
		b = newBarrier(2)
		mu.Unlock()
		var reply testgreeter.HelloReply
		var header http.Header
		name := strings.Repeat("x", 10_000)
		if err := c.Invoke(ctx, "POST", "/echo", &testgreeter.HelloRequest{Name: name}, &reply, khttp.Header(&header)); err != nil {
			t.Fatalf("Invoke() error = %v", err)
		}
		got := reply.GetMessage()
		if got != name+"!" && got != name+"!!" {
			t.Fatalf("reply = %.20q... (%d bytes), want the name and one or two '!'", got, len(got))
		}
		if a := header.Get("X-Answer"); a != "a" && a != "aa" {
			t.Fatalf("X-Answer = %q, want the header of an answer", a)
		}
	}
}
