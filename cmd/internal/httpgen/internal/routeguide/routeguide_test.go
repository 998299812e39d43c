// The tests of this package run the code that httpgen and grpcgen
// generated for ../../testdata/routeguide.proto (checked by TestGolden in
// httpgen): one implementation of RouteGuide serves the same streams over
// gRPC, Server-Sent Events and WebSocket, on real listeners, through the
// generated clients of both transports.
package routeguide

import (
	"bytes"
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// guide implements RouteGuideServer and RouteGuideHTTPServer: the stream
// types are the gRPC ones for both.
type guide struct {
	UnimplementedRouteGuideServer
}

var (
	_ RouteGuideServer     = guide{}
	_ RouteGuideHTTPServer = guide{}
)

func (guide) GetFeature(_ context.Context, p *Point) (*Feature, error) {
	return &Feature{Name: fmt.Sprintf("feature %d,%d", p.Latitude, p.Longitude), Location: p}, nil
}

// ListFeatures sends a feature per latitude from lo to hi. A negative lo
// fails before the first feature; hi 99 fails after the first.
func (guide) ListFeatures(r *Rectangle, stream RouteGuide_ListFeaturesServer) error {
	if r.GetLo().GetLatitude() < 0 {
		return errors.BadRequest("BAD_RECTANGLE", "lo is negative")
	}
	for i := r.GetLo().GetLatitude(); i <= r.GetHi().GetLatitude(); i++ {
		if err := stream.Send(&Feature{Name: fmt.Sprint("feature ", i), Location: &Point{Latitude: i}}); err != nil {
			return err
		}
		if r.GetHi().GetLatitude() == 99 {
			return errors.Conflict("MAP_CHANGED", "the map changed").WithMetadata(map[string]string{"at": fmt.Sprint(i)})
		}
	}
	return nil
}

func (guide) WatchFeatures(r *Rectangle, stream RouteGuide_WatchFeaturesServer) error {
	for i := r.GetLo().GetLatitude(); i <= r.GetHi().GetLatitude(); i++ {
		if err := stream.Send(&FeatureEvent{Kind: "added", Feature: &Feature{Name: fmt.Sprint("watched ", i)}}); err != nil {
			return err
		}
	}
	return nil
}

func (guide) RecordRoute(stream RouteGuide_RecordRouteServer) error {
	var sum RouteSummary
	for {
		p, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&sum)
		}
		if err != nil {
			return err
		}
		sum.PointCount++
		sum.Route = p.GetRoute()
	}
}

func (guide) RouteChat(stream RouteGuide_RouteChatServer) error {
	for {
		in, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if in.GetNote().GetMessage() == "fail" {
			return errors.Forbidden("NO_CHAT", "not here").WithMetadata(map[string]string{"room": in.GetRoom()})
		}
		reply := &RouteNote{Room: in.GetRoom(), Note: &Note{Message: "re: " + in.GetNote().GetMessage(), Seq: in.GetNote().GetSeq() + 1}}
		if err := stream.Send(reply); err != nil {
			return err
		}
	}
}

func (guide) UploadImage(_ context.Context, in *UploadImageRequest) (*Image, error) {
	return &Image{Name: in.Name, Caption: in.Caption, Data: in.Data}, nil
}

func (guide) DownloadImage(_ context.Context, in *GetImageRequest) (*httpbody.HttpBody, error) {
	return &httpbody.HttpBody{ContentType: "image/png", Data: []byte("png:" + in.Name)}, nil
}

func (guide) GetImageData(_ context.Context, in *GetImageRequest) (*Image, error) {
	return &Image{Name: in.Name, Data: &httpbody.HttpBody{ContentType: "text/plain", Data: []byte("data of " + in.Name)}}, nil
}

func (guide) Echo(_ context.Context, in *httpbody.HttpBody) (*httpbody.HttpBody, error) {
	return in, nil
}

func (guide) StreamImage(in *GetImageRequest, stream RouteGuide_StreamImageServer) error {
	for i := range 3 {
		if err := stream.Send(&httpbody.HttpBody{ContentType: "text/plain", Data: fmt.Appendf(nil, "%s chunk %d", in.Name, i)}); err != nil {
			return err
		}
	}
	return nil
}

func (guide) UploadChunks(stream RouteGuide_UploadChunksServer) error {
	var data []byte
	for {
		chunk, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&Image{Name: "chunks", Data: &httpbody.HttpBody{ContentType: "text/plain", Data: data}})
		}
		if err != nil {
			return err
		}
		data = append(data, chunk.GetData()...)
	}
}

// recorder is a server middleware that records, for every call, the
// operation and, over HTTP, the path template and the request's path and
// query, and whether its context has a deadline (the server's Timeout,
// which streams are not bounded by).
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) middleware(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		if tr, ok := transport.FromServerContext(ctx); ok {
			s := tr.Operation()
			if ht, ok := tr.(http.Transporter); ok {
				s += " " + ht.PathTemplate() + " " + ht.Request().URL.RequestURI()
			}
			if _, ok := ctx.Deadline(); ok {
				s += " (deadline)"
			}
			r.mu.Lock()
			r.seen = append(r.seen, s)
			r.mu.Unlock()
		}
		return next(ctx, req)
	}
}

func (r *recorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// stopAtCleanup starts srv and stops it, checking both, when the test ends.
func stopAtCleanup(t *testing.T, srv transport.Server) {
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

// startHTTP serves guide{} with the generated routes and returns the
// server's address, a generated client and the middleware's record.
func startHTTP(t *testing.T) (string, RouteGuideHTTPClient, *recorder) {
	t.Helper()
	lis := listen(t)
	rec := &recorder{}
	srv := http.NewServer(http.Listener(lis), http.Middleware(rec.middleware), http.Timeout(50*time.Millisecond))
	RegisterRouteGuideHTTPServer(srv, guide{})
	stopAtCleanup(t, srv)
	client, err := http.NewClient(context.Background(), http.WithEndpoint(lis.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return lis.Addr().String(), NewRouteGuideHTTPClient(client), rec
}

// startGRPC serves guide{} over gRPC and returns a generated client.
func startGRPC(t *testing.T) RouteGuideClient {
	t.Helper()
	lis := listen(t)
	srv := grpc.NewServer(grpc.Listener(lis))
	RegisterRouteGuideServer(srv, guide{})
	stopAtCleanup(t, srv)
	conn, err := grpc.DialInsecure(context.Background(), grpc.WithEndpoint(lis.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return NewRouteGuideClient(conn)
}

// streams opens the streams of RouteGuide over one transport.
type streams struct {
	list   func(context.Context, *Rectangle) (RouteGuide_ListFeaturesClient, error)
	watch  func(context.Context, *Rectangle) (RouteGuide_WatchFeaturesClient, error)
	record func(context.Context) (RouteGuide_RecordRouteClient, error)
	chat   func(context.Context) (RouteGuide_RouteChatClient, error)
	image  func(context.Context, *GetImageRequest) (RouteGuide_StreamImageClient, error)
	upload func(context.Context) (RouteGuide_UploadChunksClient, error)
}

func httpStreams(c RouteGuideHTTPClient) streams {
	return streams{
		list: func(ctx context.Context, r *Rectangle) (RouteGuide_ListFeaturesClient, error) {
			return c.ListFeatures(ctx, r)
		},
		watch: func(ctx context.Context, r *Rectangle) (RouteGuide_WatchFeaturesClient, error) {
			return c.WatchFeatures(ctx, r)
		},
		record: func(ctx context.Context) (RouteGuide_RecordRouteClient, error) { return c.RecordRoute(ctx) },
		chat:   func(ctx context.Context) (RouteGuide_RouteChatClient, error) { return c.RouteChat(ctx) },
		image: func(ctx context.Context, r *GetImageRequest) (RouteGuide_StreamImageClient, error) {
			return c.StreamImage(ctx, r)
		},
		upload: func(ctx context.Context) (RouteGuide_UploadChunksClient, error) { return c.UploadChunks(ctx) },
	}
}

func grpcStreams(c RouteGuideClient) streams {
	return streams{
		list: func(ctx context.Context, r *Rectangle) (RouteGuide_ListFeaturesClient, error) {
			return c.ListFeatures(ctx, r)
		},
		watch: func(ctx context.Context, r *Rectangle) (RouteGuide_WatchFeaturesClient, error) {
			return c.WatchFeatures(ctx, r)
		},
		record: func(ctx context.Context) (RouteGuide_RecordRouteClient, error) { return c.RecordRoute(ctx) },
		chat:   func(ctx context.Context) (RouteGuide_RouteChatClient, error) { return c.RouteChat(ctx) },
		image: func(ctx context.Context, r *GetImageRequest) (RouteGuide_StreamImageClient, error) {
			return c.StreamImage(ctx, r)
		},
		upload: func(ctx context.Context) (RouteGuide_UploadChunksClient, error) { return c.UploadChunks(ctx) },
	}
}

// recvAll reads a stream to its end and returns what recv made of each
// message and the error that ended it (nil for io.EOF).
func recvAll[T any](recv func() (T, error), name func(T) string) ([]string, error) {
	var got []string
	for {
		m, err := recv()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, name(m))
	}
}

// TestOneImplementation runs the same calls against guide{} over gRPC and
// over HTTP (Server-Sent Events and WebSocket), with the generated
// clients, and wants the same results.
func TestOneImplementation(t *testing.T) {
	_, hc, _ := startHTTP(t)
	transports := map[string]streams{
		"grpc": grpcStreams(startGRPC(t)),
		"http": httpStreams(hc),
	}
	ctx := context.Background()
	for _, tr := range []string{"grpc", "http"} {
		s := transports[tr]
		t.Run(tr+"/server-streaming", func(t *testing.T) {
			stream, err := s.list(ctx, &Rectangle{Lo: &Point{Latitude: 1}, Hi: &Point{Latitude: 3}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := recvAll(stream.Recv, (*Feature).GetName)
			if err != nil {
				t.Fatal(err)
			}
			if g, want := strings.Join(got, "|"), "feature 1|feature 2|feature 3"; g != want {
				t.Errorf("ListFeatures() = %s, want %s", g, want)
			}
		})
		t.Run(tr+"/server-streaming response_body", func(t *testing.T) {
			stream, err := s.watch(ctx, &Rectangle{Lo: &Point{Latitude: 1}, Hi: &Point{Latitude: 2}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := recvAll(stream.Recv, func(e *FeatureEvent) string { return e.GetFeature().GetName() })
			if err != nil {
				t.Fatal(err)
			}
			if g, want := strings.Join(got, "|"), "watched 1|watched 2"; g != want {
				t.Errorf("WatchFeatures() = %s, want %s", g, want)
			}
		})
		t.Run(tr+"/server-streaming error before the first message", func(t *testing.T) {
			stream, err := s.list(ctx, &Rectangle{Lo: &Point{Latitude: -1}})
			if err == nil {
				_, err = recvAll(stream.Recv, (*Feature).GetName)
			}
			if se := errors.FromError(err); se.Code != 400 || se.Reason != "BAD_RECTANGLE" {
				t.Errorf("ListFeatures() error = %v, want 400 BAD_RECTANGLE", err)
			}
		})
		t.Run(tr+"/server-streaming error after the first message", func(t *testing.T) {
			stream, err := s.list(ctx, &Rectangle{Lo: &Point{Latitude: 5}, Hi: &Point{Latitude: 99}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := recvAll(stream.Recv, (*Feature).GetName)
			se := errors.FromError(err)
			if strings.Join(got, "|") != "feature 5" || se.Code != 409 || se.Reason != "MAP_CHANGED" || se.Metadata["at"] != "5" {
				t.Errorf("ListFeatures() = %q, %v; want [feature 5] and 409 MAP_CHANGED at 5", got, err)
			}
		})
		t.Run(tr+"/client-streaming", func(t *testing.T) {
			stream, err := s.record(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := range int32(3) {
				if err := stream.Send(&Point{Latitude: i, Route: "home"}); err != nil {
					t.Fatal(err)
				}
			}
			sum, err := stream.CloseAndRecv()
			if err != nil {
				t.Fatal(err)
			}
			if want := (&RouteSummary{PointCount: 3, Route: "home"}); !proto.Equal(sum, want) {
				t.Errorf("RecordRoute() = %v, want %v", sum, want)
			}
		})
		t.Run(tr+"/bidi-streaming", func(t *testing.T) {
			stream, err := s.chat(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i, msg := range []string{"a", "b", "c"} {
				if err := stream.Send(&RouteNote{Room: "r1", Note: &Note{Message: msg, Seq: int32(i)}}); err != nil {
					t.Fatal(err)
				}
				got, err := stream.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if want := (&RouteNote{Room: "r1", Note: &Note{Message: "re: " + msg, Seq: int32(i + 1)}}); !proto.Equal(got, want) {
					t.Errorf("RouteChat() = %v, want %v", got, want)
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); err != io.EOF {
				t.Errorf("Recv() after CloseSend error = %v, want io.EOF", err)
			}
		})
		t.Run(tr+"/bidi-streaming error", func(t *testing.T) {
			stream, err := s.chat(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := stream.Send(&RouteNote{Room: "r2", Note: &Note{Message: "fail"}}); err != nil {
				t.Fatal(err)
			}
			_, err = stream.Recv()
			if se := errors.FromError(err); se.Code != 403 || se.Reason != "NO_CHAT" || se.Metadata["room"] != "r2" {
				t.Errorf("Recv() error = %v, want 403 NO_CHAT with room r2", err)
			}
		})
		t.Run(tr+"/server-streaming HttpBody", func(t *testing.T) {
			stream, err := s.image(ctx, &GetImageRequest{Name: "cat"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := recvAll(stream.Recv, func(b *httpbody.HttpBody) string { return string(b.GetData()) })
			if err != nil {
				t.Fatal(err)
			}
			if g, want := strings.Join(got, "|"), "cat chunk 0|cat chunk 1|cat chunk 2"; g != want {
				t.Errorf("StreamImage() = %s, want %s", g, want)
			}
		})
		t.Run(tr+"/client-streaming HttpBody", func(t *testing.T) {
			stream, err := s.upload(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, chunk := range []string{"ab", "cd"} {
				if err := stream.Send(&httpbody.HttpBody{ContentType: "text/plain", Data: []byte(chunk)}); err != nil {
					t.Fatal(err)
				}
			}
			img, err := stream.CloseAndRecv()
			if err != nil {
				t.Fatal(err)
			}
			if img.GetName() != "chunks" || string(img.GetData().GetData()) != "abcd" {
				t.Errorf("UploadChunks() = %v, want chunks with abcd", img)
			}
		})
	}
}

// TestStreamRoutes checks what goes over HTTP for the streams: the
// operations and path templates the server middleware sees, without the
// server's Timeout, and the paths and queries the clients build from
// their first message.
func TestStreamRoutes(t *testing.T) {
	_, c, rec := startHTTP(t)
	ctx := context.Background()

	chat, err := c.RouteChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := chat.Send(&RouteNote{Room: "a b/c", Note: &Note{Message: "hi"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chat.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := chat.Send(&RouteNote{Room: "ignored", Note: &Note{Message: "later"}}); err != nil {
		t.Fatal(err)
	}
	got, err := chat.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if want := (&RouteNote{Room: "a b/c", Note: &Note{Message: "re: later", Seq: 1}}); !proto.Equal(got, want) {
		t.Errorf("RouteChat() = %v, want %v (the room from the path)", got, want)
	}
	chat.CloseSend()
	if _, err := chat.Recv(); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}

	record, err := c.RecordRoute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	record.Send(&Point{Route: "r9", Latitude: 7})
	if _, err := record.CloseAndRecv(); err != nil {
		t.Fatal(err)
	}

	list, err := c.ListFeatures(ctx, &Rectangle{Lo: &Point{Latitude: 2}, Hi: &Point{Latitude: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := recvAll(list.Recv, (*Feature).GetName); err != nil {
		t.Fatal(err)
	}

	want := []string{
		// The path from the first message, escaped; the body field is
		// not in the query.
		OperationRouteGuideRouteChat + " /v1/rooms/{room}/notes /v1/rooms/a%20b%2Fc/notes",
		// The point's other fields in the query; the server takes from it
		// only what each message leaves unset.
		OperationRouteGuideRecordRoute + " /v1/routes/{route} /v1/routes/r9?latitude=7",
		OperationRouteGuideListFeatures + " /v1/features /v1/features?hi.latitude=2&lo.latitude=2",
	}
	if g, w := strings.Join(rec.calls(), "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("server middleware saw\n%s\nwant\n%s", g, w)
	}
}

// TestRawStreams calls the stream routes with plain net/http: an SSE
// request to both routes of ListFeatures (GET with the query, POST with the
// body), and WatchFeatures, whose events are the feature field.
func TestRawStreams(t *testing.T) {
	addr, _, _ := startHTTP(t)
	tests := []struct {
		method, path, body string
		want               []string // the names of the features of the events
	}{
		{"GET", "/v1/features?lo.latitude=1&hi.latitude=2", "", []string{"feature 1", "feature 2"}},
		{"POST", "/v1/features:search", `{"lo":{"latitude":4},"hi":{"latitude":4}}`, []string{"feature 4"}},
		{"GET", "/v1/features:watch?hi.latitude=0", "", []string{"watched 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := nethttp.NewRequest(tt.method, "http://"+addr+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", "text/event-stream")
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := nethttp.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			data, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || ct != "text/event-stream" {
				t.Fatalf("%s %s = %d %s, want 200 text/event-stream; body %s", tt.method, tt.path, res.StatusCode, ct, data)
			}
			var got []string
			for _, event := range strings.SplitAfter(string(data), "\n\n") {
				if event == "" {
					continue
				}
				payload, ok := strings.CutPrefix(event, "event: message\ndata: ")
				var f Feature
				if !ok || !strings.HasSuffix(payload, "\n\n") || protojson.Unmarshal([]byte(payload), &f) != nil {
					t.Fatalf("event %q is not a message event with a Feature", event)
				}
				got = append(got, f.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s %s events %q, want %q", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

// TestHTTPBody checks the unary google.api.HttpBody methods through the
// generated client and on the wire.
func TestHTTPBody(t *testing.T) {
	addr, c, _ := startHTTP(t)
	ctx := context.Background()

	echo, err := c.Echo(ctx, &httpbody.HttpBody{ContentType: "text/csv", Data: []byte("a,b\n1,2\n")})
	if err != nil {
		t.Fatal(err)
	}
	if echo.GetContentType() != "text/csv" || string(echo.GetData()) != "a,b\n1,2\n" {
		t.Errorf("Echo() = %q %q, want text/csv and the data", echo.GetContentType(), echo.GetData())
	}

	img, err := c.UploadImage(ctx, &UploadImageRequest{Name: "cat", Caption: "a cat", Data: &httpbody.HttpBody{ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G', 0}}})
	if err != nil {
		t.Fatal(err)
	}
	if img.GetName() != "cat" || img.GetCaption() != "a cat" || img.GetData().GetContentType() != "image/png" || !bytes.Equal(img.GetData().GetData(), []byte{0x89, 'P', 'N', 'G', 0}) {
		t.Errorf("UploadImage() = %v, want cat, a cat and the png", img)
	}

	down, err := c.DownloadImage(ctx, &GetImageRequest{Name: "dog"})
	if err != nil {
		t.Fatal(err)
	}
	if down.GetContentType() != "image/png" || string(down.GetData()) != "png:dog" {
		t.Errorf("DownloadImage() = %q %q, want image/png png:dog", down.GetContentType(), down.GetData())
	}

	data, err := c.GetImageData(ctx, &GetImageRequest{Name: "owl"})
	if err != nil {
		t.Fatal(err)
	}
	if data.GetData().GetContentType() != "text/plain" || string(data.GetData().GetData()) != "data of owl" {
		t.Errorf("GetImageData() = %v, want the text of owl in Data", data)
	}

	// On the wire: the body is the raw data with its content type, the
	// other fields are in the path and the query.
	req, err := nethttp.NewRequest("POST", "http://"+addr+"/v1/images/raw?caption=c1", strings.NewReader("GIF89a"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "image/gif")
	res, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var raw Image
	if err := protojson.Unmarshal(body, &raw); err != nil || res.StatusCode != 200 {
		t.Fatalf("POST /v1/images/raw = %d %s, %v", res.StatusCode, body, err)
	}
	if want := (&Image{Name: "raw", Caption: "c1", Data: &httpbody.HttpBody{ContentType: "image/gif", Data: []byte("GIF89a")}}); !proto.Equal(&raw, want) {
		t.Errorf("POST /v1/images/raw = %v, want %v", &raw, want)
	}
	res, err = nethttp.Get("http://" + addr + "/v1/images/raw")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "image/png" || string(body) != "png:raw" {
		t.Errorf("GET /v1/images/raw = %s %q, want image/png png:raw", ct, body)
	}
}

// TestStreamContextEndsCall checks that a canceled context ends a stream
// the generated client opened, over SSE and WebSocket.
func TestStreamContextEndsCall(t *testing.T) {
	_, c, _ := startHTTP(t)
	ctx, cancel := context.WithCancel(context.Background())
	chat, err := c.RouteChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := chat.Send(&RouteNote{Room: "r", Note: &Note{Message: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chat.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := chat.Recv(); err == nil || err == io.EOF {
		t.Errorf("Recv() after cancel error = %v, want the cancellation", err)
	} else if se := errors.FromError(err); se.Code != 499 && !stderrors.Is(err, context.Canceled) {
		t.Errorf("Recv() after cancel error = %v, want a cancellation", err)
	}
}
