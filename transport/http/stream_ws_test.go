package http_test

import (
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// chat echoes each note it receives with "re: " prepended, then, once the
// client half-closed, sends a summary note and returns.
func chat(s khttp.ServerStream) error {
	n := 0
	for {
		var in testpb.RouteNote
		err := s.Recv(&in)
		if err == io.EOF {
			return s.Send(&testpb.RouteNote{Room: in.GetRoom(), Message: fmt.Sprintf("%d notes", n)})
		}
		if err != nil {
			return err
		}
		n++
		if err := s.Send(&testpb.RouteNote{Room: in.GetRoom(), Author: in.GetAuthor(), Message: "re: " + in.GetMessage()}); err != nil {
			return err
		}
	}
}

// dialRaw opens a WebSocket to path with gorilla's client, for the tests
// that look at frames. It is closed at cleanup.
func dialRaw(t *testing.T, host, path string, header http.Header) (*websocket.Conn, *http.Response) {
	t.Helper()
	conn, res, err := websocket.DefaultDialer.Dial("ws://"+host+path, header)
	if err != nil {
		t.Fatalf("Dial(%s) error = %v (response %v)", path, err, res)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, res
}

func TestWebSocketBidiWithHalfClose(t *testing.T) {
	tests := []struct {
		name  string
		codec string
	}{
		{"json", "application/json"},
		{"protojson", "application/protojson"},
		{"proto", "application/proto"},
	}
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, chat)
	c := newClient(t, host)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream, err := c.WebSocket(context.Background(), "/v1/rooms/r1/notes?author=ann",
				khttp.ContentType(tt.codec), khttp.Accept(tt.codec), khttp.Operation(opRouteChat))
			if err != nil {
				t.Fatalf("WebSocket() error = %v", err)
			}
			for _, tt := range []struct{ msg, author, want string }{
				{"hello", "", "ann"},
				{"multi\nline", "zed", "zed"},
			} {
				// The path variables are set over what the client sends;
				// the query fills what it left unset.
				if err := stream.Send(&testpb.RouteNote{Room: "ignored", Author: tt.author, Message: tt.msg}); err != nil {
					t.Fatalf("Send() error = %v", err)
				}
				var got testpb.RouteNote
				if err := stream.Recv(&got); err != nil {
					t.Fatalf("Recv() error = %v", err)
				}
				want := &testpb.RouteNote{Room: "r1", Author: tt.want, Message: "re: " + tt.msg}
				if !proto.Equal(&got, want) {
					t.Errorf("Recv() = %v, want %v", &got, want)
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatalf("CloseSend() error = %v", err)
			}
			if err := stream.Send(&testpb.RouteNote{}); err == nil {
				t.Error("Send() after CloseSend error = nil, want an error")
			}
			var summary testpb.RouteNote
			if err := stream.Recv(&summary); err != nil || summary.GetMessage() != "2 notes" {
				t.Fatalf("Recv() = %v, %v; want the summary %q", &summary, err, "2 notes")
			}
			if err := stream.Recv(&summary); err != io.EOF {
				t.Errorf("Recv() after the server closed error = %v, want io.EOF", err)
			}
		})
	}
}

func TestWebSocketFrameTypes(t *testing.T) {
	tests := []struct {
		name    string
		codec   string
		want    int // the frame type
		decoder string
	}{
		{"proto goes in binary frames", "application/proto", websocket.BinaryMessage, "proto"},
		{"json goes in text frames", "application/json", websocket.TextMessage, "json"},
		{"default is json", "", websocket.TextMessage, "json"},
	}
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, chat)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			if tt.codec != "" {
				header.Set("Content-Type", tt.codec)
				header.Set("Accept", tt.codec)
			}
			conn, _ := dialRaw(t, host, "/v1/rooms/r1/notes", header)
			codec := encoding.GetCodec(tt.decoder)
			data, err := codec.Marshal(&testpb.RouteNote{Message: "hi"})
			if err != nil {
				t.Fatal(err)
			}
			if err := conn.WriteMessage(tt.want, data); err != nil {
				t.Fatal(err)
			}
			typ, got, err := conn.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if typ != tt.want {
				t.Errorf("frame type = %d, want %d", typ, tt.want)
			}
			var note testpb.RouteNote
			if err := codec.Unmarshal(got, &note); err != nil || note.GetMessage() != "re: hi" || note.GetRoom() != "r1" {
				t.Errorf("reply = %v, %v; want re: hi in r1", &note, err)
			}
			// The half-close of Kratos v3 clients ends the stream.
			if err := conn.WriteMessage(websocket.TextMessage, []byte("\x1eend")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := conn.ReadMessage(); err != nil { // the summary
				t.Fatal(err)
			}
			_, _, err = conn.ReadMessage()
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("after the summary: %v, want a normal close", err)
			}
		})
	}
}

func TestWebSocketServerClose(t *testing.T) {
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
		// The server ends the stream while the client still sends.
		return s.Send(&testpb.RouteNote{Message: "bye"})
	})
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r1/notes")
	if err != nil {
		t.Fatalf("WebSocket() error = %v", err)
	}
	var n testpb.RouteNote
	if err := stream.Recv(&n); err != nil || n.GetMessage() != "bye" {
		t.Fatalf("Recv() = %v, %v; want bye", &n, err)
	}
	if err := stream.Recv(&n); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
	if err := stream.Send(&testpb.RouteNote{}); err != io.EOF {
		t.Errorf("Send() after the server closed error = %v, want io.EOF", err)
	}
}

func TestWebSocketTypedErrors(t *testing.T) {
	full := errors.NotFound("NO_ROOM", "room r1 is gone").WithMetadata(map[string]string{"room": "r1"})
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
		var in testpb.RouteNote
		if err := s.Recv(&in); err != nil {
			return err
		}
		return full
	})
	c := newClient(t, host)
	for _, codec := range []string{"application/json", "application/proto"} {
		t.Run(codec, func(t *testing.T) {
			stream, err := c.WebSocket(context.Background(), "/v1/rooms/r1/notes", khttp.ContentType(codec))
			if err != nil {
				t.Fatalf("WebSocket() error = %v", err)
			}
			if err := stream.Send(&testpb.RouteNote{Message: "hi"}); err != nil {
				t.Fatal(err)
			}
			for range 2 { // sticky
				wantError(t, stream.Recv(new(testpb.RouteNote)), full)
			}
		})
	}
	t.Run("raw frames", func(t *testing.T) {
		conn, _ := dialRaw(t, host, "/v1/rooms/r1/notes", nil)
		if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"message":"hi"}`)); err != nil {
			t.Fatal(err)
		}
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		// A Kratos v3 peer reads "\x1eerror:" and keeps the rest as text.
		payload, ok := strings.CutPrefix(string(data), "\x1eerror:")
		if !ok || compact(payload) != compact(jsonOf(t, full)) {
			t.Errorf("error message = %q, want \\x1eerror: followed by %s", data, jsonOf(t, full))
		}
		_, _, err = conn.ReadMessage()
		var ce *websocket.CloseError
		if !stderrors.As(err, &ce) || ce.Code != websocket.CloseInternalServerErr || ce.Text != full.Message {
			t.Errorf("close = %v, want 1011 %q", err, full.Message)
		}
	})
}

// TestWebSocketReadsKratosV3Errors talks to a server that ends its stream
// as Kratos v3 does: the error's text only.
func TestWebSocketReadsKratosV3Errors(t *testing.T) {
	v3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteMessage(websocket.TextMessage, []byte("\x1eerror:room r1 is gone"))
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "room r1 is gone"), time.Now().Add(time.Second))
		_, _, _ = conn.ReadMessage() // until the client closes
	}))
	defer v3.Close()
	c := newClient(t, strings.TrimPrefix(v3.URL, "http://"))
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r1/notes")
	if err != nil {
		t.Fatalf("WebSocket() error = %v", err)
	}
	wantError(t, stream.Recv(new(testpb.RouteNote)), errors.New(http.StatusInternalServerError, "", "room r1 is gone"))
}

func TestWebSocketStreamBodyField(t *testing.T) {
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/posts", opPost, func(s khttp.ServerStream) error {
		for {
			var in testpb.PostRequest
			err := s.Recv(&in)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			// Each message is the note; room and author come from the
			// path and the query.
			if err := s.Send(&testpb.RouteNote{Room: in.GetRoom(), Author: in.GetAuthor(), Message: in.GetNote().GetMessage()}); err != nil {
				return err
			}
		}
	}, khttp.WithStreamBodyField("note"))
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r2/posts?author=bob")
	if err != nil {
		t.Fatalf("WebSocket() error = %v", err)
	}
	if err := stream.Send(&testpb.RouteNote{Message: "posted"}); err != nil {
		t.Fatal(err)
	}
	var got testpb.RouteNote
	if err := stream.Recv(&got); err != nil {
		t.Fatal(err)
	}
	if want := (&testpb.RouteNote{Room: "r2", Author: "bob", Message: "posted"}); !proto.Equal(&got, want) {
		t.Errorf("Recv() = %v, want %v", &got, want)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := stream.Recv(&got); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
}

func TestWebSocketClientStreaming(t *testing.T) {
	srv, host := startServer(t)
	wsRoute(srv, "/v1/routes/{name}", opRecordRoute, func(s khttp.ServerStream) error {
		var sum testpb.RouteSummary
		for {
			var p testpb.Point
			err := s.Recv(&p)
			if err == io.EOF {
				return s.SendAndClose(&sum)
			}
			if err != nil {
				return err
			}
			sum.Name = p.GetName()
			sum.PointCount++
			sum.Distance += p.GetLatitude()
		}
	})
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/routes/home", khttp.ContentType("application/proto"))
	if err != nil {
		t.Fatalf("WebSocket() error = %v", err)
	}
	for i := range int32(3) {
		if err := stream.Send(&testpb.Point{Latitude: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	var sum testpb.RouteSummary
	if err := stream.CloseAndRecv(&sum); err != nil {
		t.Fatalf("CloseAndRecv() error = %v", err)
	}
	if want := (&testpb.RouteSummary{Name: "home", PointCount: 3, Distance: 6}); !proto.Equal(&sum, want) {
		t.Errorf("CloseAndRecv() = %v, want %v", &sum, want)
	}
}

func TestWebSocketHeaders(t *testing.T) {
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
		if err := s.SetHeader(metadata.Pairs("x-set", "1")); err != nil {
			return err
		}
		if err := s.SendHeader(metadata.Pairs("x-sent", "2")); err != nil {
			return err
		}
		if err := s.SendHeader(metadata.Pairs("x-again", "3")); err == nil {
			return errors.InternalServer("TWICE", "SendHeader twice: error = nil")
		}
		return nil
	})
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r/notes")
	if err != nil {
		t.Fatalf("WebSocket() error = %v", err)
	}
	md, _ := stream.Header()
	for k, want := range map[string]string{"x-set": "1", "x-sent": "2"} {
		if got := md.Get(k); len(got) != 1 || got[0] != want {
			t.Errorf("header %s = %q, want [%q]", k, got, want)
		}
	}
	if err := stream.Recv(new(testpb.RouteNote)); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
}

func TestWebSocketHandshakeErrors(t *testing.T) {
	denied := errors.Unauthorized("NO_TOKEN", "no token")
	auth := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			return nil, denied
		}
	}
	srv, host := startServer(t)
	srv.Use(opRecordRoute, auth)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, chat)
	wsRoute(srv, "/v1/routes/{name}", opRecordRoute, func(khttp.ServerStream) error { return nil })

	t.Run("not a websocket request", func(t *testing.T) {
		res := rawGet(t, "http://"+host+"/v1/rooms/r/notes", nil)
		body, _ := io.ReadAll(res.Body)
		var e errors.Error
		if err := encoding.GetCodec("json").Unmarshal(body, &e); err != nil || res.StatusCode != http.StatusBadRequest || e.Reason != "WEBSOCKET_HANDSHAKE" {
			t.Errorf("response = %d %s, want 400 with reason WEBSOCKET_HANDSHAKE", res.StatusCode, body)
		}
	})
	t.Run("foreign origin", func(t *testing.T) {
		_, res, err := websocket.DefaultDialer.Dial("ws://"+host+"/v1/rooms/r/notes", http.Header{"Origin": {"http://evil.example"}})
		if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("Dial() = %v, %v; want a 403", res, err)
		}
		if res != nil {
			res.Body.Close()
		}
	})
	t.Run("middleware refuses before the upgrade", func(t *testing.T) {
		c := newClient(t, host)
		_, err := c.WebSocket(context.Background(), "/v1/routes/r")
		wantError(t, err, denied)
	})
	t.Run("not a websocket route", func(t *testing.T) {
		srv.Route("/").GET("/plain", func(ctx khttp.Context) error { return ctx.String(http.StatusOK, "plain") })
		c := newClient(t, host)
		_, err := c.WebSocket(context.Background(), "/plain")
		if errors.Code(err) != http.StatusBadGateway {
			t.Errorf("WebSocket(/plain) error = %v, want code 502", err)
		}
	})
}

func TestWebSocketReadDeadlineEndsASilentClient(t *testing.T) {
	srv, host := startServer(t)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
		if err := s.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			return err
		}
		return s.Recv(new(testpb.RouteNote))
	})
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r/notes")
	if err != nil {
		t.Fatal(err)
	}
	err = stream.Recv(new(testpb.RouteNote))
	if errors.Code(err) != http.StatusRequestTimeout || errors.Reason(err) != "READ_TIMEOUT" {
		t.Errorf("Recv() error = %v, want 408 READ_TIMEOUT", err)
	}
}

// TestWebSocketOutlivesServerTimeout answers after the request's 50ms
// deadline passed.
func TestWebSocketOutlivesServerTimeout(t *testing.T) {
	srv, host := startServer(t, khttp.Timeout(50*time.Millisecond))
	srv.Route("/").GET("/v1/rooms/{room}/notes", func(ctx khttp.Context) error {
		stream, err := khttp.NewWebSocketServerStream(ctx)
		if err != nil {
			return err
		}
		var in testpb.RouteNote
		if err := stream.Recv(&in); err != nil {
			return stream.Close(err)
		}
		<-ctx.Done() // the request's deadline
		if err := stream.Context().Err(); err != nil {
			return stream.Close(err)
		}
		return stream.Close(stream.Send(&testpb.RouteNote{Message: "late " + in.GetMessage()}))
	})
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r/notes")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&testpb.RouteNote{Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	var got testpb.RouteNote
	if err := stream.Recv(&got); err != nil || got.GetMessage() != "late hi" {
		t.Fatalf("Recv() = %v, %v; want late hi", &got, err)
	}
	if err := stream.Recv(&got); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
}

// TestWebSocketClientGoesAway checks that the server's stream context ends
// when the client leaves, while the service method is not receiving, and
// that a client canceled by its context gets a 499 at once.
func TestWebSocketClientGoesAway(t *testing.T) {
	srv, host := startServer(t)
	serverSaw := make(chan error, 1)
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
		if err := s.Send(&testpb.RouteNote{Message: "open"}); err != nil {
			return err
		}
		<-s.Context().Done()
		serverSaw <- s.Recv(new(testpb.RouteNote))
		return nil
	})
	c := newClient(t, host)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := c.WebSocket(ctx, "/v1/rooms/r/notes")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Recv(new(testpb.RouteNote)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := stream.Recv(new(testpb.RouteNote)); errors.Code(err) != 499 {
		t.Errorf("client Recv() after cancel error = %v, want code 499", err)
	}
	if err := <-serverSaw; errors.Code(err) != 499 {
		t.Errorf("server Recv() after the client left error = %v, want code 499", err)
	}
}

func TestWebSocketMessageTooLarge(t *testing.T) {
	srv, host := startServer(t, khttp.WithMaxRequestBodySize(1024))
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, chat)
	c := newClient(t, host)
	stream, err := c.WebSocket(context.Background(), "/v1/rooms/r/notes")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&testpb.RouteNote{Message: strings.Repeat("x", 2048)}); err != nil {
		t.Fatal(err)
	}
	err = stream.Recv(new(testpb.RouteNote))
	if errors.Code(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("Recv() error = %v, want 413", err)
	}
}
