package conformance

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

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
// handler, in process: the handler's cost from request to written reply.
func BenchmarkConnectUnary(b *testing.B) {
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
	for _, c := range codecs {
		for _, h := range handlers {
			b.Run(c.name+"/"+h.name, func(b *testing.B) {
				w := &discardWriter{h: make(http.Header)}
				body := bytes.NewReader(c.body)
				req, err := http.NewRequest(http.MethodPost, "http://localhost"+v1.Greeter_SayHello_FullMethodName, body)
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", c.ct)
				req.Header.Set("Connect-Protocol-Version", "1")
				b.ReportAllocs()
				for b.Loop() {
					body.Reset(c.body)
					req.Body = io.NopCloser(body)
					clear(w.h)
					w.status, w.n = 0, 0
					h.h.ServeHTTP(w, req)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				}
			})
		}
	}
}
