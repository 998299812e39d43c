// Package metrics records OpenTelemetry metrics for server and client calls:
// a counter of calls by kind, operation, code and reason, and a histogram of
// call durations in seconds by kind and operation.
//
// The middleware records only into the instruments it is given with
// WithRequests and WithSeconds; without either it passes calls through
// untouched. DefaultRequestsCounter and DefaultSecondsHistogram create
// instruments with the conventional units and bucket boundaries:
//
//	meter := otel.Meter("orders")
//	requests, _ := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
//	seconds, _ := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
//	mw := metrics.Server(metrics.WithRequests(requests), metrics.WithSeconds(seconds))
//
// The attribute "kind" is the transport kind ("http" or "grpc"), "operation"
// the full method name or route, "code" the call's Kratos code (200 on
// success, else errors.FromError's code) and "reason" the error reason.
package metrics

import (
	"context"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Suggested instrument names.
const (
	DefaultServerRequestsCounterName  = "server_requests_code_total"
	DefaultServerSecondsHistogramName = "server_requests_seconds_bucket"
	DefaultClientRequestsCounterName  = "client_requests_code_total"
	DefaultClientSecondsHistogramName = "client_requests_seconds_bucket"
)

// Attribute keys.
const (
	keyKind      = "kind"
	keyOperation = "operation"
	keyCode      = "code"
	keyReason    = "reason"
)

// codeOK is the code recorded for a call that returned no error.
const codeOK = 200

// secondsBuckets are the histogram bucket boundaries, in seconds.
var secondsBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}

// Option configures Server and Client.
type Option func(*options)

type options struct {
	requests metric.Int64Counter
	seconds  metric.Float64Histogram
}

// WithRequests sets the counter that gets 1 per call, with the attributes
// kind, operation, code and reason. The default is none: calls are not
// counted.
func WithRequests(c metric.Int64Counter) Option {
	return func(o *options) { o.requests = c }
}

// WithSeconds sets the histogram that records each call's duration in
// seconds, with the attributes kind and operation. The default is none:
// durations are not recorded.
func WithSeconds(h metric.Float64Histogram) Option {
	return func(o *options) { o.seconds = h }
}

// DefaultRequestsCounter creates the call counter name on meter, with unit
// "{call}". The conventional names are DefaultServerRequestsCounterName and
// DefaultClientRequestsCounterName.
func DefaultRequestsCounter(meter metric.Meter, name string) (metric.Int64Counter, error) {
	return meter.Int64Counter(name, metric.WithUnit("{call}"))
}

// DefaultSecondsHistogram creates the duration histogram name on meter,
// with unit "s" and the bucket boundaries 0.005, 0.01, 0.025, 0.05, 0.1,
// 0.25, 0.5 and 1 second. The conventional names are
// DefaultServerSecondsHistogramName and DefaultClientSecondsHistogramName.
func DefaultSecondsHistogram(meter metric.Meter, name string) (metric.Float64Histogram, error) {
	return meter.Float64Histogram(name,
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(secondsBuckets...),
	)
}

// DefaultSecondsHistogramView returns an SDK view that gives the histogram
// called name the bucket boundaries of DefaultSecondsHistogram, without
// min and max. Register it on the provider, for meters that ignore the
// boundaries advised at creation:
//
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithView(metrics.DefaultSecondsHistogramView(name)))
func DefaultSecondsHistogramView(name string) sdkmetric.View {
	return func(inst sdkmetric.Instrument) (sdkmetric.Stream, bool) {
		if inst.Name != name {
			return sdkmetric.Stream{}, false
		}
		return sdkmetric.Stream{
			Name:        inst.Name,
			Description: inst.Description,
			Unit:        inst.Unit,
			Aggregation: sdkmetric.AggregationExplicitBucketHistogram{
				Boundaries: append([]float64(nil), secondsBuckets...),
				NoMinMax:   true,
			},
		}, true
	}
}

// exemplarFilterEnv is the standard variable that selects which
// measurements the OpenTelemetry SDK keeps as exemplars.
const exemplarFilterEnv = "OTEL_METRICS_EXEMPLAR_FILTER"

// EnableOTELExemplar turns on exemplars (measurements linked to the trace
// they were made in) for meter providers created afterwards, by setting
// OTEL_METRICS_EXEMPLAR_FILTER to "trace_based" unless it already asks for
// exemplars ("trace_based" or "always_on"). It changes the process
// environment, so call it at start-up, before creating the MeterProvider.
// The SDK this module uses keeps trace-based exemplars by default; the call
// matters only when the environment turned them off.
func EnableOTELExemplar() error {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(exemplarFilterEnv))) {
	case "trace_based", "always_on":
		return nil
	}
	return os.Setenv(exemplarFilterEnv, "trace_based")
}

// Server returns a middleware that records server calls into the
// instruments given with WithRequests and WithSeconds.
func Server(opts ...Option) middleware.Middleware {
	return newMetrics(transport.FromServerContext, opts)
}

// Client returns a middleware that records client calls into the
// instruments given with WithRequests and WithSeconds.
func Client(opts ...Option) middleware.Middleware {
	return newMetrics(transport.FromClientContext, opts)
}

func newMetrics(from func(context.Context) (transport.Transporter, bool), opts []Option) middleware.Middleware {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.requests == nil && o.seconds == nil {
		return func(handler middleware.Handler) middleware.Handler { return handler }
	}
	cache := new(optionCache)
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			var kind, operation string
			if tr, ok := from(ctx); ok {
				kind = tr.Kind().String()
				operation = tr.Operation()
			}
			start := time.Now()
			reply, err := handler(ctx, req)
			if o.requests != nil {
				code, reason := codeOK, ""
				if se := errors.FromError(err); se != nil {
					code, reason = int(se.Code), se.Reason
				}
				o.requests.Add(ctx, 1, cache.get(series{kind, operation, code, reason, true}).add...)
			}
			if o.seconds != nil {
				o.seconds.Record(ctx, time.Since(start).Seconds(), cache.get(series{kind: kind, operation: operation}).record...)
			}
			return reply, err
		}
	}
}

// maxCachedSeries bounds the number of attribute sets a middleware keeps.
// Past it, sets are built for each call: an HTTP client whose operation is
// the raw request path would otherwise grow the cache without bound.
const maxCachedSeries = 1024

// series identifies the attributes of one measurement: of the counter
// (requests true) or of the histogram (code and reason left out).
type series struct {
	kind, operation string
	code            int
	reason          string
	requests        bool
}

// measurementOptions holds one attribute set as ready-made option slices,
// so that recording a measurement allocates nothing of its own.
type measurementOptions struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

// optionCache maps series to their options. It is safe for concurrent use.
type optionCache struct {
	m sync.Map // series -> *measurementOptions
	n atomic.Int32
}

func (c *optionCache) get(s series) *measurementOptions {
	if v, ok := c.m.Load(s); ok {
		return v.(*measurementOptions)
	}
	var set attribute.Set
	if s.requests {
		set = attribute.NewSet(
			attribute.String(keyKind, s.kind),
			attribute.String(keyOperation, s.operation),
			attribute.Int(keyCode, s.code),
			attribute.String(keyReason, s.reason),
		)
	} else {
		set = attribute.NewSet(
			attribute.String(keyKind, s.kind),
			attribute.String(keyOperation, s.operation),
		)
	}
	opt := metric.WithAttributeSet(set)
	mo := &measurementOptions{add: []metric.AddOption{opt}, record: []metric.RecordOption{opt}}
	if c.n.Load() < maxCachedSeries {
		if v, loaded := c.m.LoadOrStore(s, mo); loaded {
			return v.(*measurementOptions)
		}
		c.n.Add(1)
	}
	return mo
}
