package log_test

import (
	"context"
	stdlog "log"
	"log/slog"
	"os"

	"github.com/seed6ad8aa6b/kratos/log"
)

func ExampleNewStdLogger() {
	logger := log.NewStdLogger(os.Stdout)
	_ = logger.Log(log.LevelInfo, "msg", "hello", "user", "alice")
	_ = logger.Log(log.LevelWarn, "lonely")
	// Output:
	// INFO msg=hello user=alice
	// WARN lonely=KEYVALS UNPAIRED
}

func ExampleWith() {
	logger := log.With(log.NewStdLogger(os.Stdout), "service", "orders", "version", "v1")
	_ = logger.Log(log.LevelInfo, "msg", "started")
	// Output:
	// INFO service=orders version=v1 msg=started
}

type requestIDKey struct{}

func ExampleValuer() {
	// A Valuer is resolved for every record, with the logger's context.
	requestID := log.Valuer(func(ctx context.Context) any {
		id, _ := ctx.Value(requestIDKey{}).(string)
		return id
	})
	logger := log.With(log.NewStdLogger(os.Stdout), "request_id", requestID)

	ctx := context.WithValue(context.Background(), requestIDKey{}, "r-42")
	log.NewHelper(logger).WithContext(ctx).Info("handled")
	// Output:
	// INFO request_id=r-42 msg=handled
}

func ExampleNewHelper() {
	h := log.NewHelper(log.NewStdLogger(os.Stdout))
	h.Info("plain ", "message")
	h.Infof("formatted %d", 42)
	h.Warnw("key", "value", "n", 1)
	h.Error("failed")
	// Output:
	// INFO msg=plain message
	// INFO msg=formatted 42
	// WARN key=value n=1
	// ERROR msg=failed
}

func ExampleNewFilter() {
	logger := log.NewFilter(log.NewStdLogger(os.Stdout),
		log.FilterLevel(log.LevelWarn),
		log.FilterKey("password"),
		log.FilterValue("4111-1111-1111-1111"),
	)
	h := log.NewHelper(logger)
	h.Info("dropped: below warn")
	h.Warnw("user", "bob", "password", "hunter2")
	h.Errorw("card", "4111-1111-1111-1111")
	// Output:
	// WARN user=bob password=***
	// ERROR card=***
}

func ExampleSetLogger() {
	// SetLogger replaces the global logger for the whole process.
	log.SetLogger(log.With(log.NewStdLogger(os.Stdout), "app", "demo"))
	defer log.SetLogger(nil) // back to log.DefaultLogger

	log.Infof("listening on %s", ":8000")
	log.Context(context.Background()).Warn("slow start")
	// Output:
	// INFO app=demo msg=listening on :8000
	// WARN app=demo msg=slow start
}

func ExampleNewWriter() {
	w := log.NewWriter(log.NewStdLogger(os.Stdout), log.WithWriterLevel(log.LevelError))
	std := stdlog.New(w, "http: ", 0)
	std.Println("TLS handshake error")
	// Output:
	// ERROR msg=http: TLS handshake error
}

func ExampleNewSlogHandler() {
	logger := slog.New(log.NewSlogHandler(log.NewStdLogger(os.Stdout)))
	logger.WithGroup("http").Info("request", "method", "GET", slog.Group("resp", "status", 200))
	// Output:
	// INFO msg=request http.method=GET http.resp.status=200
}

func ExampleNewSlogLogger() {
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the example output stable
			}
			return a
		},
	})
	logger := log.With(log.NewSlogLogger(h), "service", "orders")
	log.NewHelper(logger).Warnf("retry %d", 3)
	// Output:
	// level=WARN msg="retry 3" service=orders
}
