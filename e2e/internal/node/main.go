// Command node is one instance of the greeter service for the end-to-end
// failover tests, run as a process of its own so that a test can kill it
// (SIGKILL), hang it (SIGSTOP) or stop it gracefully (SIGTERM).
//
// It runs an App with an HTTP and a gRPC server on loopback serving
// package greeter, whose replies end with "from <id>", and registers the
// instance in etcd under the service name "greeter". It stops on SIGTERM
// or SIGINT, draining as the App does by default (kratos.WithDrainDelay).
//
//	node -etcd 127.0.0.1:2379 -id greeter-0 -ttl 8s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos"
	etcdreg "github.com/seed6ad8aa6b/kratos/contrib/registry/etcd"
	"github.com/seed6ad8aa6b/kratos/e2e/internal/greeter"
	"github.com/seed6ad8aa6b/kratos/log"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

func main() {
	endpoint := flag.String("etcd", "", "etcd client address, host:port (required)")
	id := flag.String("id", "", "instance ID (required)")
	ttl := flag.Duration("ttl", 8*time.Second, "lease TTL of the registration")
	drain := flag.Duration("drain", kratos.DefaultDrainDelay, "drain delay on stop")
	flag.Parse()
	if *endpoint == "" || *id == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*endpoint, *id, *ttl, *drain); err != nil {
		fmt.Fprintf(os.Stderr, "node %s: %v\n", *id, err)
		os.Exit(1)
	}
}

func run(endpoint, id string, ttl, drain time.Duration) error {
	logger := log.NewFilter(log.NewStdLogger(os.Stderr), log.FilterLevel(log.LevelWarn))
	log.SetLogger(logger)

	client, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{endpoint},
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return fmt.Errorf("etcd client: %w", err)
	}
	defer client.Close()

	hs := khttp.NewServer(khttp.Address("127.0.0.1:0"))
	gs := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"))
	greeter.RegisterHTTP(hs, hello{id})
	greeter.RegisterGRPC(gs, hello{id})

	app := kratos.New(
		kratos.ID(id),
		kratos.Name("greeter"),
		kratos.Version("v1"),
		kratos.Logger(logger),
		kratos.Server(hs, gs),
		kratos.Registrar(etcdreg.New(client,
			etcdreg.RegisterTTL(ttl),
			etcdreg.WithLogger(logger),
			etcdreg.WithBackoff(etcdreg.ExponentialBackoff(50*time.Millisecond, time.Second)),
		)),
		kratos.WithDrainDelay(drain),
		kratos.StopTimeout(5*time.Second),
	)
	return app.Run()
}

// hello answers SayHello with the instance ID, so that a client can tell
// which instance served it.
type hello struct{ id string }

func (h hello) SayHello(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	return wrapperspb.String("hello " + in.GetValue() + " from " + h.id), nil
}
