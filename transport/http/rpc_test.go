package http_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	mdmw "github.com/seed6ad8aa6b/kratos/middleware/metadata"
	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// startRPC starts a server with the test services registered and h2c on.
func startRPC(t *testing.T, opts ...khttp.ServerOption) (*khttp.Server, string) {
	t.Helper()
	srv, host := startServer(t, append([]khttp.ServerOption{khttp.WithH2C(true)}, opts...)...)
	srv.RegisterService(&greeterDesc, rpcGreeter{})
	srv.RegisterService(&routeGuideDesc, rpcRouteGuide{})
	return srv, host
}

func post(t *testing.T, url string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return res, b
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func envelope(flags byte, b []byte) []byte {
	out := make([]byte, 5, 5+len(b))
	out[0] = flags
	binary.BigEndian.PutUint32(out[1:], uint32(len(b)))
	return append(out, b...)
}

// frames splits an enveloped body into its frames.
func frames(t *testing.T, b []byte) (flags []byte, payloads [][]byte) {
	t.Helper()
	for len(b) > 0 {
		if len(b) < 5 {
			t.Fatalf("truncated frame prefix %q", b)
		}
		n := binary.BigEndian.Uint32(b[1:5])
		if uint32(len(b)-5) < n {
			t.Fatalf("truncated frame: %d of %d bytes", len(b)-5, n)
		}
		flags = append(flags, b[0])
		payloads = append(payloads, b[5:5+n])
		b = b[5+n:]
	}
	return flags, payloads
}

// connectError is the JSON of a Connect error.
type connectError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"details"`
}

// errorInfo returns the google.rpc.ErrorInfo among the details of e.
func (e connectError) errorInfo(t *testing.T) *errdetails.ErrorInfo {
	t.Helper()
	for _, d := range e.Details {
		if d.Type != "google.rpc.ErrorInfo" {
			continue
		}
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(d.Value, "="))
		if err != nil {
			t.Fatalf("detail value %q: %v", d.Value, err)
		}
		info := new(errdetails.ErrorInfo)
		if err := proto.Unmarshal(b, info); err != nil {
			t.Fatal(err)
		}
		return info
	}
	t.Fatalf("no google.rpc.ErrorInfo in %+v", e.Details)
	return nil
}

func TestRPCConnectUnary(t *testing.T) {
	_, host := startRPC(t)
	url := "http://" + host + "/testpb.v1.Greeter/SayHello"
	jsonHeader := http.Header{"Content-Type": {"application/json"}, "Connect-Protocol-Version": {"1"}}
	tests := []struct {
		name       string
		header     http.Header
		body       []byte
		wantStatus int
		wantCT     string
		wantBody   string // JSON reply, compact
	}{
		{"json", jsonHeader, []byte(`{"name":"kratos"}`), 200, "application/json", `{"message":"Hello kratos"}`},
		{"json charset", http.Header{"Content-Type": {"application/json; charset=utf-8"}}, []byte(`{"name":"a"}`), 200, "application/json", `{"message":"Hello a"}`},
		{"empty json body", jsonHeader, nil, 400, "application/json", ""},
		{"gzip request", http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, gz(t, []byte(`{"name":"z"}`)), 200, "application/json", `{"message":"Hello z"}`},
		{"bad json", jsonHeader, []byte(`{"name":`), 400, "application/json", ""},
		{"bad compression", http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"br"}}, []byte(`{}`), 501, "application/json", ""},
		{"bad protocol version", http.Header{"Content-Type": {"application/json"}, "Connect-Protocol-Version": {"2"}}, []byte(`{}`), 400, "application/json", ""},
		{"streaming content type", http.Header{"Content-Type": {"application/connect+json"}}, []byte(`{}`), 415, "text/plain; charset=utf-8", ""},
		{"unknown codec", http.Header{"Content-Type": {"application/xml"}}, []byte(`<a/>`), 415, "text/plain; charset=utf-8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := post(t, url, tt.header, tt.body)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d (%s), want %d", res.StatusCode, body, tt.wantStatus)
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantCT {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantCT)
			}
			if tt.wantBody != "" && compact(string(body)) != tt.wantBody {
				t.Errorf("body = %s, want %s", body, tt.wantBody)
			}
		})
	}
}

func TestRPCConnectProtoAndCompression(t *testing.T) {
	_, host := startRPC(t)
	url := "http://" + host + "/testpb.v1.Greeter/SayHello"
	res, body := post(t, url, http.Header{"Content-Type": {"application/proto"}, "Accept-Encoding": {"gzip"}},
		mustMarshal(t, &testpb.HelloRequest{Name: "big"}))
	if res.StatusCode != 200 {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	if got := res.Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	reply := new(testpb.HelloReply)
	if err := proto.Unmarshal(plain, reply); err != nil {
		t.Fatal(err)
	}
	if got := len(reply.GetMessage()); got != 4096 {
		t.Errorf("len(message) = %d, want 4096", got)
	}
}

func TestRPCConnectError(t *testing.T) {
	_, host := startRPC(t)
	res, body := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello",
		http.Header{"Content-Type": {"application/json"}}, []byte(`{"name":"missing"}`))
	if res.StatusCode != 404 {
		t.Fatalf("status = %d, want 404", res.StatusCode)
	}
	var e connectError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.Code != "not_found" || e.Message != "no such user" {
		t.Errorf("error = %q %q, want not_found \"no such user\"", e.Code, e.Message)
	}
	info := e.errorInfo(t)
	if info.GetReason() != "USER_NOT_FOUND" || info.GetMetadata()["user"] != "missing" {
		t.Errorf("ErrorInfo = %v, want reason USER_NOT_FOUND and metadata user=missing", info)
	}
}

func TestRPCConnectTrailers(t *testing.T) {
	_, host := startRPC(t)
	res, _ := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello",
		http.Header{"Content-Type": {"application/json"}}, []byte(`{"name":"trailer"}`))
	if res.StatusCode != 200 {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	if got := res.Header.Get("X-Head"); got != "h" {
		t.Errorf("X-Head = %q, want h", got)
	}
	if got := res.Header.Get("Trailer-X-Trail"); got != "t" {
		t.Errorf("Trailer-X-Trail = %q, want t", got)
	}
}

func TestRPCConnectTimeout(t *testing.T) {
	_, host := startRPC(t, khttp.Timeout(10*time.Second))
	start := time.Now()
	res, body := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello",
		http.Header{"Content-Type": {"application/json"}, "Connect-Timeout-Ms": {"50"}}, []byte(`{"name":"slow"}`))
	if res.StatusCode != 504 || !strings.Contains(string(body), `"deadline_exceeded"`) {
		t.Errorf("reply = %d %s, want 504 deadline_exceeded", res.StatusCode, body)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("call took %v, want about 50ms", elapsed)
	}
}

func TestRPCConnectGet(t *testing.T) {
	_, host := startRPC(t)
	// SayHello has no NO_SIDE_EFFECTS option: GET is not allowed.
	req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/testpb.v1.Greeter/SayHello?encoding=json&message=%7B%7D", nil)
	res, _ := do(t, req)
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
		t.Errorf("GET = %d Allow %q, want 405 Allow POST", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestRPCMessageLimit(t *testing.T) {
	_, host := startRPC(t, khttp.WithMaxRequestBodySize(64))
	big := `{"name":"` + strings.Repeat("a", 100) + `"}`
	res, body := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello",
		http.Header{"Content-Type": {"application/json"}}, []byte(big))
	if res.StatusCode != 429 || !strings.Contains(string(body), "resource_exhausted") {
		t.Errorf("reply = %d %s, want 429 resource_exhausted", res.StatusCode, body)
	}
	// A small gzip body that inflates past the limit is refused too.
	res, body = post(t, "http://"+host+"/testpb.v1.Greeter/SayHello",
		http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, gz(t, []byte(big)))
	if res.StatusCode != 429 || !strings.Contains(string(body), "resource_exhausted") {
		t.Errorf("gzip reply = %d %s, want 429 resource_exhausted", res.StatusCode, body)
	}
}

func TestRPCMiddleware(t *testing.T) {
	type seen struct {
		op, kind, ua string
	}
	got := make(chan seen, 1)
	mw := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, _ := transport.FromServerContext(ctx)
			got <- seen{tr.Operation(), string(tr.Kind()), tr.RequestHeader().Get("User-Agent")}
			return next(ctx, req)
		}
	}
	_, host := startRPC(t, khttp.Middleware(mw, mdmw.Server()))
	res, body := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello",
		http.Header{"Content-Type": {"application/json"}, "User-Agent": {"ua"}, "X-Md-Global-User": {"alice"}}, []byte(`{"name":"echo-md"}`))
	if res.StatusCode != 200 {
		t.Fatalf("status = %d %s, want 200", res.StatusCode, body)
	}
	want := seen{"/testpb.v1.Greeter/SayHello", "http", "ua"}
	if s := <-got; s != want {
		t.Errorf("middleware saw %+v, want %+v", s, want)
	}
	if compact(string(body)) != `{"message":"md alice"}` {
		t.Errorf("body = %s, want the x-md- header in the incoming metadata", body)
	}
}

func TestRPCRoutesKeepPriority(t *testing.T) {
	srv, host := startRPC(t)
	srv.HandleFunc("/testpb.v1.Greeter/SayHello", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "route")
	})
	_, body := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello", http.Header{"Content-Type": {"application/json"}}, []byte(`{}`))
	if string(body) != "route" {
		t.Errorf("body = %q, want the route's", body)
	}
	// Paths of no method stay 404 JSON errors.
	res, _ := post(t, "http://"+host+"/testpb.v1.Greeter/Nope", http.Header{"Content-Type": {"application/json"}}, []byte(`{}`))
	if res.StatusCode != 404 {
		t.Errorf("unknown method status = %d, want 404", res.StatusCode)
	}
}

func TestRPCConnectStreams(t *testing.T) {
	_, host := startRPC(t)
	base := "http://" + host + "/testpb.v1.RouteGuide/"
	h := http.Header{"Content-Type": {"application/connect+proto"}}

	// Server stream: three features, then the end of the stream with the trailer.
	res, body := post(t, base+"ListFeatures", h, envelope(0, mustMarshal(t, &testpb.Rectangle{Lo: &testpb.Point{Latitude: 3}})))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/connect+proto" {
		t.Fatalf("reply = %d %q, want 200 application/connect+proto", res.StatusCode, res.Header.Get("Content-Type"))
	}
	flags, payloads := frames(t, body)
	if len(flags) != 4 || flags[3] != 2 {
		t.Fatalf("frame flags = %v, want 3 messages and an end of stream", flags)
	}
	for i := range 3 {
		f := new(testpb.Feature)
		if err := proto.Unmarshal(payloads[i], f); err != nil || f.GetName() != string(rune('0'+i)) {
			t.Errorf("message %d = %v (%v), want name %d", i, f, err, i)
		}
	}
	if got := compact(string(payloads[3])); got != `{"metadata":{"X-Count":["done"]}}` {
		t.Errorf("end of stream = %s", got)
	}

	// Client stream.
	var in []byte
	for range 4 {
		in = append(in, envelope(0, mustMarshal(t, &testpb.Point{Latitude: 1}))...)
	}
	_, body = post(t, base+"RecordRoute", h, in)
	_, payloads = frames(t, body)
	sum := new(testpb.RouteSummary)
	if len(payloads) != 2 || proto.Unmarshal(payloads[0], sum) != nil || sum.GetPointCount() != 4 {
		t.Errorf("RecordRoute = %v, want a summary of 4 points and an end of stream", payloads)
	}

	// Error in the end of stream.
	_, body = post(t, base+"ListFeatures", h, envelope(0, mustMarshal(t, &testpb.Rectangle{Filter: "fail"})))
	flags, payloads = frames(t, body)
	if len(flags) != 1 || flags[0] != 2 {
		t.Fatalf("frame flags = %v, want the end of stream only", flags)
	}
	var end struct{ Error connectError }
	if err := json.Unmarshal(payloads[0], &end); err != nil {
		t.Fatal(err)
	}
	if end.Error.Code != "permission_denied" || end.Error.errorInfo(t).GetReason() != "NO" {
		t.Errorf("end of stream error = %+v, want permission_denied with reason NO", end.Error)
	}
}

func TestRPCGRPCWeb(t *testing.T) {
	_, host := startRPC(t)
	url := "http://" + host + "/testpb.v1.Greeter/SayHello"
	msg := envelope(0, mustMarshal(t, &testpb.HelloRequest{Name: "web"}))
	tests := []struct {
		name string
		ct   string
		body []byte
		text bool
	}{
		{"binary", "application/grpc-web+proto", msg, false},
		{"text", "application/grpc-web-text", []byte(base64.StdEncoding.EncodeToString(msg)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := post(t, url, http.Header{"Content-Type": {tt.ct}, "X-Grpc-Web": {"1"}}, tt.body)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != tt.ct {
				t.Fatalf("reply = %d %q, want 200 %q", res.StatusCode, res.Header.Get("Content-Type"), tt.ct)
			}
			if tt.text {
				var err error
				if body, err = base64.StdEncoding.DecodeString(decodeChunks(string(body))); err != nil {
					t.Fatal(err)
				}
			}
			flags, payloads := frames(t, body)
			if len(flags) != 2 || flags[1] != 0x80 {
				t.Fatalf("frame flags = %v, want a message and the trailers", flags)
			}
			reply := new(testpb.HelloReply)
			if err := proto.Unmarshal(payloads[0], reply); err != nil || reply.GetMessage() != "Hello web" {
				t.Errorf("reply = %v (%v), want Hello web", reply, err)
			}
			if got := string(payloads[1]); !strings.Contains(got, "grpc-status: 0\r\n") {
				t.Errorf("trailers = %q, want grpc-status 0", got)
			}
		})
	}
}

// decodeChunks joins base64 chunks, each padded, into one padded string.
func decodeChunks(s string) string {
	var out []byte
	for len(s) >= 4 {
		b, _ := base64.StdEncoding.DecodeString(s[:4])
		out = append(out, b...)
		s = s[4:]
	}
	return base64.StdEncoding.EncodeToString(out)
}

func TestRPCGRPC(t *testing.T) {
	_, host := startRPC(t)
	conn, err := grpc.NewClient(host, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	reply := new(testpb.HelloReply)
	var header, trailer metadata.MD
	if err := conn.Invoke(ctx, "/testpb.v1.Greeter/SayHello", &testpb.HelloRequest{Name: "trailer"}, reply,
		grpc.Header(&header), grpc.Trailer(&trailer)); err != nil {
		t.Fatalf("SayHello: %v", err)
	}
	if reply.GetMessage() != "Hello trailer" || first(header["x-head"]) != "h" || first(trailer["x-trail"]) != "t" {
		t.Errorf("SayHello = %v header %v trailer %v", reply, header, trailer)
	}

	err = conn.Invoke(ctx, "/testpb.v1.Greeter/SayHello", &testpb.HelloRequest{Name: "missing"}, reply)
	if status.Code(err) != codes.NotFound {
		t.Fatalf("SayHello(missing) error = %v, want NotFound", err)
	}
	if e := errors.FromError(err); !errors.IsNotFound(e) || e.Reason != "USER_NOT_FOUND" || e.Metadata["user"] != "missing" {
		t.Errorf("FromError() = %v, want 404 USER_NOT_FOUND with metadata", e)
	}

	err = conn.Invoke(ctx, "/testpb.v1.Greeter/Nope", &testpb.HelloRequest{}, reply)
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("unknown method error = %v, want Unimplemented", err)
	}

	desc := &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}
	s, err := conn.NewStream(ctx, desc, "/testpb.v1.RouteGuide/RouteChat")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"a", "b"} {
		if err := s.SendMsg(&testpb.RouteNote{Message: m}); err != nil {
			t.Fatal(err)
		}
		note := new(testpb.RouteNote)
		if err := s.RecvMsg(note); err != nil || note.GetMessage() != "echo "+m {
			t.Fatalf("RecvMsg() = %v, %v, want echo %s", note, err, m)
		}
	}
	if err := s.SendMsg(&testpb.RouteNote{Message: "fail"}); err != nil {
		t.Fatal(err)
	}
	err = s.RecvMsg(new(testpb.RouteNote))
	if e := errors.FromError(err); e.Code != 400 || e.Reason != "BAD_NOTE" {
		t.Errorf("RouteChat error = %v, want 400 BAD_NOTE", err)
	}
}

func TestRPCPanic(t *testing.T) {
	_, host := startRPC(t)
	url := "http://" + host + "/testpb.v1.Greeter/SayHello"
	res, body := post(t, url, http.Header{"Content-Type": {"application/json"}}, []byte(`{"name":"panic"}`))
	if res.StatusCode != 500 || !strings.Contains(string(body), `"internal"`) {
		t.Errorf("reply = %d %s, want 500 internal", res.StatusCode, body)
	}
	res, _ = post(t, url, http.Header{"Content-Type": {"application/json"}}, []byte(`{"name":"after"}`))
	if res.StatusCode != 200 {
		t.Errorf("status after a panic = %d, want 200", res.StatusCode)
	}
}

func TestRPCRegisterServices(t *testing.T) {
	gs := kgrpc.NewServer()
	gs.RegisterService(&greeterDesc, rpcGreeter{})
	srv, host := startServer(t)
	srv.RegisterServices(gs)
	res, body := post(t, "http://"+host+"/testpb.v1.Greeter/SayHello", http.Header{"Content-Type": {"application/json"}}, []byte(`{"name":"both"}`))
	if res.StatusCode != 200 || compact(string(body)) != `{"message":"Hello both"}` {
		t.Errorf("SayHello = %d %s, want Hello both", res.StatusCode, body)
	}
	// The gRPC server's health service answers too.
	res, body = post(t, "http://"+host+"/grpc.health.v1.Health/Check", http.Header{"Content-Type": {"application/json"}}, []byte(`{}`))
	if res.StatusCode != 200 {
		t.Errorf("Health/Check = %d %s, want 200", res.StatusCode, body)
	}
	if err := gs.Stop(context.Background()); err != nil {
		t.Errorf("Stop() error = %v", err)
	}
}

// structDesc is a service whose request nests without bound
// (google.protobuf.Struct), for the recursion limit of the codecs.
var structDesc = grpc.ServiceDesc{
	ServiceName: "test.Structs",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Echo",
		Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(structpb.Struct)
			if err := dec(in); err != nil {
				return nil, err
			}
			return in, nil
		},
	}},
}

func TestRPCRecursionLimit(t *testing.T) {
	srv, host := startServer(t)
	srv.RegisterService(&structDesc, struct{}{})
	nested := func(depth int) []byte {
		return []byte(strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth))
	}
	tests := []struct {
		name       string
		body       []byte
		wantStatus int
	}{
		{"shallow", nested(20), 200},
		{"deeper than 100", nested(200), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := post(t, "http://"+host+"/test.Structs/Echo", http.Header{"Content-Type": {"application/json"}}, tt.body)
			if res.StatusCode != tt.wantStatus {
				t.Errorf("status = %d (%.200s), want %d", res.StatusCode, body, tt.wantStatus)
			}
		})
	}
}

func TestRPCGRPCOverTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ts.Close()

	// No WithH2C: TLS negotiates HTTP/2 for gRPC, and HTTP/1.1 for the rest.
	srv, host := startServer(t, khttp.TLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}))
	srv.RegisterService(&greeterDesc, rpcGreeter{})
	conn, err := grpc.NewClient(host, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reply := new(testpb.HelloReply)
	if err := conn.Invoke(ctx, "/testpb.v1.Greeter/SayHello", &testpb.HelloRequest{Name: "tls"}, reply); err != nil || reply.GetMessage() != "Hello tls" {
		t.Errorf("SayHello over TLS = %v, %v, want Hello tls", reply, err)
	}
}
