package prometheus_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/seed6ad8aa6b/kratos/contrib/metrics/prometheus"
	"github.com/seed6ad8aa6b/kratos/middleware/metrics"
)

func ExampleNew() {
	exp, err := prometheus.New(prometheus.WithRuntimeMetrics(false))
	if err != nil {
		panic(err)
	}
	defer exp.Shutdown(context.Background())

	// The metrics middleware records into the exporter's meter; here the
	// counter is used directly.
	requests, _ := metrics.DefaultRequestsCounter(exp.Meter("orders"), metrics.DefaultServerRequestsCounterName)
	requests.Add(context.Background(), 3)

	// The exporter is the handler of /metrics (admin.WithMetrics(exp)).
	rec := httptest.NewRecorder()
	exp.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "# TYPE server_") || strings.HasPrefix(line, "server_") {
			fmt.Println(line)
		}
	}
	// Output:
	// # TYPE server_requests_code_total counter
	// server_requests_code_total{otel_scope_name="orders",otel_scope_schema_url="",otel_scope_version=""} 3
}
