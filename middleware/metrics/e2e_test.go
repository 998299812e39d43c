package metrics_test

import (
	"context"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
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

const operation = "/test.Users/Get"

type getter interface {
	Get(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error)
}

type getFunc func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error)

func (f getFunc) Get(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	return f(ctx, in)
}

// usersDesc describes service test.Users with the unary method Get, the way
// generated code would.
var usersDesc = grpc.ServiceDesc{
	ServiceName: "test.Users",
	HandlerType: (*getter)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Get",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				return srv.(getter).Get(ctx, req.(*wrapperspb.StringValue))
			}
			if interceptor == nil {
				return h(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: operation}, h)
		},
	}},
}

// get answers "ok" for any name but "missing", which is not found.
func get(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	if in.GetValue() == "missing" {
		return nil, errors.NotFound("USER_NOT_FOUND", "no such user")
	}
	return wrapperspb.String("ok"), nil
}

// serve starts a server of kind with server middleware sm, and returns a
// caller through a client with client middleware cm.
func serve(t *testing.T, kind transport.Kind, sm, cm middleware.Middleware) getFunc {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var srv transport.Server
	var call getFunc
	switch kind {
	case transport.KindHTTP:
		s := khttp.NewServer(khttp.Listener(lis), khttp.Middleware(sm))
		s.Route("/").POST("/v1/users", func(ctx khttp.Context) error {
			in := new(wrapperspb.StringValue)
			if err := ctx.Bind(in); err != nil {
				return err
			}
			khttp.SetOperation(ctx, operation)
			h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
				return get(ctx, req.(*wrapperspb.StringValue))
			})
			out, err := h(ctx, in)
			if err != nil {
				return err
			}
			return ctx.Result(200, out)
		})
		srv = s
		client, err := khttp.NewClient(context.Background(), khttp.WithEndpoint(lis.Addr().String()), khttp.WithMiddleware(cm))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Close() })
		call = func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			out := new(wrapperspb.StringValue)
			return out, client.Invoke(ctx, "POST", "/v1/users", in, out, khttp.Operation(operation))
		}
	case transport.KindGRPC:
		s := kgrpc.NewServer(kgrpc.Listener(lis), kgrpc.Middleware(sm))
		s.RegisterService(&usersDesc, getFunc(get))
		srv = s
		conn, err := kgrpc.DialInsecure(context.Background(), kgrpc.WithEndpoint(lis.Addr().String()), kgrpc.WithMiddleware(cm))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		call = func(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
			out := new(wrapperspb.StringValue)
			return out, conn.Invoke(ctx, operation, in, out)
		}
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	return call
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
				_, err := call(context.Background(), wrapperspb.String(name))
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
