package metrics_test

import (
	"context"
	"io"
	"os"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed6ad8aa6b/kratos/errors"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/metrics"
	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

func TestMain(m *testing.M) {
	// The servers log their start and stop through the global logger.
	log.SetLogger(log.NewStdLogger(io.Discard))
	os.Exit(m.Run())
}

const operation = pb.OperationGreeterSayHello

// get answers "ok" for any name but "missing", which is not found.
func get(_ context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	if in.GetName() == "missing" {
		return nil, errors.NotFound("USER_NOT_FOUND", "no such user")
	}
	return &pb.HelloReply{Message: "ok"}, nil
}

// serve starts a greeter answering with get on a server of kind with server
// middleware sm, and returns a caller through a client with client
// middleware cm.
func serve(t *testing.T, kind transport.Kind, sm, cm middleware.Middleware) pb.SayHelloFunc {
	t.Helper()
	switch kind {
	case transport.KindHTTP:
		srv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.Middleware(sm))
		pb.RegisterGreeterHTTPServer(srv, pb.SayHelloFunc(get))
		client := pb.NewGreeterHTTPClient(pb.DialHTTP(t, pb.ServeHTTP(t, srv), khttp.WithMiddleware(cm)))
		return func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
			return client.SayHello(ctx, in)
		}
	case transport.KindGRPC:
		srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(sm))
		pb.RegisterGreeterServer(srv, pb.SayHelloFunc(get))
		client := pb.NewGreeterClient(pb.DialGRPC(t, pb.ServeGRPC(t, srv), kgrpc.WithMiddleware(cm)))
		return func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
			return client.SayHello(ctx, in)
		}
	}
	t.Fatalf("unknown kind %q", kind)
	return nil
}

type point struct {
	kind, operation string
	code            int64
	reason          string
}

func TestOverRealTransports(t *testing.T) {
	for _, kind := range []transport.Kind{transport.KindHTTP, transport.KindGRPC} {
		t.Run(kind.String(), func(t *testing.T) {
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
			meter := mp.Meter("e2e")
			mustCounter := func(name string) metrics.Option {
				c, err := metrics.DefaultRequestsCounter(meter, name)
				if err != nil {
					t.Fatal(err)
				}
				return metrics.WithRequests(c)
			}
			mustHist := func(name string) metrics.Option {
				h, err := metrics.DefaultSecondsHistogram(meter, name)
				if err != nil {
					t.Fatal(err)
				}
				return metrics.WithSeconds(h)
			}
			sm := metrics.Server(mustCounter(metrics.DefaultServerRequestsCounterName), mustHist(metrics.DefaultServerSecondsHistogramName))
			cm := metrics.Client(mustCounter(metrics.DefaultClientRequestsCounterName), mustHist(metrics.DefaultClientSecondsHistogramName))
			call := serve(t, kind, sm, cm)

			for _, name := range []string{"a", "b", "missing"} {
				_, err := call(context.Background(), &pb.HelloRequest{Name: name})
				if wantErr := name == "missing"; (err != nil) != wantErr {
					t.Fatalf("call(%q) error = %v, want error %v", name, err, wantErr)
				}
			}

			var rm metricdata.ResourceMetrics
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			want := map[point]int64{
				{kind.String(), operation, 200, ""}:               2,
				{kind.String(), operation, 404, "USER_NOT_FOUND"}: 1,
			}
			for _, name := range []string{metrics.DefaultServerRequestsCounterName, metrics.DefaultClientRequestsCounterName} {
				got := map[point]int64{}
				for _, dp := range find(t, rm, name).Data.(metricdata.Sum[int64]).DataPoints {
					got[pointOf(dp.Attributes)] += dp.Value
				}
				if len(got) != len(want) {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
				for p, n := range want {
					if got[p] != n {
						t.Errorf("%s%v = %d, want %d", name, p, got[p], n)
					}
				}
			}
			for _, name := range []string{metrics.DefaultServerSecondsHistogramName, metrics.DefaultClientSecondsHistogramName} {
				dps := find(t, rm, name).Data.(metricdata.Histogram[float64]).DataPoints
				if len(dps) != 1 {
					t.Fatalf("%s has %d points, want 1", name, len(dps))
				}
				if got := pointOf(dps[0].Attributes); got != (point{kind: kind.String(), operation: operation}) {
					t.Errorf("%s attributes = %+v, want kind %s and operation %s", name, got, kind, operation)
				}
				if got := dps[0].Count; got != 3 {
					t.Errorf("%s count = %d, want 3", name, got)
				}
			}
		})
	}
}

func find(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %q", name)
	return metricdata.Metrics{}
}

func pointOf(set attribute.Set) point {
	var p point
	if v, ok := set.Value("kind"); ok {
		p.kind = v.AsString()
	}
	if v, ok := set.Value("operation"); ok {
		p.operation = v.AsString()
	}
	if v, ok := set.Value("code"); ok {
		p.code = v.AsInt64()
	}
	if v, ok := set.Value("reason"); ok {
		p.reason = v.AsString()
	}
	return p
}
