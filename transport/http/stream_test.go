package http_test

import (
	"context"
	stderrors "errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// Operations of the RouteGuide test service.
const (
	opListFeatures = "/testpb.v1.RouteGuide/ListFeatures"
	opRecordRoute  = "/testpb.v1.RouteGuide/RecordRoute"
	opRouteChat    = "/testpb.v1.RouteGuide/RouteChat"
	opPost         = "/testpb.v1.RouteGuide/Post"
)

// sseRoute registers a server-streaming route in the shape generated
// handlers have: bind the request, make the stream, run the service method
// inside the server middleware with the stream's context, close.
func sseRoute(srv *khttp.Server, method, path string, fn func(*testpb.Rectangle, khttp.ServerStream) error) {
	srv.Route("/").Handle(method, path, func(ctx khttp.Context) error {
		var in testpb.Rectangle
		if method != http.MethodGet {
			if err := ctx.Bind(&in); err != nil {
				return err
			}
		}
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		stream := khttp.NewServerSentEventServerStream(ctx)
		khttp.SetOperation(ctx, opListFeatures)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			stream.SetContext(ctx)
			return nil, fn(req.(*testpb.Rectangle), stream)
		})
		_, err := h(stream.Context(), &in)
		return stream.Close(err)
	})
}

// wsRoute registers a client- or bidi-streaming route in the shape
// generated handlers have.
func wsRoute(srv *khttp.Server, path, op string, fn func(khttp.ServerStream) error, opts ...khttp.ServerStreamOption) {
	srv.Route("/").GET(path, func(ctx khttp.Context) error {
		stream, err := khttp.NewWebSocketServerStream(ctx, opts...)
		if err != nil {
			return err
		}
		khttp.SetOperation(ctx, op)
		h := ctx.Middleware(func(ctx context.Context, _ any) (any, error) {
			stream.SetContext(ctx)
			return nil, fn(stream)
		})
		_, err = h(stream.Context(), nil)
		return stream.Close(err)
	})
}

// jsonOf returns v in the json codec, as the server writes it.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := encoding.GetCodec("json").Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawGet sends a GET with header to url with net/http's client.
func rawGet(t *testing.T, url string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// wantError checks that err is an *errors.Error equal to want.
func wantError(t *testing.T, err error, want *errors.Error) {
	t.Helper()
	var got *errors.Error
	if !stderrors.As(err, &got) {
		t.Fatalf("error = %v (%T), want *errors.Error %v", err, err, want)
	}
	if got.Code != want.Code || got.Reason != want.Reason || got.Message != want.Message || !equalMD(got.Metadata, want.Metadata) {
		t.Errorf("error = {%d %q %q %v}, want {%d %q %q %v}", got.Code, got.Reason, got.Message, got.Metadata, want.Code, want.Reason, want.Message, want.Metadata)
	}
}

func equalMD(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSSEFramesAreByteExact(t *testing.T) {
	srv, host := startServer(t)
	lateErr := errors.Conflict("LATE", "failed after the first event").WithMetadata(map[string]string{"k": "v"})
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		if err := s.Send(&httpbody.HttpBody{ContentType: "text/plain", Data: []byte("first\nsecond\r\nthird")}); err != nil {
			return err
		}
		if err := s.Send(&testpb.Feature{Name: "a"}); err != nil {
			return err
		}
		return lateErr
	})

	res := rawGet(t, "http://"+host+"/v1/features", nil)
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := "event: message\ndata: first\ndata: second\ndata: third\n\n" +
		"event: message\ndata: " + jsonOf(t, &testpb.Feature{Name: "a"}) + "\n\n" +
		"event: error\ndata: " + jsonOf(t, lateErr) + "\n\n"
	if string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
	if res.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", res.StatusCode)
	}
	for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := res.Header.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("header %s = %q, want [%q]", k, got, v)
		}
	}
}

func TestSSEClientReceivesEventsAndTypedError(t *testing.T) {
	srv, host := startServer(t)
	lateErr := errors.Conflict("LATE", "failed after the first event").WithMetadata(map[string]string{"k": "v"})
	sseRoute(srv, http.MethodGet, "/v1/features", func(in *testpb.Rectangle, s khttp.ServerStream) error {
		for _, name := range []string{"a", "b\nwith a line break"} {
			if err := s.Send(&testpb.Feature{Name: name + in.GetFilter()}); err != nil {
				return err
			}
		}
		return lateErr
	})
	c := newClient(t, host)
	stream, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features?filter=!", nil, khttp.Operation(opListFeatures))
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	for _, want := range []string{"a!", "b\nwith a line break!"} {
		var f testpb.Feature
		if err := stream.Recv(&f); err != nil {
			t.Fatalf("Recv() error = %v", err)
		}
		if f.GetName() != want {
			t.Errorf("Recv() name = %q, want %q", f.GetName(), want)
		}
	}
	for range 2 { // the error is sticky
		err = stream.Recv(new(testpb.Feature))
		wantError(t, err, lateErr)
	}
	if err := stream.Send(&testpb.Feature{}); err == nil {
		t.Error("Send() on an SSE stream error = nil, want an error")
	}
}

func TestSSEErrorBeforeFirstEventIsAnErrorResponse(t *testing.T) {
	srv, host := startServer(t)
	notFound := errors.NotFound("NO_FEATURES", "no feature in the rectangle")
	sseRoute(srv, http.MethodGet, "/v1/features", func(*testpb.Rectangle, khttp.ServerStream) error {
		return notFound
	})
	res := rawGet(t, "http://"+host+"/v1/features", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("response = %d %q, want 404 application/json", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if got, want := compact(string(body)), compact(jsonOf(t, notFound)); got != want {
		t.Errorf("body = %s, want %s", got, want)
	}

	c := newClient(t, host)
	_, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features", nil)
	wantError(t, err, notFound)
}

func TestSSEEmptyStream(t *testing.T) {
	srv, host := startServer(t)
	sseRoute(srv, http.MethodGet, "/v1/features", func(*testpb.Rectangle, khttp.ServerStream) error { return nil })
	c := newClient(t, host)
	stream, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features", nil)
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	if err := stream.Recv(new(testpb.Feature)); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
}

func TestSSEHeadersAreWrittenOnce(t *testing.T) {
	srv, host := startServer(t)
	errs := make(chan error, 2)
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		if tr, ok := transport.FromServerContext(s.Context()); ok {
			tr.ReplyHeader().Set("X-From-Middleware", "m")
		}
		if err := s.SetHeader(metadata.Pairs("x-set", "1")); err != nil {
			return err
		}
		if err := s.SendHeader(metadata.Pairs("x-sent", "2")); err != nil {
			return err
		}
		errs <- s.SendHeader(metadata.Pairs("x-again", "3"))
		errs <- s.SetHeader(metadata.Pairs("x-late", "4"))
		s.SetTrailer(metadata.Pairs("x-trailer", "5"))
		return s.Send(&testpb.Feature{Name: "a"})
	})
	c := newClient(t, host)
	stream, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features", nil)
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	md, err := stream.Header()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"x-set": "1", "x-sent": "2", "x-from-middleware": "m"} {
		if got := md.Get(k); len(got) != 1 || got[0] != want {
			t.Errorf("header %s = %q, want [%q]", k, got, want)
		}
	}
	for _, k := range []string{"x-again", "x-late"} {
		if got := md.Get(k); len(got) != 0 {
			t.Errorf("header %s = %q, want none (sent after the header)", k, got)
		}
	}
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("SendHeader/SetHeader after the header was sent: error = nil, want an error")
		}
	}
	if err := stream.Recv(new(testpb.Feature)); err != nil {
		t.Fatalf("Recv() error = %v", err)
	}
	if err := stream.Recv(new(testpb.Feature)); err != io.EOF {
		t.Fatalf("Recv() error = %v, want io.EOF", err)
	}
	if got := stream.Trailer().Get("x-trailer"); len(got) != 1 || got[0] != "5" {
		t.Errorf("Trailer() x-trailer = %q, want [5]", got)
	}
}

// TestSSEOutlivesServerTimeout sends an event after the request's 50ms
// deadline passed, on a POST whose body the server bounded by the same
// deadline.
func TestSSEOutlivesServerTimeout(t *testing.T) {
	srv, host := startServer(t, khttp.Timeout(50*time.Millisecond))
	var reqCtx sync.Map
	srv.Route("/").POST("/v1/features", func(ctx khttp.Context) error {
		reqCtx.Store("ctx", context.Context(ctx))
		var in testpb.Rectangle
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		stream := khttp.NewServerSentEventServerStream(ctx)
		if err := stream.Send(&testpb.Feature{Name: "before"}); err != nil {
			return stream.Close(err)
		}
		<-ctx.Done() // the request's deadline
		if err := stream.Context().Err(); err != nil {
			return stream.Close(err)
		}
		if _, ok := stream.Context().Deadline(); ok {
			return stream.Close(errors.InternalServer("DEADLINE", "the stream has a deadline"))
		}
		if err := stream.Send(&testpb.Feature{Name: "after " + in.GetFilter()}); err != nil {
			return stream.Close(err)
		}
		return stream.Close(nil)
	})
	c := newClient(t, host)
	stream, err := c.ServerSentEvent(context.Background(), http.MethodPost, "/v1/features", &testpb.Rectangle{Filter: "deadline"})
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	for _, want := range []string{"before", "after deadline"} {
		var f testpb.Feature
		if err := stream.Recv(&f); err != nil {
			t.Fatalf("Recv() error = %v, want %q", err, want)
		}
		if f.GetName() != want {
			t.Errorf("Recv() = %q, want %q", f.GetName(), want)
		}
	}
	if err := stream.Recv(new(testpb.Feature)); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
}

// TestSSEOutlivesClientTimeout receives an event sent after the client's
// WithTimeout: the stream is bounded by its context only.
func TestSSEOutlivesClientTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	srv, host := startServer(t)
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		if err := s.Send(&testpb.Feature{Name: "now"}); err != nil {
			return err
		}
		// Let the client's timeout pass: this is what the test is about.
		later, cancel := context.WithTimeout(s.Context(), 3*timeout)
		defer cancel()
		<-later.Done()
		return s.Send(&testpb.Feature{Name: "later"})
	})
	c := newClient(t, host, khttp.WithTimeout(timeout))
	start := time.Now()
	stream, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features", nil)
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	for _, want := range []string{"now", "later"} {
		var f testpb.Feature
		if err := stream.Recv(&f); err != nil {
			t.Fatalf("Recv() after %v error = %v, want %q", time.Since(start), err, want)
		}
		if f.GetName() != want {
			t.Errorf("Recv() = %q, want %q", f.GetName(), want)
		}
	}
	if took := time.Since(start); took < 3*timeout {
		t.Errorf("the second event came after %v, want after %v", took, 3*timeout)
	}
	if err := stream.Recv(new(testpb.Feature)); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}
}

func TestSSEContextCancelEndsTheStream(t *testing.T) {
	srv, host := startServer(t)
	serverDone := make(chan error, 1)
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		if err := s.Send(&testpb.Feature{Name: "a"}); err != nil {
			return err
		}
		<-s.Context().Done() // the client goes away
		serverDone <- s.Context().Err()
		return nil
	})
	c := newClient(t, host)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := c.ServerSentEvent(ctx, http.MethodGet, "/v1/features", nil)
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	if err := stream.Recv(new(testpb.Feature)); err != nil {
		t.Fatal(err)
	}
	cancel()
	err = stream.Recv(new(testpb.Feature))
	if errors.Code(err) != 499 {
		t.Errorf("Recv() after cancel error = %v, want code 499", err)
	}
	if err := <-serverDone; err == nil {
		t.Error("server stream context error = nil, want it canceled")
	}
}

func TestSSEEventIDKeepAliveAndLastEventID(t *testing.T) {
	srv, host := startServer(t)
	sawComment := make(chan struct{})
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		es, ok := khttp.EventStreamFromContext(s.Context())
		if !ok {
			return errors.InternalServer("NO_EVENT_STREAM", "EventStreamFromContext() = false")
		}
		if err := es.SendEvent("42", &httpbody.HttpBody{Data: []byte("after " + es.LastEventID())}); err != nil {
			return err
		}
		if err := es.SendEvent("4\n2", &testpb.Feature{}); err == nil {
			return errors.InternalServer("BAD_ID", "SendEvent() with a line break in the id: error = nil")
		}
		es.KeepAlive(5 * time.Millisecond)
		<-sawComment
		return nil
	})
	res := rawGet(t, "http://"+host+"/v1/features", http.Header{"Last-Event-Id": {"41"}})
	want := "event: message\nid: 42\ndata: after 41\n\n: keep-alive\n\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(res.Body, got); err != nil {
		t.Fatalf("read %q: %v", got, err)
	}
	close(sawComment)
	if string(got) != want {
		t.Errorf("stream = %q, want %q", got, want)
	}
	// Whatever follows is more keep-alive comments, then the end.
	rest, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.ReplaceAll(string(rest), ": keep-alive\n\n", ""); s != "" {
		t.Errorf("after the keep-alive: %q, want only keep-alive comments", s)
	}
}

func TestSSECodecFromAccept(t *testing.T) {
	srv, host := startServer(t)
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		return s.Send(&testpb.Feature{Name: "a"})
	})
	tests := []struct {
		name   string
		header http.Header
		want   string // the codec of the data
	}{
		{"none is json", nil, "json"},
		{"accept protojson", http.Header{"Accept": {"text/event-stream, application/protojson"}}, "protojson"},
		{"binary codecs are passed over", http.Header{"Accept": {"text/event-stream, application/proto"}, "Content-Type": {"application/yaml"}}, "yaml"},
		{"content type when accept has none", http.Header{"Accept": {"text/event-stream"}, "Content-Type": {"application/protojson"}}, "protojson"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rawGet(t, "http://"+host+"/v1/features", tt.header)
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			data, err := encoding.GetCodec(tt.want).Marshal(&testpb.Feature{Name: "a"})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, l := range strings.Split(string(data), "\n") {
				lines = append(lines, "data: "+l+"\n")
			}
			if want := "event: message\n" + strings.Join(lines, "") + "\n"; string(body) != want {
				t.Errorf("body = %q, want %q", body, want)
			}
		})
	}
}

// TestStreamMiddleware checks that the server middleware runs around the
// service method with the stream's context and the operation, and that the
// client middleware sees the stream call and can add to its request.
func TestStreamMiddleware(t *testing.T) {
	type key struct{}
	var (
		mu     sync.Mutex
		server []string
		client []string
	)
	serverMW := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, _ := transport.FromServerContext(ctx)
			mu.Lock()
			server = append(server, tr.Operation()+" "+tr.RequestHeader().Get("X-Trace"))
			mu.Unlock()
			return next(context.WithValue(ctx, key{}, "from middleware"), req)
		}
	}
	clientMW := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, _ := transport.FromClientContext(ctx)
			tr.RequestHeader().Set("X-Trace", "t1")
			// A deadline of the middleware's own must not cut the stream.
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			reply, err := next(ctx, req)
			mu.Lock()
			client = append(client, string(tr.Kind())+" "+tr.Operation()+" "+tr.ReplyHeader().Get("Content-Type"))
			mu.Unlock()
			return reply, err
		}
	}
	srv, host := startServer(t, khttp.Middleware(serverMW))
	sseRoute(srv, http.MethodGet, "/v1/features", func(_ *testpb.Rectangle, s khttp.ServerStream) error {
		v, _ := s.Context().Value(key{}).(string)
		return s.Send(&testpb.Feature{Name: v})
	})
	wsRoute(srv, "/v1/rooms/{room}/notes", opRouteChat, func(s khttp.ServerStream) error {
		v, _ := s.Context().Value(key{}).(string)
		return s.Send(&testpb.RouteNote{Message: v})
	})
	c := newClient(t, host, khttp.WithMiddleware(clientMW))

	sse, err := c.ServerSentEvent(context.Background(), http.MethodGet, "/v1/features", nil, khttp.Operation(opListFeatures))
	if err != nil {
		t.Fatalf("ServerSentEvent() error = %v", err)
	}
	var f testpb.Feature
	if err := sse.Recv(&f); err != nil || f.GetName() != "from middleware" {
		t.Errorf("Recv() = %q, %v; want %q", f.GetName(), err, "from middleware")
	}
	if err := sse.Recv(&f); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}

	wsc, err := c.WebSocket(context.Background(), "/v1/rooms/r/notes", khttp.Operation(opRouteChat))
	if err != nil {
		t.Fatalf("WebSocket() error = %v", err)
	}
	var n testpb.RouteNote
	if err := wsc.Recv(&n); err != nil || n.GetMessage() != "from middleware" {
		t.Errorf("Recv() = %q, %v; want %q", n.GetMessage(), err, "from middleware")
	}
	if err := wsc.Recv(&n); err != io.EOF {
		t.Errorf("Recv() error = %v, want io.EOF", err)
	}

	mu.Lock()
	defer mu.Unlock()
	wantServer := []string{opListFeatures + " t1", opRouteChat + " t1"}
	wantClient := []string{"http " + opListFeatures + " text/event-stream", "http " + opRouteChat + " "}
	if strings.Join(server, "|") != strings.Join(wantServer, "|") {
		t.Errorf("server middleware saw %q, want %q", server, wantServer)
	}
	if strings.Join(client, "|") != strings.Join(wantClient, "|") {
		t.Errorf("client middleware saw %q, want %q", client, wantClient)
	}
}
