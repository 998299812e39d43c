package log_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/seed6ad8aa6b/kratos/log"
)

func ExampleNewHandler() {
	h := log.NewHandler(
		log.WithWriter(os.Stdout),
		log.WithFormat(log.FormatJSON),
		log.WithLevel(log.LevelDebug), // a v2 Level is a slog.Leveler
		log.WithFilter(log.FilterKey("password")),
		log.WithReplaceAttr(func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{} // drop the time, for a stable output
			}
			return a
		}),
	)
	logger := slog.New(h)

	ctx := log.ContextWithAttrs(context.Background(), slog.String("request_id", "r-42"))
	logger.DebugContext(ctx, "login", "user", "alice", "password", "hunter2")
	// Output:
	// {"level":"DEBUG","msg":"login","user":"alice","password":"***","request_id":"r-42"}
}
