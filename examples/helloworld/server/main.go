// Command server runs the Greeter service on HTTP (:8000) and gRPC (:9000).
//
//	go run ./helloworld/server            (from the examples module)
//	curl localhost:8000/helloworld/kratos
package main

import (
	"flag"
	"os"

	"github.com/seed6ad8aa6b/kratos/log"
)

func main() {
	httpAddr := flag.String("http", ":8000", "HTTP listen address")
	grpcAddr := flag.String("grpc", ":9000", "gRPC listen address")
	flag.Parse()

	logger := log.With(log.NewStdLogger(os.Stdout), "ts", log.DefaultTimestamp, "caller", log.DefaultCaller)
	app := newApp(logger, *httpAddr, *grpcAddr)
	if err := app.Run(); err != nil {
		log.NewHelper(logger).Fatal(err)
	}
}
