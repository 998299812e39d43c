// Command ecosystem is a small Kratos v2 service built on Kratos ecosystem
// modules: a gin router and the swagger-api handler mounted on the Kratos
// HTTP server, a zap logger, etcd registration and discovery, and aegis's
// BBR limiter and SRE breaker in the middleware chains.
//
//	ecosystem -http 127.0.0.1:8000 [-etcd 127.0.0.1:2379 -name NAME -id ID [-peer NAME]]
//
// With -peer, GET /relay/{name} calls the Greeter of the service named
// -peer, found through etcd.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-kratos/aegis/circuitbreaker"
	"github.com/go-kratos/aegis/circuitbreaker/sre"
	"github.com/go-kratos/aegis/ratelimit/bbr"
	kgin "github.com/go-kratos/gin"
	kzap "github.com/go-kratos/kratos/contrib/log/zap/v2"
	etcdregistry "github.com/go-kratos/kratos/contrib/registry/etcd/v2"
	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	kbreaker "github.com/go-kratos/kratos/v2/middleware/circuitbreaker"
	"github.com/go-kratos/kratos/v2/middleware/logging"
	"github.com/go-kratos/kratos/v2/middleware/ratelimit"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/registry"
	"github.com/go-kratos/kratos/v2/transport"
	"github.com/go-kratos/kratos/v2/transport/http"
	"github.com/go-kratos/swagger-api/openapiv2"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	v1 "example.com/ecosystem/api/greeter/v1"
	"example.com/ecosystem/internal/service"
)

func main() {
	var (
		addr = flag.String("http", "127.0.0.1:8000", "HTTP listen address")
		etcd = flag.String("etcd", "", "etcd endpoint to register with (none: no registry)")
		name = flag.String("name", "ecosystem", "service name")
		id   = flag.String("id", "ecosystem-1", "instance id")
		peer = flag.String("peer", "", "service whose Greeter /relay/{name} calls, found through etcd")
	)
	flag.Parse()

	// zap writes JSON lines to stdout; Kratos logs go to it.
	zl := zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.AddSync(os.Stdout), zapcore.DebugLevel))
	logger := log.With(kzap.NewLogger(zl), "service.id", *id, "service.name", *name)
	defer zl.Sync()

	srv := http.NewServer(
		http.Address(*addr),
		http.Middleware(
			recovery.Recovery(),
			logging.Server(logger),
			ratelimit.Server(ratelimit.WithLimiter(bbr.NewLimiter())),
		),
	)
	v1.RegisterGreeterHTTPServer(srv, service.NewGreeter(*id, logger))
	srv.HandlePrefix("/gin/", ginRouter(logger))
	srv.HandlePrefix("/q/", openapiv2.NewHandler())

	opts := []kratos.Option{
		kratos.ID(*id),
		kratos.Name(*name),
		kratos.Version("v1.0.0"),
		kratos.Logger(logger),
		kratos.Server(srv),
	}
	if *etcd != "" {
		client, err := clientv3.New(clientv3.Config{Endpoints: []string{*etcd}, DialTimeout: 5 * time.Second})
		if err != nil {
			fmt.Fprintln(os.Stderr, "etcd:", err)
			os.Exit(1)
		}
		defer client.Close()
		reg := etcdregistry.New(client)
		opts = append(opts, kratos.Registrar(reg))
		if *peer != "" {
			greeter, err := peerGreeter(*peer, reg)
			if err != nil {
				fmt.Fprintln(os.Stderr, "peer:", err)
				os.Exit(1)
			}
			srv.Route("/").GET("/relay/{name}", func(ctx http.Context) error {
				reply, err := greeter.SayHello(ctx, &v1.HelloRequest{Name: ctx.Vars().Get("name")})
				if err != nil {
					return err
				}
				return ctx.Result(200, reply)
			})
		}
	}

	app := kratos.New(opts...)
	if err := app.Run(); err != nil {
		log.NewHelper(logger).Errorf("app: %v", err)
		os.Exit(1)
	}
}

// peerGreeter returns a Greeter client of the service named peer, found
// through the registry, behind an SRE circuit breaker.
func peerGreeter(peer string, d registry.Discovery) (v1.GreeterHTTPClient, error) {
	conn, err := http.NewClient(context.Background(),
		http.WithEndpoint("discovery:///"+peer),
		http.WithDiscovery(d),
		http.WithTimeout(5*time.Second),
		http.WithMiddleware(kbreaker.Client(kbreaker.WithCircuitBreaker(func() circuitbreaker.CircuitBreaker {
			return sre.NewBreaker(sre.WithRequest(3))
		}))),
	)
	if err != nil {
		return nil, err
	}
	return v1.NewGreeterHTTPClient(conn), nil
}

// ginRouter serves /gin/hello/:name with gin, through Kratos middlewares;
// the reply's X-Operation header is the operation Kratos saw.
func ginRouter(logger log.Logger) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.Use(kgin.Middlewares(recovery.Recovery(), logging.Server(logger), operationHeader))
	router.GET("/gin/hello/:name", func(c *gin.Context) {
		name := c.Param("name")
		if name == "nobody" {
			kgin.Error(c, errors.NotFound("USER_NOT_FOUND", "gin knows no user named nobody"))
			return
		}
		c.JSON(200, gin.H{"welcome": name})
	})
	return router
}

// operationHeader puts the server transport's operation in the reply.
func operationHeader(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req interface{}) (interface{}, error) {
		if tr, ok := transport.FromServerContext(ctx); ok {
			tr.ReplyHeader().Set("X-Operation", tr.Operation())
		}
		return next(ctx, req)
	}
}
