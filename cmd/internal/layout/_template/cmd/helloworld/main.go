// Command helloworld runs the service: it reads the configuration, wires
// the layers with their constructors and serves HTTP and gRPC until it
// receives SIGINT or SIGTERM (a second one stops at once; server.stop_timeout
// bounds a graceful stop).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed6ad8aa6b/kratos"
	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/config/file"
	"github.com/seed6ad8aa6b/kratos/log"

	"helloworld/internal/biz"
	"helloworld/internal/conf"
	"helloworld/internal/data"
	"helloworld/internal/server"
	"helloworld/internal/service"
)

// Name and Version describe the service to the registry and in logs. Set
// them when building: go build -ldflags "-X main.Version=v1.2.3". An
// empty Name is the executable's name.
var (
	Name    string
	Version = "dev"
)

func main() {
	confPath := flag.String("conf", "configs", "config file or directory, e.g. -conf configs/config.yaml")
	flag.Parse()
	if err := run(*confPath); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(confPath string) error {
	if Name == "" {
		Name = strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	}
	id, _ := os.Hostname()
	logger := log.With(log.NewStdLogger(os.Stdout),
		"ts", log.DefaultTimestamp,
		"caller", log.DefaultCaller,
		"service.id", id,
		"service.name", Name,
		"service.version", Version,
	)

	c := config.New(config.WithSource(file.NewSource(confPath)), config.WithLogger(logger))
	defer c.Close()
	if err := c.Load(); err != nil {
		return fmt.Errorf("load config %s: %w", confPath, err)
	}
	var bc conf.Bootstrap
	if err := c.Scan(&bc); err != nil {
		return fmt.Errorf("read config %s: %w", confPath, err)
	}

	app, cleanup, err := newApp(&bc, id, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	return app.Run()
}

// newApp builds every layer, from data up to the servers, and returns the
// App and a function releasing what the layers hold.
func newApp(bc *conf.Bootstrap, id string, logger log.Logger) (*kratos.App, func(), error) {
	d, cleanup, err := data.NewData(logger)
	if err != nil {
		return nil, nil, err
	}
	repo := data.NewGreeterRepo(d)
	uc := biz.NewGreeterUsecase(&bc.Greeter, repo, logger)
	greeter := service.NewGreeterService(uc)
	httpSrv := server.NewHTTPServer(&bc.Server, greeter, logger)
	grpcSrv := server.NewGRPCServer(&bc.Server, greeter, logger)
	opts := []kratos.Option{
		kratos.ID(id),
		kratos.Name(Name),
		kratos.Version(Version),
		kratos.Logger(logger),
		kratos.Server(httpSrv, grpcSrv),
	}
	if bc.Server.StopTimeout != 0 {
		opts = append(opts, kratos.StopTimeout(bc.Server.StopTimeout.Std()))
	}
	return kratos.New(opts...), cleanup, nil
}
