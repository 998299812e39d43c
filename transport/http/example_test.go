package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/seed6ad8aa6b/kratos"
	"github.com/seed6ad8aa6b/kratos/log"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

type helloService struct{}

func (helloService) SayHello(_ context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	return &testpb.HelloReply{Message: "Hello " + in.Name}, nil
}

func (helloService) CreateHello(_ context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	return &testpb.HelloReply{Message: "Created " + in.Name}, nil
}

// The server is an http.Handler, so it can be exercised in memory.
func ExampleNewServer() {
	srv := khttp.NewServer()
	testpb.RegisterGreeterHTTPServer(srv, helloService{})

	for _, target := range []string{"/helloworld/kratos", "/nowhere"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		var body bytes.Buffer
		_ = json.Compact(&body, rec.Body.Bytes()) // protojson varies its spacing
		fmt.Println(rec.Code, body.String())
	}
	// Output:
	// 200 {"message":"Hello kratos"}
	// 404 {"code":404,"reason":"NOT_FOUND","message":"route not found","metadata":{}}
}

// A generated client calls a server started by an App on a loopback port.
func ExampleNewClient() {
	quiet := log.NewStdLogger(io.Discard)
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.Logger(quiet))
	testpb.RegisterGreeterHTTPServer(srv, helloService{})

	var app *kratos.App
	app = kratos.New(
		kratos.Name("helloworld"),
		kratos.Logger(quiet),
		kratos.Server(srv),
		kratos.AfterStart(func(ctx context.Context) error {
			defer func() { _ = app.Stop() }()
			u, err := srv.Endpoint()
			if err != nil {
				return err
			}
			conn, err := khttp.NewClient(ctx, khttp.WithEndpoint(u.Host))
			if err != nil {
				return err
			}
			defer conn.Close()
			reply, err := testpb.NewGreeterHTTPClient(conn).SayHello(ctx, &testpb.HelloRequest{Name: "kratos"})
			if err != nil {
				return err
			}
			fmt.Println(reply.Message)
			return nil
		}),
	)
	if err := app.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Hello kratos
}
