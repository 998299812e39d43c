package metrics_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware/metrics"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func ExampleServer() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	meter := mp.Meter("helloworld")

	requests, _ := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
	seconds, _ := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
	mw := metrics.Server(metrics.WithRequests(requests), metrics.WithSeconds(seconds))

	handler := mw(func(ctx context.Context, req any) (any, error) {
		if req == "nobody" {
			return nil, errors.NotFound("USER_NOT_FOUND", "no such user")
		}
		return "hello", nil
	})
	ctx := transport.NewServerContext(context.Background(), transporttest.New(transport.KindHTTP, "/helloworld.v1.Greeter/SayHello"))
	for _, name := range []string{"alice", "bob", "nobody"} {
		_, _ = handler(ctx, name)
	}

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch data := m.Data.(type) {
		case metricdata.Sum[int64]:
			// Print the success count first.
			for _, code := range []int64{200, 404} {
				for _, dp := range data.DataPoints {
					if v, _ := dp.Attributes.Value("code"); v.AsInt64() == code {
						reason, _ := dp.Attributes.Value("reason")
						fmt.Printf("%s code=%d reason=%q: %d\n", m.Name, code, reason.AsString(), dp.Value)
					}
				}
			}
		case metricdata.Histogram[float64]:
			fmt.Printf("%s (%s): %d calls\n", m.Name, m.Unit, data.DataPoints[0].Count)
		}
	}
	// Output:
	// server_requests_code_total code=200 reason="": 2
	// server_requests_code_total code=404 reason="USER_NOT_FOUND": 1
	// server_requests_seconds_bucket (s): 3 calls
}
