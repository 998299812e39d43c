package prometheus_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	promclient "github.com/prometheus/client_golang/prometheus"

	"github.com/seed6ad8aa6b/kratos/contrib/metrics/prometheus"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware/metrics"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// newServer returns an HTTP server whose /hello/{name} route runs the
// metrics middleware on the exporter's meter; the name "bad" fails.
func newServer(t *testing.T, exp *prometheus.Exporter) *khttp.Server {
	t.Helper()
	meter := exp.Meter("test")
	requests, err := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
	if err != nil {
		t.Fatal(err)
	}
	seconds, err := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
	if err != nil {
		t.Fatal(err)
	}
	srv := khttp.NewServer(khttp.Middleware(metrics.Server(metrics.WithRequests(requests), metrics.WithSeconds(seconds))))
	srv.Route("/").GET("/hello/{name}", func(ctx khttp.Context) error {
		h := ctx.Middleware(func(_ context.Context, _ any) (any, error) {
			if ctx.Vars().Get("name") == "bad" {
				return nil, errors.BadRequest("NAME_BAD", "bad name")
			}
			return map[string]string{"message": "hi"}, nil
		})
		reply, err := h(ctx, nil)
		if err != nil {
			return err
		}
		return ctx.Result(200, reply)
	})
	return srv
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape = %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestMiddlewareMetricsAsPrometheusText(t *testing.T) {
	exp, err := prometheus.New()
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Shutdown(context.Background())
	api := httptest.NewServer(newServer(t, exp))
	defer api.Close()
	for _, name := range []string{"a", "b", "bad"} {
		resp, err := http.Get(api.URL + "/hello/" + name)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	// Scraped through the admin listener's seam.
	text := scrape(t, admin.New(admin.WithMetrics(exp)))
	tests := []struct {
		name string
		re   string
	}{
		{"successes", `(?m)^server_requests_code_total\{.*code="200".*kind="http".*operation="/hello/\{name\}".*\} 2$`},
		{"failure with reason", `(?m)^server_requests_code_total\{.*code="400".*reason="NAME_BAD".*\} 1$`},
		{"histogram", `(?m)^server_requests_seconds_bucket[a-z_]*_count\{.*operation="/hello/\{name\}".*\} 3$`},
		{"Go runtime", `(?m)^go_goroutines [0-9]+$`},
		{"process", `(?m)^process_cpu_seconds_total `},
		{"type line", `(?m)^# TYPE server_requests_code_total counter$`},
	}
	for _, tt := range tests {
		if !regexp.MustCompile(tt.re).MatchString(text) {
			t.Errorf("%s: scrape has no line matching %s:\n%s", tt.name, tt.re, grep(text, "server_"))
		}
	}
}

func TestOptions(t *testing.T) {
	reg := promclient.NewRegistry()
	exp, err := prometheus.New(prometheus.WithRegistry(reg), prometheus.WithRuntimeMetrics(false),
		prometheus.WithView(metrics.DefaultSecondsHistogramView(metrics.DefaultServerSecondsHistogramName)))
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Shutdown(context.Background())
	c, err := exp.Meter("x").Int64Counter("jobs_total")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 5)
	text := scrape(t, exp)
	if strings.Contains(text, "go_goroutines") {
		t.Errorf("scrape with WithRuntimeMetrics(false) has go_goroutines:\n%s", text)
	}
	if !regexp.MustCompile(`(?m)^jobs_total\{.*\} 5$`).MatchString(text) {
		t.Errorf("scrape has no jobs_total 5:\n%s", text)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		found = found || f.GetName() == "jobs_total"
	}
	if !found {
		t.Errorf("the given registry does not hold jobs_total")
	}
}

func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
