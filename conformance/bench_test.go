package conformance

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"

	v1 "github.com/seed6ad8aa6b/kratos/conformance/internal/gen/greeterv1"
	"github.com/seed6ad8aa6b/kratos/conformance/internal/greeter"
)

// discardWriter is a ResponseWriter that keeps the status and drops the
// body, reused across iterations.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}

// BenchmarkConnectUnary serves the same Connect unary call (the Greeter's
// SayHello, proto and JSON) with the kratos HTTP server, where the
// service is registered with RegisterService, and with connect-go's own
// handler, in process: the handler's cost from request to written reply
// (see connectCases).
func BenchmarkConnectUnary(b *testing.B) {
	for _, c := range connectCases(b) {
		for _, h := range c.handlers {
			b.Run(c.name+"/"+h.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					h.serve()
				}
			})
		}
	}
}

// BenchmarkConnectUnaryRatio runs batches of the same call through
// connect-go's handler and through ours in turn, for each codec, and
// reports the median over pairs of batches of our time divided by
// connect-go's ("kratos/connect-go"). A pair's two batches run back to
// back, so the figure holds on a busy machine where the ns/op of separate
// runs does not. ns/op is that of one call of each.
func BenchmarkConnectUnaryRatio(b *testing.B) {
	const size = 32
	for _, c := range connectCases(b) {
		b.Run(c.name, func(b *testing.B) {
			batch := func(serve func()) time.Duration {
				start := time.Now()
				for range size {
					serve()
				}
				return time.Since(start)
			}
			base, ours := c.handlers[0].serve, c.handlers[1].serve
			var ratios []float64
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i%size != size-1 {
					continue
				}
				var bt, ot time.Duration
				if len(ratios)%2 == 0 {
					bt, ot = batch(base), batch(ours)
				} else {
					ot, bt = batch(ours), batch(base)
				}
				ratios = append(ratios, float64(ot)/float64(bt))
			}
			if len(ratios) > 0 {
				slices.Sort(ratios)
				b.ReportMetric(ratios[len(ratios)/2], "kratos/connect-go")
			}
		})
	}
}

// connectCase is one codec's call, served by connect-go's handler
// (handlers[0]) and by the kratos HTTP server (handlers[1]).
type connectCase struct {
	name     string
	handlers []struct {
		name  string
		serve func() // serves one call; fails the benchmark unless it is a 200
	}
}

// connectCases returns the Greeter's SayHello as a Connect unary call in
// proto and in JSON, served in process by connect-go's own handler and by
// the kratos HTTP server, where the service is registered with
// RegisterService: the handler's cost from request to written reply.
func connectCases(b *testing.B) []connectCase {
	b.Helper()
	srv := khttp.NewServer()
	v1.RegisterGreeterServer(srv, greeter.Server{})
	impl := greeter.Server{}
	mux := http.NewServeMux()
	mux.Handle(v1.Greeter_SayHello_FullMethodName, connect.NewUnaryHandler(v1.Greeter_SayHello_FullMethodName,
		func(ctx context.Context, req *connect.Request[v1.HelloRequest]) (*connect.Response[v1.HelloReply], error) {
			r, err := impl.SayHello(ctx, req.Msg)
			if err != nil {
				return nil, err
			}
			return connect.NewResponse(r), nil
		}))
	protoBody, err := proto.Marshal(&v1.HelloRequest{Name: "kratos"})
	if err != nil {
		b.Fatal(err)
	}
	codecs := []struct {
		name, ct string
		body     []byte
	}{
		{"proto", "application/proto", protoBody},
		{"json", "application/json", []byte(`{"name":"kratos"}`)},
	}
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"connect-go", mux},
		{"kratos", srv},
	}
	var cases []connectCase
	for _, c := range codecs {
		cc := connectCase{name: c.name}
		for _, h := range handlers {
			w := &discardWriter{h: make(http.Header)}
			body := bytes.NewReader(c.body)
			req, err := http.NewRequest(http.MethodPost, "http://localhost"+v1.Greeter_SayHello_FullMethodName, body)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", c.ct)
			req.Header.Set("Connect-Protocol-Version", "1")
			cc.handlers = append(cc.handlers, struct {
				name  string
				serve func()
			}{h.name, func() {
				body.Reset(c.body)
				req.Body = io.NopCloser(body)
				clear(w.h)
				w.status, w.n = 0, 0
				h.h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("%s/%s: status %d", c.name, h.name, w.status)
				}
			}})
		}
		cases = append(cases, cc)
	}
	return cases
}
