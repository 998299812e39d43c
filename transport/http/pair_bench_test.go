package http_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// pairWriter is a ResponseWriter that keeps nothing but the status and
// the size, so that a benchmark measures the server and not a recorder
// (httptest.ResponseRecorder clones the header map on WriteHeader). Like
// net/http's own writer it starts each response with a new header map and
// takes a read deadline.
type pairWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *pairWriter) Header() http.Header             { return w.h }
func (w *pairWriter) WriteHeader(code int)            { w.code = code }
func (w *pairWriter) Write(p []byte) (int, error)     { w.n += len(p); return len(p), nil }
func (w *pairWriter) SetReadDeadline(time.Time) error { return nil } // as net/http's writer
func (w *pairWriter) reset()                          { w.h, w.code, w.n = make(http.Header, 4), 0, 0 }

// pairBody is a request body that can be read again from the start.
type pairBody struct{ bytes.Reader }

func (*pairBody) Close() error { return nil }

func (greeterPair) CreateHello(_ context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	return &testpb.HelloReply{Message: "hello " + in.Name}, nil
}

type greeterPair struct{ benchGreeter }

// rawPairMux does with net/http alone what the generated routes do: GET
// /helloworld/{name} and POST /helloworld/{name} with a JSON body, read
// and written with protojson under the JSON codec's options.
func rawPairMux() *http.ServeMux {
	reply := func(w http.ResponseWriter, in *testpb.HelloRequest) {
		out := &testpb.HelloReply{Message: "hello " + in.Name}
		data, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /helloworld/{name}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, &testpb.HelloRequest{Name: r.PathValue("name")})
	})
	mux.HandleFunc("POST /helloworld/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var in testpb.HelloRequest
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in.Name = r.PathValue("name")
		reply(w, &in)
	})
	return mux
}

// BenchmarkKratosVsRawHTTP serves the same GET and POST requests from a
// Server with the generated routes and a recovery middleware and from
// rawPairMux, in alternating batches, and reports the CPU time per
// request of each and their ratio (kratos/raw), next to ns/op and
// allocs/op of the pair (an op is one request to each). DESIGN.md
// and issue 19 set the targets.
func BenchmarkKratosVsRawHTTP(b *testing.B) {
	srv := khttp.NewServer(khttp.Middleware(benchRecover))
	testpb.RegisterGreeterHTTPServer(srv, greeterPair{})
	raw := rawPairMux()
	for _, c := range []struct {
		name, method string
		body         []byte
		recorder     bool
	}{
		{"GET", http.MethodGet, nil, false},
		{"POST", http.MethodPost, []byte(`{"name":"ignored"}`), false},
		// With httptest's recorder, as BenchmarkKratosHTTP and
		// BenchmarkRawNetHTTP measure: the recorder's own cost, the same
		// for both, is in both figures.
		{"GET-recorder", http.MethodGet, nil, true},
		{"POST-recorder", http.MethodPost, []byte(`{"name":"ignored"}`), true},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(c.method, "/helloworld/kratos", nil)
			body := &pairBody{}
			if c.body != nil {
				req.Header.Set("Content-Type", "application/json")
				req.ContentLength = int64(len(c.body))
				req.Body = body
			}
			w := &pairWriter{}
			serve := func(h http.Handler) {
				body.Reset(c.body)
				if c.recorder {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || rec.Body.Len() != len(`{"message":"hello kratos"}`) {
						b.Fatalf("response = %d %q", rec.Code, rec.Body)
					}
					return
				}
				w.reset()
				h.ServeHTTP(w, req)
				if w.code != http.StatusOK || w.n != len(`{"message":"hello kratos"}`) {
					b.Fatalf("response = %d, %d bytes", w.code, w.n)
				}
			}
			// Each side runs batches of calls in turn; its time is the
			// process's CPU time over its batches (getrusage), which the
			// rest of the machine's load disturbs far less than wall time.
			const batch = 64
			var kt, rt time.Duration
			run := func(h http.Handler, n int) time.Duration {
				start := cpuTime(b)
				for range n {
					serve(h)
				}
				return cpuTime(b) - start
			}
			pair := func(n, turn int) {
				if turn%2 == 0 {
					kt += run(srv, n)
					rt += run(raw, n)
				} else {
					rt += run(raw, n)
					kt += run(srv, n)
				}
			}
			b.ReportAllocs()
			n, turn := 0, 0
			for b.Loop() {
				if n++; n == batch {
					pair(n, turn)
					n, turn = 0, turn+1
				}
			}
			if n > 0 {
				pair(n, turn)
			}
			b.ReportMetric(float64(kt.Nanoseconds())/float64(b.N), "kratos-cpu-ns/op")
			b.ReportMetric(float64(rt.Nanoseconds())/float64(b.N), "raw-cpu-ns/op")
			b.ReportMetric(float64(kt)/float64(rt), "kratos/raw")
		})
	}
}

// BenchmarkHTTPPair serves the pair's requests from one server only, so
// that allocations can be read per server: kratos or raw.
func BenchmarkHTTPPair(b *testing.B) {
	srv := khttp.NewServer(khttp.Middleware(benchRecover))
	testpb.RegisterGreeterHTTPServer(srv, greeterPair{})
	for _, h := range []struct {
		name string
		h    http.Handler
	}{{"kratos", srv}, {"raw", rawPairMux()}} {
		for _, c := range []struct {
			name, method string
			body         []byte
		}{
			{"GET", http.MethodGet, nil},
			{"POST", http.MethodPost, []byte(`{"name":"ignored"}`)},
		} {
			b.Run(c.name+"/"+h.name, func(b *testing.B) {
				req := httptest.NewRequest(c.method, "/helloworld/kratos", nil)
				body := &pairBody{}
				if c.body != nil {
					req.Header.Set("Content-Type", "application/json")
					req.ContentLength = int64(len(c.body))
					req.Body = body
				}
				w := &pairWriter{}
				b.ReportAllocs()
				for b.Loop() {
					body.Reset(c.body)
					w.reset()
					h.h.ServeHTTP(w, req)
				}
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			})
		}
	}
}

// cpuTime returns the process's CPU time so far, user plus system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
