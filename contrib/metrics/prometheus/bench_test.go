package prometheus_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seed6ad8aa6b/kratos/contrib/metrics/prometheus"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/metrics"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
)

// benchTransport is the server Transporter of one operation.
type benchTransport struct {
	kind transport.Kind
	op   string
}

func (t benchTransport) Kind() transport.Kind            { return t.kind }
func (t benchTransport) Endpoint() string                { return "" }
func (t benchTransport) Operation() string               { return t.op }
func (t benchTransport) RequestHeader() transport.Header { return nil }
func (t benchTransport) ReplyHeader() transport.Header   { return nil }

// countingWriter is a ResponseWriter that counts the body and drops it,
// reused across scrapes.
type countingWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header  { return w.h }
func (w *countingWriter) WriteHeader(code int) { w.status = code }
func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}

// BenchmarkScrape scrapes /metrics after the server metrics middleware
// (requests counter and seconds histogram) saw calls on 20 operations over
// both transports, each answering OK and two errors: 120 counter series
// and 40 histograms of 8 buckets, plus the Go runtime and process
// metrics. In one run it scrapes the same registry three ways: with
// promhttp.HandlerFor over it (the baseline, "promhttp"), through the
// Exporter's handler ("exporter"), and through the admin listener's
// handler ("admin"), which routes /metrics to the Exporter; and, as a
// second baseline ("native"), promhttp over a registry holding the same
// series in the Prometheus client's own counter and histogram vectors, the
// cost without the OpenTelemetry bridge. Each scrape is made as
// Prometheus makes it ("gzip"), and without compression ("text"). The
// figure per op is one scrape.
func BenchmarkScrape(b *testing.B) {
	reg := promclient.NewRegistry()
	exp, err := prometheus.New(prometheus.WithRegistry(reg))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	meter := exp.Meter("bench")
	requests, err := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
	if err != nil {
		b.Fatal(err)
	}
	seconds, err := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
	if err != nil {
		b.Fatal(err)
	}
	mw := metrics.Server(metrics.WithRequests(requests), metrics.WithSeconds(seconds))
	// The same series, made with the Prometheus client's own vectors in a
	// registry with the same runtime collectors: what a service that
	// skipped OpenTelemetry would serve.
	native := promclient.NewRegistry()
	native.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	nativeRequests := promclient.NewCounterVec(promclient.CounterOpts{Name: "server_requests_code_total", Help: "The total number of processed requests"}, []string{"kind", "operation", "code", "reason"})
	nativeSeconds := promclient.NewHistogramVec(promclient.HistogramOpts{Name: "server_requests_seconds", Help: "requests duration(sec).", Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}}, []string{"kind", "operation"})
	native.MustRegister(nativeRequests, nativeSeconds)

	answers := []error{nil, errors.NotFound("USER_NOT_FOUND", "no such user"), errors.ServiceUnavailable("OVERLOADED", "try later")}
	for _, kind := range []transport.Kind{transport.KindHTTP, transport.KindGRPC} {
		for i := range 20 {
			op := fmt.Sprintf("/bench.v1.Service/Method%02d", i)
			ctx := transport.NewServerContext(context.Background(), benchTransport{kind: kind, op: op})
			for j := range 30 {
				answer := answers[j%len(answers)]
				h := mw(middleware.Handler(func(context.Context, any) (any, error) { return nil, answer }))
				_, _ = h(ctx, nil)
				code, reason := "200", ""
				if se := errors.FromError(answer); se != nil {
					code, reason = fmt.Sprint(se.Code), se.Reason
				}
				nativeRequests.WithLabelValues(string(kind), op, code, reason).Inc()
				nativeSeconds.WithLabelValues(string(kind), op).Observe(0.001)
			}
		}
	}
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"native", promhttp.HandlerFor(native, promhttp.HandlerOpts{})},
		{"promhttp", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})},
		{"exporter", exp},
		{"admin", admin.New(admin.WithMetrics(exp))},
	}
	for _, enc := range []struct{ name, accept, encoding string }{
		{"gzip", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1", "gzip"},
		{"text", "text/plain", ""},
	} {
		for _, c := range handlers {
			b.Run(enc.name+"/"+c.name, func(b *testing.B) {
				req, err := http.NewRequest(http.MethodGet, "http://localhost/metrics", nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Accept", enc.accept)
				if enc.encoding != "" {
					req.Header.Set("Accept-Encoding", enc.encoding)
				}
				w := &countingWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					w.status, w.n = 0, 0
					c.h.ServeHTTP(w, req)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				}
				b.ReportMetric(float64(w.n), "bytes/scrape")
			})
		}
	}
}
