package metrics

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// newMeter returns a meter whose measurements reader collects.
func newMeter(t *testing.T, opts ...sdkmetric.Option) (metric.Meter, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(append([]sdkmetric.Option{sdkmetric.WithReader(reader)}, opts...)...)
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp.Meter("test"), reader
}

// collect returns the metrics reader holds, by name.
func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("Collect() error = %v", err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// dataPoint identifies a data point by its attributes.
type dataPoint struct {
	kind, operation string
	code            int64
	reason          string
}

func pointOf(set attribute.Set) dataPoint {
	var s dataPoint
	if v, ok := set.Value(keyKind); ok {
		s.kind = v.AsString()
	}
	if v, ok := set.Value(keyOperation); ok {
		s.operation = v.AsString()
	}
	if v, ok := set.Value(keyCode); ok {
		s.code = v.AsInt64()
	}
	if v, ok := set.Value(keyReason); ok {
		s.reason = v.AsString()
	}
	return s
}

type call struct {
	kind      transport.Kind
	operation string
	err       error
	noTr      bool // no transport in the context
}

func TestMetrics(t *testing.T) {
	notFound := errors.NotFound("USER_NOT_FOUND", "no such user")
	calls := []call{
		{kind: transport.KindHTTP, operation: "/users.v1.Users/Get"},
		{kind: transport.KindHTTP, operation: "/users.v1.Users/Get"},
		{kind: transport.KindHTTP, operation: "/users.v1.Users/Get", err: notFound},
		{kind: transport.KindGRPC, operation: "/users.v1.Users/List"},
		{kind: transport.KindGRPC, operation: "/users.v1.Users/List", err: errors.ServiceUnavailable("DOWN", "maintenance")},
		{noTr: true},
	}
	wantCounts := map[dataPoint]int64{
		{"http", "/users.v1.Users/Get", 200, ""}:               2,
		{"http", "/users.v1.Users/Get", 404, "USER_NOT_FOUND"}: 1,
		{"grpc", "/users.v1.Users/List", 200, ""}:              1,
		{"grpc", "/users.v1.Users/List", 503, "DOWN"}:          1,
		{"", "", 200, ""}: 1,
	}
	wantHist := map[dataPoint]uint64{
		{kind: "http", operation: "/users.v1.Users/Get"}:  3,
		{kind: "grpc", operation: "/users.v1.Users/List"}: 2,
		{}: 1,
	}

	sides := []struct {
		name                  string
		mw                    func(...Option) middleware.Middleware
		ctx                   func(context.Context, transport.Transporter) context.Context
		counterName, histName string
	}{
		{"server", Server, transport.NewServerContext, DefaultServerRequestsCounterName, DefaultServerSecondsHistogramName},
		{"client", Client, transport.NewClientContext, DefaultClientRequestsCounterName, DefaultClientSecondsHistogramName},
	}
	for _, side := range sides {
		t.Run(side.name, func(t *testing.T) {
			meter, reader := newMeter(t)
			requests, err := DefaultRequestsCounter(meter, side.counterName)
			if err != nil {
				t.Fatal(err)
			}
			seconds, err := DefaultSecondsHistogram(meter, side.histName)
			if err != nil {
				t.Fatal(err)
			}
			mw := side.mw(WithRequests(requests), WithSeconds(seconds))
			for _, c := range calls {
				h := mw(func(context.Context, any) (any, error) { return "reply", c.err })
				ctx := context.Background()
				if !c.noTr {
					ctx = side.ctx(ctx, transporttest.New(c.kind, c.operation))
				}
				reply, err := h(ctx, "req")
				if reply != "reply" || err != c.err {
					t.Fatalf("h() = %v, %v; want reply, %v", reply, err, c.err)
				}
			}

			got := collect(t, reader)
			counter, ok := got[side.counterName]
			if !ok {
				t.Fatalf("no metric %q", side.counterName)
			}
			if counter.Unit != "{call}" {
				t.Errorf("counter unit = %q, want {call}", counter.Unit)
			}
			sum, ok := counter.Data.(metricdata.Sum[int64])
			if !ok {
				t.Fatalf("counter data = %T, want Sum[int64]", counter.Data)
			}
			if !sum.IsMonotonic {
				t.Error("counter is not monotonic")
			}
			gotCounts := map[dataPoint]int64{}
			for _, dp := range sum.DataPoints {
				gotCounts[pointOf(dp.Attributes)] += dp.Value
				if n := dp.Attributes.Len(); n != 4 {
					t.Errorf("counter point has %d attributes, want 4: %v", n, dp.Attributes.ToSlice())
				}
			}
			if !mapsEqual(gotCounts, wantCounts) {
				t.Errorf("counter = %v, want %v", gotCounts, wantCounts)
			}

			hist, ok := got[side.histName]
			if !ok {
				t.Fatalf("no metric %q", side.histName)
			}
			if hist.Unit != "s" {
				t.Errorf("histogram unit = %q, want s", hist.Unit)
			}
			hd, ok := hist.Data.(metricdata.Histogram[float64])
			if !ok {
				t.Fatalf("histogram data = %T, want Histogram[float64]", hist.Data)
			}
			gotHist := map[dataPoint]uint64{}
			for _, dp := range hd.DataPoints {
				gotHist[pointOf(dp.Attributes)] += dp.Count
				if n := dp.Attributes.Len(); n != 2 {
					t.Errorf("histogram point has %d attributes, want 2: %v", n, dp.Attributes.ToSlice())
				}
				if !slices.Equal(dp.Bounds, secondsBuckets) {
					t.Errorf("histogram bounds = %v, want %v", dp.Bounds, secondsBuckets)
				}
				if dp.Sum < 0 {
					t.Errorf("histogram sum = %v, want >= 0", dp.Sum)
				}
			}
			if !mapsEqual(gotHist, wantHist) {
				t.Errorf("histogram counts = %v, want %v", gotHist, wantHist)
			}
		})
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestOnlyOneInstrument(t *testing.T) {
	tests := []struct {
		name      string
		opts      func(metric.Int64Counter, metric.Float64Histogram) []Option
		wantNames []string
	}{
		{
			name:      "requests only",
			opts:      func(c metric.Int64Counter, _ metric.Float64Histogram) []Option { return []Option{WithRequests(c)} },
			wantNames: []string{"requests"},
		},
		{
			name:      "seconds only",
			opts:      func(_ metric.Int64Counter, h metric.Float64Histogram) []Option { return []Option{WithSeconds(h)} },
			wantNames: []string{"seconds"},
		},
		{
			name:      "none",
			opts:      func(metric.Int64Counter, metric.Float64Histogram) []Option { return nil },
			wantNames: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meter, reader := newMeter(t)
			c, _ := DefaultRequestsCounter(meter, "requests")
			h, _ := DefaultSecondsHistogram(meter, "seconds")
			for _, mw := range []middleware.Middleware{Server(tt.opts(c, h)...), Client(tt.opts(c, h)...)} {
				ctx := transport.NewServerContext(context.Background(), transporttest.New(transport.KindGRPC, "/a.B/C"))
				ctx = transport.NewClientContext(ctx, transporttest.New(transport.KindGRPC, "/a.B/C"))
				if reply, err := mw(func(context.Context, any) (any, error) { return 1, nil })(ctx, nil); reply != 1 || err != nil {
					t.Fatalf("h() = %v, %v; want 1, nil", reply, err)
				}
			}
			var gotNames []string
			for name := range collect(t, reader) {
				gotNames = append(gotNames, name)
			}
			slices.Sort(gotNames)
			if !slices.Equal(gotNames, tt.wantNames) {
				t.Errorf("recorded metrics = %v, want %v", gotNames, tt.wantNames)
			}
		})
	}
}

func TestDefaultSecondsHistogramView(t *testing.T) {
	const name = "view_seconds"
	meter, reader := newMeter(t, sdkmetric.WithView(DefaultSecondsHistogramView(name)))
	// Created without advised boundaries: the view must supply them.
	viewed, err := meter.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription("call time"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := meter.Float64Histogram("other_seconds")
	if err != nil {
		t.Fatal(err)
	}
	viewed.Record(context.Background(), 0.03)
	other.Record(context.Background(), 0.03)

	got := collect(t, reader)
	m := got[name]
	if m.Unit != "s" || m.Description != "call time" {
		t.Errorf("viewed unit, description = %q, %q; want s, call time", m.Unit, m.Description)
	}
	dp := m.Data.(metricdata.Histogram[float64]).DataPoints[0]
	if !slices.Equal(dp.Bounds, secondsBuckets) {
		t.Errorf("viewed bounds = %v, want %v", dp.Bounds, secondsBuckets)
	}
	if _, ok := dp.Min.Value(); ok {
		t.Error("viewed histogram records min, want none")
	}
	if got, want := dp.BucketCounts[3], uint64(1); got != want { // (0.025, 0.05]
		t.Errorf("bucket (0.025, 0.05] = %d, want %d", got, want)
	}
	odp := got["other_seconds"].Data.(metricdata.Histogram[float64]).DataPoints[0]
	if slices.Equal(odp.Bounds, secondsBuckets) {
		t.Error("view changed another histogram's bounds")
	}
}

func TestEnableOTELExemplar(t *testing.T) {
	tests := []struct {
		env  string
		set  bool
		want string
	}{
		{set: false, want: "trace_based"},
		{env: "always_off", set: true, want: "trace_based"},
		{env: "always_on", set: true, want: "always_on"},
		{env: "Trace_Based", set: true, want: "Trace_Based"},
	}
	for _, tt := range tests {
		t.Setenv(exemplarFilterEnv, tt.env)
		if !tt.set {
			os.Unsetenv(exemplarFilterEnv)
		}
		if err := EnableOTELExemplar(); err != nil {
			t.Fatalf("EnableOTELExemplar() error = %v", err)
		}
		if got := os.Getenv(exemplarFilterEnv); got != tt.want {
			t.Errorf("with %q: %s = %q, want %q", tt.env, exemplarFilterEnv, got, tt.want)
		}
	}
}

// BenchmarkServer measures a server call with both instruments against the
// bare handler; "parallel" runs calls on every P at once.
func BenchmarkServer(b *testing.B) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	meter := mp.Meter("bench")
	requests, _ := DefaultRequestsCounter(meter, DefaultServerRequestsCounterName)
	seconds, _ := DefaultSecondsHistogram(meter, DefaultServerSecondsHistogramName)
	ctx := transport.NewServerContext(context.Background(), transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello"))
	next := func(context.Context, any) (any, error) { return "reply", nil }
	for _, bb := range []struct {
		name string
		h    middleware.Handler
	}{
		{"bare", next},
		{"sdk", Server(WithRequests(requests), WithSeconds(seconds))(next)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bb.h(ctx, "req"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bb.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := bb.h(ctx, "req"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func TestOptionCacheIsBounded(t *testing.T) {
	var c optionCache
	for i := range maxCachedSeries + 10 {
		s := series{kind: "http", operation: fmt.Sprintf("/v1/users/%d", i), code: 200, requests: true}
		mo := c.get(s)
		if len(mo.add) != 1 || len(mo.record) != 1 {
			t.Fatalf("get(%v) = %d add and %d record options, want 1 each", s, len(mo.add), len(mo.record))
		}
		if again := c.get(s); (i < maxCachedSeries) != (again == mo) {
			t.Errorf("series %d: cached = %v, want %v", i, again == mo, i < maxCachedSeries)
		}
	}
	if got := int(c.n.Load()); got != maxCachedSeries {
		t.Errorf("cached series = %d, want %d", got, maxCachedSeries)
	}
}

func TestConcurrentCalls(t *testing.T) {
	meter, reader := newMeter(t)
	requests, _ := DefaultRequestsCounter(meter, "requests")
	seconds, _ := DefaultSecondsHistogram(meter, "seconds")
	h := Server(WithRequests(requests), WithSeconds(seconds))(func(_ context.Context, req any) (any, error) {
		if req.(int)%2 == 1 {
			return nil, errors.BadRequest("ODD", "odd request")
		}
		return nil, nil
	})
	const workers, calls = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			op := fmt.Sprintf("/pkg.Svc/M%d", w%2)
			ctx := transport.NewServerContext(context.Background(), transporttest.New(transport.KindGRPC, op))
			for i := range calls {
				_, _ = h(ctx, i)
			}
		})
	}
	wg.Wait()
	got := map[dataPoint]int64{}
	for _, dp := range collect(t, reader)["requests"].Data.(metricdata.Sum[int64]).DataPoints {
		got[pointOf(dp.Attributes)] += dp.Value
	}
	per := int64(workers / 2 * calls / 2)
	want := map[dataPoint]int64{
		{"grpc", "/pkg.Svc/M0", 200, ""}:    per,
		{"grpc", "/pkg.Svc/M0", 400, "ODD"}: per,
		{"grpc", "/pkg.Svc/M1", 200, ""}:    per,
		{"grpc", "/pkg.Svc/M1", 400, "ODD"}: per,
	}
	if !mapsEqual(got, want) {
		t.Errorf("counter = %v, want %v", got, want)
	}
}
