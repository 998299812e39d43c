package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/encoding/protojson"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/sse"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

var benchFeature = &testpb.Feature{Name: "Patriots Path, Mendham, NJ 07945, USA", Location: &testpb.Point{Latitude: 407838351, Longitude: -746143763}}

// readEvents reads n events of the stream at url and fails b unless each
// decodes into a Feature.
func readEvents(b *testing.B, url string, n int) {
	b.Helper()
	res, err := http.Get(url + "?filter=" + strconv.Itoa(n))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	r := sse.NewReader(res.Body, 0)
	var f testpb.Feature
	for i := range n {
		ev, err := r.Next()
		if err != nil {
			b.Fatalf("event %d: %v", i, err)
		}
		if err := protojson.Unmarshal(ev.Data, &f); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		b.Fatalf("after %d events: %v, want io.EOF", n, err)
	}
}

// BenchmarkSSESend streams b.N events from the server to a client over
// loopback: through NewServerSentEventServerStream with a recovery
// middleware, and (raw) with a net/http handler writing the same frames
// with a Flusher. Each event is marshaled with protojson and flushed.
func BenchmarkSSESend(b *testing.B) {
	b.Run("kratos", func(b *testing.B) {
		srv, host := startServer(b, khttp.Middleware(benchRecover))
		sseRoute(srv, http.MethodGet, "/v1/features", func(in *testpb.Rectangle, s khttp.ServerStream) error {
			n, _ := strconv.Atoi(in.GetFilter())
			for range n {
				if err := s.Send(benchFeature); err != nil {
					return err
				}
			}
			return nil
		})
		b.ReportAllocs()
		b.ResetTimer()
		readEvents(b, "http://"+host+"/v1/features", b.N)
	})
	b.Run("raw", func(b *testing.B) {
		mo := protojson.MarshalOptions{EmitUnpopulated: true}
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("filter"))
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-cache")
			w.WriteHeader(http.StatusOK)
			f := w.(http.Flusher)
			var buf []byte
			for range n {
				data, err := mo.Marshal(benchFeature)
				if err != nil {
					return
				}
				buf = append(buf[:0], "event: message\ndata: "...)
				buf = append(buf, data...)
				buf = append(buf, "\n\n"...)
				if _, err := w.Write(buf); err != nil {
					return
				}
				f.Flush()
			}
		}))
		defer ts.Close()
		b.ReportAllocs()
		b.ResetTimer()
		readEvents(b, ts.URL+"/v1/features", b.N)
	})
}

// BenchmarkWebSocketRoundTrip sends a message and receives its echo, b.N
// times on one stream: through Client.WebSocket and
// NewWebSocketServerStream with a recovery middleware, and (raw) with
// gorilla/websocket on both sides doing the same protojson work.
func BenchmarkWebSocketRoundTrip(b *testing.B) {
	note := &testpb.RouteNote{Room: "r", Author: "ann", Message: strings.Repeat("x", 64), Location: &testpb.Point{Latitude: 1, Longitude: 2}}
	b.Run("kratos", func(b *testing.B) {
		srv, host := startServer(b, khttp.Middleware(benchRecover))
		wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
			for {
				var in testpb.RouteNote
				if err := s.Recv(&in); err != nil {
					if err == io.EOF {
						return nil
					}
					return err
				}
				if err := s.Send(&in); err != nil {
					return err
				}
			}
		})
		c := newClient(b, host)
		stream, err := c.WebSocket(context.Background(), "/v1/rooms/r/notes")
		if err != nil {
			b.Fatal(err)
		}
		var got testpb.RouteNote
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := stream.Send(note); err != nil {
				b.Fatal(err)
			}
			if err := stream.Recv(&got); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if err := stream.CloseSend(); err != nil {
			b.Fatal(err)
		}
		if err := stream.Recv(&got); err != io.EOF {
			b.Fatalf("Recv() error = %v, want io.EOF", err)
		}
	})
	b.Run("raw", func(b *testing.B) {
		mo := protojson.MarshalOptions{EmitUnpopulated: true}
		uo := protojson.UnmarshalOptions{DiscardUnknown: true}
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer conn.Close()
			for {
				typ, data, err := conn.ReadMessage()
				if err != nil {
					return
				}
				var in testpb.RouteNote
				if err := uo.Unmarshal(data, &in); err != nil {
					return
				}
				if data, err = mo.Marshal(&in); err != nil {
					return
				}
				if err := conn.WriteMessage(typ, data); err != nil {
					return
				}
			}
		}))
		defer ts.Close()
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		var got testpb.RouteNote
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			data, err := mo.Marshal(note)
			if err != nil {
				b.Fatal(err)
			}
			if err := conn.WriteMessage(websocket.TextMessage, data); err != nil {
				b.Fatal(err)
			}
			_, data, err = conn.ReadMessage()
			if err != nil {
				b.Fatal(err)
			}
			if err := uo.Unmarshal(data, &got); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	})
}
