package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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
	for _, c := range sseSenders(b) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			c.send(b, b.N)
		})
	}
}

// streamCase sends n messages of a stream benchmark; each call of send
// opens the stream anew or goes on with one opened before.
type streamCase struct {
	name string
	send func(b *testing.B, n int)
}

// sseSenders returns the servers of BenchmarkSSESend, "kratos" and "raw",
// each as a function that reads n events of a new stream of it.
func sseSenders(b *testing.B) []streamCase {
	b.Helper()
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
	b.Cleanup(ts.Close)
	return []streamCase{
		{"kratos", func(b *testing.B, n int) { readEvents(b, "http://"+host+"/v1/features", n) }},
		{"raw", func(b *testing.B, n int) { readEvents(b, ts.URL+"/v1/features", n) }},
	}
}

// BenchmarkWebSocketRoundTrip sends a message and receives its echo, b.N
// times on one stream: through Client.WebSocket and
// NewWebSocketServerStream with a recovery middleware, and (raw) with
// gorilla/websocket on both sides doing the same protojson work.
func BenchmarkWebSocketRoundTrip(b *testing.B) {
	for _, c := range wsEchoes(b) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			c.send(b, b.N)
		})
	}
}

// wsEchoes returns the streams of BenchmarkWebSocketRoundTrip, "kratos" and
// "raw", each opened once and as a function that makes n round trips on
// it. The streams are closed when the benchmark ends.
func wsEchoes(b *testing.B) []streamCase {
	b.Helper()
	note := &testpb.RouteNote{Room: "r", Author: "ann", Message: strings.Repeat("x", 64), Location: &testpb.Point{Latitude: 1, Longitude: 2}}

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
	b.Cleanup(func() {
		var got testpb.RouteNote
		if err := stream.CloseSend(); err != nil {
			b.Error(err)
		}
		if err := stream.Recv(&got); err != io.EOF {
			b.Errorf("Recv() error = %v, want io.EOF", err)
		}
	})
	var kgot testpb.RouteNote
	kratos := func(b *testing.B, n int) {
		for range n {
			if err := stream.Send(note); err != nil {
				b.Fatal(err)
			}
			if err := stream.Recv(&kgot); err != nil {
				b.Fatal(err)
			}
		}
	}

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
	b.Cleanup(ts.Close)
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = conn.Close()
	})
	var rgot testpb.RouteNote
	raw := func(b *testing.B, n int) {
		for range n {
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
			if err := uo.Unmarshal(data, &rgot); err != nil {
				b.Fatal(err)
			}
		}
	}
	return []streamCase{{"kratos", kratos}, {"raw", raw}}
}

// BenchmarkStreamRatio runs batches of the two cases of BenchmarkSSESend
// (a stream of 64 events each) and of BenchmarkWebSocketRoundTrip (32
// round trips each) in turn, and reports the median over pairs of
// batches of the kratos batch's time divided by the raw one's
// ("kratos/raw"). A pair's two batches run back to back, so the figure
// holds on a busy machine where the ns/op of separate runs does not. ns/op
// is that of one message of each.
func BenchmarkStreamRatio(b *testing.B) {
	for _, c := range []struct {
		name  string
		size  int
		cases func(*testing.B) []streamCase
	}{
		{"sse", 64, sseSenders},
		{"websocket", 32, wsEchoes},
	} {
		b.Run(c.name, func(b *testing.B) {
			cases := c.cases(b)
			ours, raw := cases[0].send, cases[1].send
			batch := func(send func(*testing.B, int)) time.Duration {
				start := time.Now()
				send(b, c.size)
				return time.Since(start)
			}
			var ratios []float64
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i%c.size != c.size-1 {
					continue
				}
				var ot, rt time.Duration
				if len(ratios)%2 == 0 {
					rt, ot = batch(raw), batch(ours)
				} else {
					ot, rt = batch(ours), batch(raw)
				}
				ratios = append(ratios, float64(ot)/float64(rt))
			}
			if len(ratios) > 0 {
				slices.Sort(ratios)
				b.ReportMetric(ratios[len(ratios)/2], "kratos/raw")
			}
		})
	}
}
