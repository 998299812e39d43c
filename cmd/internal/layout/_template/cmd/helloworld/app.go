package main

import (
	"context"
	"os"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/seed6ad8aa6b/kratos"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport"

	"helloworld/internal/biz"
	"helloworld/internal/conf"
	"helloworld/internal/data"
	"helloworld/internal/server"
	"helloworld/internal/service"
	"helloworld/internal/telemetry"
)

// newApp builds everything the service runs, with plain constructors: the
// telemetry, every layer from data up to the servers, and the App. It
// returns the App and a function releasing what was built, in reverse
// order; call it after the App has stopped.
func newApp(bc *conf.Bootstrap, id string) (app *kratos.App, cleanup func(), err error) {
	var cleanups []func()
	cleanup = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()

	logger, level, err := telemetry.NewLogger(bc.GetLog(), os.Stdout,
		"service.id", id, "service.name", Name, "service.version", Version)
	if err != nil {
		return nil, nil, err
	}
	tp, stopTracing, err := telemetry.NewTracerProvider(bc.GetTrace(), Name, Version, id)
	if err != nil {
		return nil, nil, err
	}
	otel.SetTracerProvider(tp) // for code that asks otel for a tracer
	cleanups = append(cleanups, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTracing(ctx); err != nil {
			log.NewHelper(logger).Errorf("flushing spans: %v", err)
		}
	})
	exporter, metrics, err := telemetry.NewMetrics(Name)
	if err != nil {
		return nil, nil, err
	}
	cleanups = append(cleanups, func() { exporter.Shutdown(context.Background()) })

	d, closeData, err := data.NewData(logger)
	if err != nil {
		return nil, nil, err
	}
	cleanups = append(cleanups, closeData)
	repo := data.NewGreeterRepo(d)
	uc := biz.NewGreeterUsecase(bc.GetGreeter(), repo, logger)
	greeter := service.NewGreeterService(uc)

	mw := server.Middleware(logger, tp, metrics)
	httpSrv := server.NewHTTPServer(bc.GetServer(), greeter, mw...)
	grpcSrv := server.NewGRPCServer(bc.GetServer(), greeter, mw...)
	servers := []transport.Server{httpSrv, grpcSrv}
	if !bc.GetServer().GetAdmin().GetDisable() {
		servers = append(servers, server.NewAdminServer(bc.GetServer(), exporter, level, grpcSrv))
	}

	opts := []kratos.Option{
		kratos.ID(id),
		kratos.Name(Name),
		kratos.Version(Version),
		kratos.Logger(logger),
		kratos.Server(servers...),
	}
	if t := bc.GetServer().GetStopTimeout(); t != nil {
		opts = append(opts, kratos.StopTimeout(t.AsDuration()))
	}
	return kratos.New(opts...), cleanup, nil
}
