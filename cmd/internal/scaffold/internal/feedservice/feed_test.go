// The tests of this package serve the implementation `kratos proto server`
// wrote for ../../testdata/feed.proto (checked by TestGolden in scaffold),
// unchanged, over gRPC and HTTP, streams included.
package feedservice

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/scaffold/internal/feedapi"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

var (
	_ feedapi.FeedServer     = (*FeedService)(nil)
	_ feedapi.FeedHTTPServer = (*FeedService)(nil)
)

func start(t *testing.T, srv transport.Server) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}

// client is what both generated clients offer, without their options.
type client struct {
	get    func(context.Context, *feedapi.Item) (*feedapi.Item, error)
	watch  func(context.Context, *feedapi.Item) (feedapi.Feed_WatchClient, error)
	upload func(context.Context) (feedapi.Feed_UploadClient, error)
	chat   func(context.Context) (feedapi.Feed_ChatClient, error)
}

func TestStubServesBothTransports(t *testing.T) {
	svc := NewFeedService()

	hl := listen(t)
	hs := http.NewServer(http.Listener(hl))
	feedapi.RegisterFeedHTTPServer(hs, svc)
	start(t, hs)
	hc, err := http.NewClient(context.Background(), http.WithEndpoint(hl.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	h := feedapi.NewFeedHTTPClient(hc)

	gl := listen(t)
	gs := grpc.NewServer(grpc.Listener(gl))
	feedapi.RegisterFeedServer(gs, svc)
	start(t, gs)
	conn, err := grpc.DialInsecure(context.Background(), grpc.WithEndpoint(gl.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	g := feedapi.NewFeedClient(conn)

	clients := map[string]client{
		"http": {
			get:    func(ctx context.Context, in *feedapi.Item) (*feedapi.Item, error) { return h.Get(ctx, in) },
			watch:  func(ctx context.Context, in *feedapi.Item) (feedapi.Feed_WatchClient, error) { return h.Watch(ctx, in) },
			upload: func(ctx context.Context) (feedapi.Feed_UploadClient, error) { return h.Upload(ctx) },
			chat:   func(ctx context.Context) (feedapi.Feed_ChatClient, error) { return h.Chat(ctx) },
		},
		"grpc": {
			get:    func(ctx context.Context, in *feedapi.Item) (*feedapi.Item, error) { return g.Get(ctx, in) },
			watch:  func(ctx context.Context, in *feedapi.Item) (feedapi.Feed_WatchClient, error) { return g.Watch(ctx, in) },
			upload: func(ctx context.Context) (feedapi.Feed_UploadClient, error) { return g.Upload(ctx) },
			chat:   func(ctx context.Context) (feedapi.Feed_ChatClient, error) { return g.Chat(ctx) },
		},
	}
	ctx := context.Background()
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			if _, err := c.get(ctx, &feedapi.Item{Id: "1"}); err != nil {
				t.Errorf("Get() error = %v", err)
			}

			watch, err := c.watch(ctx, &feedapi.Item{Id: "1"})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for ; ; n++ {
				if _, err := watch.Recv(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("Watch Recv() error = %v", err)
				}
			}
			if n != 1 {
				t.Errorf("Watch sent %d items, want 1", n)
			}

			upload, err := c.upload(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := upload.Send(&feedapi.Item{Text: "x"}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := upload.CloseAndRecv(); err != nil {
				t.Errorf("Upload CloseAndRecv() error = %v", err)
			}

			chat, err := c.chat(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := chat.Send(&feedapi.Item{Id: "room", Text: "hi"}); err != nil {
				t.Fatal(err)
			}
			if _, err := chat.Recv(); err != nil {
				t.Fatalf("Chat Recv() error = %v", err)
			}
			if err := chat.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if _, err := chat.Recv(); err != io.EOF {
				t.Errorf("Chat Recv() after CloseSend error = %v, want io.EOF", err)
			}
		})
	}
}
