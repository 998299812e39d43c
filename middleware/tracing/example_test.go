package tracing_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/seed6ad8aa6b/kratos/middleware/tracing"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func ExampleServer() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())

	handler := tracing.Server(tracing.WithTracerProvider(tp))(func(ctx context.Context, req any) (any, error) {
		// The handler's context carries the server span, and log valuers
		// read its IDs.
		fmt.Println("trace ID set:", tracing.TraceID()(ctx) != "")
		return "hello", nil
	})

	// A transport puts the call's Transporter into the context; this one
	// carries the W3C trace context of a caller.
	tr := transporttest.New(transport.KindGRPC, "/helloworld.v1.Greeter/SayHello")
	tr.Request.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if _, err := handler(transport.NewServerContext(context.Background(), tr), "world"); err != nil {
		fmt.Println(err)
	}

	s := exp.GetSpans()[0]
	fmt.Println(s.Name, s.SpanKind, s.Status.Code)
	fmt.Println("trace:", s.SpanContext.TraceID())
	fmt.Println("parent:", s.Parent.SpanID())
	// Output:
	// trace ID set: true
	// /helloworld.v1.Greeter/SayHello server Ok
	// trace: 4bf92f3577b34da6a3ce929d0e0e4736
	// parent: 00f067aa0ba902b7
}

func ExampleClient() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())

	handler := tracing.Client(tracing.WithTracerProvider(tp))(func(ctx context.Context, req any) (any, error) {
		return "reply", nil // a transport would send the request here
	})
	tr := transporttest.New(transport.KindHTTP, "/helloworld.v1.Greeter/SayHello")
	if _, err := handler(transport.NewClientContext(context.Background(), tr), "world"); err != nil {
		fmt.Println(err)
	}

	// The request headers now carry the client span's trace context.
	s := exp.GetSpans()[0]
	want := "00-" + s.SpanContext.TraceID().String() + "-" + s.SpanContext.SpanID().String() + "-01"
	fmt.Println(s.Name, s.SpanKind)
	fmt.Println("traceparent sent:", tr.Request.Get("traceparent") == want)
	// Output:
	// /helloworld.v1.Greeter/SayHello client
	// traceparent sent: true
}
