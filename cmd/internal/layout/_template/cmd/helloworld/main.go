// Command helloworld runs the service: it reads the configuration, wires
// the layers with their constructors (see app.go) and serves HTTP, gRPC
// and the admin listener until it receives SIGINT or SIGTERM (a second one
// stops at once; server.stop_timeout bounds a graceful stop).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/config/file"
	"github.com/seed6ad8aa6b/kratos/log"

	"helloworld/internal/conf"
)

// Name and Version describe the service to the registry, in logs and in
// traces. Set them when building: go build -ldflags "-X main.Version=v1.2.3".
// An empty Name is the executable's name.
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
	// Until the configuration says how to log, log text to stderr.
	bootLogger := log.With(log.NewFilter(log.NewStdLogger(os.Stderr)), "ts", log.DefaultTimestamp, "service.name", Name)
	c := config.New(config.WithSource(file.NewSource(confPath)), config.WithLogger(bootLogger))
	defer c.Close()
	if err := c.Load(); err != nil {
		return fmt.Errorf("load config %s: %w", confPath, err)
	}
	var bc conf.Bootstrap
	if err := c.Scan(&bc); err != nil {
		return fmt.Errorf("read config %s: %w", confPath, err)
	}

	id, _ := os.Hostname()
	app, cleanup, err := newApp(&bc, id)
	if err != nil {
		return err
	}
	defer cleanup()
	return app.Run()
}
