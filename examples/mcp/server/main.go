// Command server runs the Greeter service on HTTP (:8000), with its RPCs
// also served as Model Context Protocol tools at /mcp (Streamable HTTP)
// and /mcp/sse (the older SSE transport).
//
//	go run ./mcp/server            (from the examples module)
//	npx @modelcontextprotocol/inspector   (connect to http://localhost:8000/mcp)
package main

import (
	"flag"
	"os"

	"github.com/seed6ad8aa6b/kratos/log"
)

func main() {
	httpAddr := flag.String("http", ":8000", "HTTP listen address")
	flag.Parse()

	logger := log.With(log.NewStdLogger(os.Stdout), "ts", log.DefaultTimestamp, "caller", log.DefaultCaller)
	app, err := newApp(logger, *httpAddr)
	if err != nil {
		log.NewHelper(logger).Fatal(err)
	}
	if err := app.Run(); err != nil {
		log.NewHelper(logger).Fatal(err)
	}
}
