// Package telemetry builds, from the configuration, what the service tells
// about itself: its logger (JSON or text lines, with a level the admin
// listener can change), its metrics (served on the admin listener's
// /metrics) and its tracer provider (spans exported over OTLP/gRPC).
package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/seed6ad8aa6b/kratos/contrib/metrics/prometheus"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/metrics"
	"github.com/seed6ad8aa6b/kratos/middleware/tracing"

	"helloworld/internal/conf"
)

// NewLogger returns the service's logger, writing to w, and the level it
// filters with. Lines are JSON (the default) or text, as c.Format says;
// each carries fields (key, value, ...), the caller, and the trace.id and
// span.id of the call it is written in. Records below c.Level (info by
// default) are dropped; the admin listener's /loglevel changes the level.
func NewLogger(c *conf.Log, w io.Writer, fields ...any) (log.Logger, *log.LevelVar, error) {
	level := new(log.LevelVar)
	switch name := strings.ToLower(c.GetLevel()); name {
	case "", "info":
	case "debug", "warn", "error":
		level.Set(log.ParseLevel(name).Level())
	default:
		return nil, nil, fmt.Errorf("log.level %q: want debug, info, warn or error", c.GetLevel())
	}
	var sink log.Logger
	var kvs []any
	switch f := strings.ToLower(c.GetFormat()); f {
	case "", "json":
		// slog writes the time and the level itself.
		sink = log.NewSlogLogger(slog.NewJSONHandler(w, &slog.HandlerOptions{
			Level: slog.LevelDebug, // the filter below decides
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && a.Key == slog.LevelKey && a.Value.Any() == log.LevelFatal.Level() {
					a.Value = slog.StringValue("FATAL")
				}
				return a
			},
		}))
	case "text":
		sink = log.NewStdLogger(w)
		kvs = append(kvs, "ts", log.DefaultTimestamp)
	default:
		return nil, nil, fmt.Errorf("log.format %q: want json or text", c.GetFormat())
	}
	kvs = append(kvs, "caller", log.DefaultCaller)
	kvs = append(kvs, fields...)
	kvs = append(kvs, "trace.id", tracing.TraceID(), "span.id", tracing.SpanID())
	return log.With(log.NewFilter(sink, log.FilterLeveler(level)), kvs...), level, nil
}

// NewMetrics returns the exporter serving the service's metrics as
// Prometheus text, and the server middleware recording each call into it:
// the counter server_requests_code_total and the histogram
// server_requests_seconds_bucket, by kind, operation, code and reason.
func NewMetrics(name string) (*prometheus.Exporter, middleware.Middleware, error) {
	exp, err := prometheus.New()
	if err != nil {
		return nil, nil, err
	}
	meter := exp.Meter(name)
	requests, err := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
	if err != nil {
		return nil, nil, err
	}
	seconds, err := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
	if err != nil {
		return nil, nil, err
	}
	return exp, metrics.Server(metrics.WithRequests(requests), metrics.WithSeconds(seconds)), nil
}

// NewTracerProvider returns the tracer provider of the service and the
// function that flushes and stops it. With c.Endpoint set, spans are
// batched and exported over OTLP/gRPC to it: "host:port" is plaintext, an
// "http://" or "https://" URL says which. With no endpoint, nothing is
// recorded, but calls still pass their callers' trace on.
func NewTracerProvider(c *conf.Trace, name, version, id string) (trace.TracerProvider, func(context.Context) error, error) {
	if c.GetEndpoint() == "" {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	var opts []otlptracegrpc.Option
	if u, err := url.Parse(c.GetEndpoint()); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		opts = append(opts, otlptracegrpc.WithEndpointURL(c.GetEndpoint()))
	} else {
		opts = append(opts, otlptracegrpc.WithEndpoint(c.GetEndpoint()), otlptracegrpc.WithInsecure())
	}
	exp, err := otlptracegrpc.New(context.Background(), opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("trace.endpoint %q: %w", c.GetEndpoint(), err)
	}
	ratio := c.GetSampleRatio()
	if ratio <= 0 || ratio > 1 {
		ratio = 1
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
		sdktrace.WithResource(resource.NewSchemaless(
			semconv.ServiceName(name),
			semconv.ServiceVersion(version),
			semconv.ServiceInstanceID(id),
		)),
	)
	return tp, tp.Shutdown, nil
}
