// Package prometheus serves OpenTelemetry metrics as Prometheus text: it
// builds a MeterProvider whose instruments are read, at every scrape, by
// the OpenTelemetry Prometheus exporter into a Prometheus registry of its
// own, and the Exporter is the http.Handler that serves that registry.
//
// Give its meter to the metrics middleware and its handler to the admin
// listener:
//
//	exp, err := prometheus.New()
//	...
//	defer exp.Shutdown(ctx)
//	meter := exp.Meter("orders")
//	requests, _ := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
//	seconds, _ := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
//	mw := metrics.Server(metrics.WithRequests(requests), metrics.WithSeconds(seconds))
//	adm := admin.New(admin.WithMetrics(exp))
//
// The package touches no global state: neither Prometheus's
// DefaultRegisterer nor OpenTelemetry's global MeterProvider. It is a
// module of its own so that the framework's module does not depend on the
// Prometheus client.
package prometheus

import (
	"context"
	"fmt"
	"net/http"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

var _ http.Handler = (*Exporter)(nil)

// Option configures New.
type Option func(*options)

type options struct {
	registry *promclient.Registry
	runtime  bool
	resource *resource.Resource
	views    []sdkmetric.View
	exporter []otelprom.Option
}

// WithRegistry makes the exporter register into, and serve, r. The
// default is a new registry of the Exporter's own.
func WithRegistry(r *promclient.Registry) Option {
	return func(o *options) { o.registry = r }
}

// WithRuntimeMetrics adds the Go runtime (go_*) and process (process_*)
// collectors to the registry when on. The default is on.
func WithRuntimeMetrics(on bool) Option {
	return func(o *options) { o.runtime = on }
}

// WithResource sets the resource of the MeterProvider, served as the
// target_info metric: for example the service's name and version. The
// default is the SDK's default resource (from the environment).
func WithResource(r *resource.Resource) Option {
	return func(o *options) { o.resource = r }
}

// WithView adds views to the MeterProvider, such as
// metrics.DefaultSecondsHistogramView. Options add up; the default is none.
func WithView(v ...sdkmetric.View) Option {
	return func(o *options) { o.views = append(o.views, v...) }
}

// WithExporterOptions passes options to the OpenTelemetry Prometheus
// exporter (its WithRegisterer is overridden by WithRegistry). Options add
// up; the default is none.
func WithExporterOptions(opts ...otelprom.Option) Option {
	return func(o *options) { o.exporter = append(o.exporter, opts...) }
}

// Exporter is a MeterProvider and the handler serving its metrics in the
// Prometheus text format. It is safe for concurrent use; call Shutdown
// when done.
type Exporter struct {
	provider *sdkmetric.MeterProvider
	handler  http.Handler
}

// New returns an Exporter configured by opts.
func New(opts ...Option) (*Exporter, error) {
	o := options{runtime: true}
	for _, opt := range opts {
		opt(&o)
	}
	if o.registry == nil {
		o.registry = promclient.NewRegistry()
	}
	if o.runtime {
		for _, c := range []promclient.Collector{
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		} {
			if err := o.registry.Register(c); err != nil {
				return nil, fmt.Errorf("prometheus: register runtime metrics: %w", err)
			}
		}
	}
	reader, err := otelprom.New(append(o.exporter, otelprom.WithRegisterer(o.registry))...)
	if err != nil {
		return nil, fmt.Errorf("prometheus: new exporter: %w", err)
	}
	mpOpts := []sdkmetric.Option{sdkmetric.WithReader(reader)}
	if o.resource != nil {
		mpOpts = append(mpOpts, sdkmetric.WithResource(o.resource))
	}
	for _, v := range o.views {
		mpOpts = append(mpOpts, sdkmetric.WithView(v))
	}
	return &Exporter{
		provider: sdkmetric.NewMeterProvider(mpOpts...),
		handler:  promhttp.HandlerFor(o.registry, promhttp.HandlerOpts{}),
	}, nil
}

// MeterProvider returns the provider whose instruments the Exporter
// serves.
func (e *Exporter) MeterProvider() *sdkmetric.MeterProvider {
	return e.provider
}

// Meter returns the provider's meter called name.
func (e *Exporter) Meter(name string, opts ...metric.MeterOption) metric.Meter {
	return e.provider.Meter(name, opts...)
}

// ServeHTTP answers a scrape with the current values, in the format the
// request's Accept header asks for (Prometheus text by default).
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.handler.ServeHTTP(w, r)
}

// Shutdown stops the MeterProvider; later scrapes serve no OpenTelemetry
// metrics.
func (e *Exporter) Shutdown(ctx context.Context) error {
	if err := e.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("prometheus: shutdown: %w", err)
	}
	return nil
}
