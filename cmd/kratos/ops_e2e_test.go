//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoc"
)

// TestOperateScaffold runs a project made by kratos new the way an operator
// meets it: the default configuration (on free loopback ports) with its
// admin listener, then tracing to an OTLP receiver.
func TestOperateScaffold(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project; skipped with -short")
	}
	c := buildCLI(t)
	work := t.TempDir()
	proj := filepath.Join(work, "ops")
	out := c.run(work, "kratos", "new", "ops", "--module", "example.com/ops")
	for _, want := range []string{"ops/\n", "├── cmd/\n│   └── ops/\n", "│   ├── conf/\n", "└── go.sum\n", "go run ./cmd/ops -conf ./configs", "curl localhost:6060/readyz"} {
		if !strings.Contains(out, want) {
			t.Errorf("kratos new printed no %q (the tree and the next commands):\n%s", want, out)
		}
	}
	testScaffoldFiles(t, c, proj)

	// A slow call for the stop: SayHello("slow") takes 1.5s, more than the
	// App's 1s drain delay, so it is still running when the listeners
	// close.
	svc := filepath.Join(proj, "internal", "service", "greeter.go")
	patch(t, svc,
		"import (\n\t\"context\"\n", "import (\n\t\"context\"\n\t\"fmt\"\n\t\"os\"\n\t\"time\"\n",
		"\tg, err := s.uc.Greet(ctx, in.GetName())\n", "\tif in.GetName() == \"slow\" {\n\t\tfmt.Fprintln(os.Stderr, \"slow call started\")\n\t\ttime.Sleep(1500 * time.Millisecond)\n\t}\n\tg, err := s.uc.Greet(ctx, in.GetName())\n")
	bin := filepath.Join(work, "bin", "ops") // its name is the service's
	c.run(proj, "go", "build", "-o", bin, "./cmd/ops")

	ports := freePorts(t, 3)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	grpcAddr := fmt.Sprintf("127.0.0.1:%d", ports[1])
	adminAddr := fmt.Sprintf("127.0.0.1:%d", ports[2])
	config := filepath.Join(proj, "configs", "config.yaml")
	setAddrs(t, config, httpAddr, grpcAddr, adminAddr)
	defaults, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("admin", func(t *testing.T) {
		// The slow call outlives the default 1s request timeout.
		patch(t, config, "    timeout: 1s\n", "    timeout: 10s\n")
		t.Cleanup(func() { os.WriteFile(config, defaults, 0o644) })
		testAdmin(t, c, proj, bin, httpAddr, "http://"+adminAddr)
	})
	t.Run("one port", func(t *testing.T) {
		if err := os.WriteFile(config, defaults, 0o644); err != nil {
			t.Fatal(err)
		}
		testOnePort(t, c, proj, bin, httpAddr, "http://"+adminAddr)
	})
	t.Run("tracing", func(t *testing.T) {
		if err := os.WriteFile(config, defaults, 0o644); err != nil {
			t.Fatal(err)
		}
		testTracing(t, c, proj, bin, config, httpAddr, grpcAddr, "http://"+adminAddr)
	})
}

// testScaffoldFiles checks the files a team expects and that go generate
// (with kratos in PATH) and the Makefile's generating targets rewrite the
// generated code as it is.
func testScaffoldFiles(t *testing.T, c *cli, proj string) {
	for _, f := range []string{
		"Dockerfile", ".dockerignore", "Makefile", "README.md",
		"internal/conf/conf.proto", "internal/conf/conf.pb.go",
		"third_party/google/api/annotations.proto", "third_party/google/api/http.proto", "third_party/errors/errors.proto",
	} {
		if _, err := os.Stat(filepath.Join(proj, f)); err != nil {
			t.Errorf("kratos new did not write %s: %v", f, err)
		}
	}
	before := snapshot(t, proj)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	withKratos := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.Env = append([]string(nil), cmd.Env...) // c.env is shared
		for i, kv := range cmd.Env {
			if p, ok := strings.CutPrefix(kv, "PATH="); ok {
				cmd.Env[i] = "PATH=" + filepath.Dir(c.bin) + string(os.PathListSeparator) + p
			}
		}
		return cmd
	}
	runs := [][]string{{"go", "generate", "./..."}}
	if _, err := exec.LookPath("make"); err == nil {
		runs = append(runs, []string{"make", "api", "config"}, []string{"make", "help"})
	}
	for _, args := range runs {
		cmd := withKratos(c.command(ctx, proj, "go", args[1:]...))
		if args[0] == "make" {
			// make's recipes need the usual tools (awk) too.
			cmd = exec.CommandContext(ctx, "make", args[1:]...)
			cmd.Dir = proj
			cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(c.bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, d := range []string{"api/helloworld/v1", "internal/conf"} {
		if _, err := os.Stat(filepath.Join(proj, d, "openapi.yaml")); err == nil {
			t.Errorf("go generate wrote %s/openapi.yaml", d)
		}
	}
	after := snapshot(t, proj)
	if len(after) != len(before) {
		t.Errorf("generated files: %d before, %d after go generate", len(before), len(after))
	}
	for p, data := range after {
		if !bytes.Equal(data, before[p]) {
			t.Errorf("go generate changed %s, which kratos new wrote", p)
		}
	}
}

// testAdmin reads every admin endpoint, then stops the service with
// SIGTERM during a slow call.
func testAdmin(t *testing.T, c *cli, proj, bin, httpAddr, admin string) {
	svc := startService(t, c, proj, bin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waitStatus(t, ctx, admin+"/readyz", 200, svc.exited)

	if code, body := httpGet(t, "http://"+httpAddr+"/helloworld/kratos"); code != 200 || body != `{"message":"Hello kratos"}` {
		t.Errorf("GET /helloworld/kratos = %d %s", code, body)
	}
	counter := regexp.MustCompile(`(?m)^server_requests_code_total\{code="200",kind="http",operation="/helloworld.v1.Greeter/SayHello".*\} 1$`)
	tests := []struct {
		method, path string
		wantCode     int
		want         *regexp.Regexp
	}{
		{"GET", "/healthz", 200, regexp.MustCompile(`^ok$`)},
		{"GET", "/readyz", 200, regexp.MustCompile(`^ok$`)},
		{"GET", "/metrics", 200, counter},
		{"GET", "/metrics", 200, regexp.MustCompile(`(?m)^go_goroutines \d+$`)},
		{"GET", "/debug/pprof/", 200, regexp.MustCompile(`goroutine`)},
		{"GET", "/debug/pprof/goroutine?debug=1", 200, regexp.MustCompile(`^goroutine profile: total \d+`)},
		{"GET", "/loglevel", 200, regexp.MustCompile(`^\{"level":"INFO"\}$`)},
		{"PUT", "/loglevel?level=debug", 200, regexp.MustCompile(`^\{"level":"DEBUG"\}$`)},
		{"GET", "/loglevel", 200, regexp.MustCompile(`^\{"level":"DEBUG"\}$`)},
		{"PUT", "/loglevel?level=loud", 400, regexp.MustCompile(`unknown level`)},
	}
	for _, tt := range tests {
		code, body := do(t, tt.method, admin+tt.path)
		if code != tt.wantCode || !tt.want.MatchString(body) {
			t.Errorf("%s %s = %d %.300q, want %d and a match for %s", tt.method, tt.path, code, body, tt.wantCode, tt.want)
		}
	}
	// At debug level the use case's own line shows.
	httpGet(t, "http://"+httpAddr+"/helloworld/debug")
	svc.out.waitFor(t, ctx, `"level":"DEBUG","msg":"greeted \"debug\" 1 times"`, svc.exited)

	slow := make(chan string, 1)
	go func() {
		code, body, err := fetch(nethttp.MethodGet, "http://"+httpAddr+"/helloworld/slow")
		slow <- fmt.Sprintf("%d %s %v", code, body, err)
	}()
	svc.out.waitFor(t, ctx, "slow call started", svc.exited)
	if err := svc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	svc.out.waitFor(t, ctx, "[admin] not ready: draining", svc.exited)
	if code, body := httpGet(t, admin+"/readyz"); code != 503 {
		t.Errorf("GET /readyz after SIGTERM = %d %q, want 503", code, body)
	}
	if got, want := <-slow, `200 {"message":"Hello slow"} <nil>`; got != want {
		t.Errorf("the slow call across the stop = %s, want %s", got, want)
	}
	svc.wait(t, ctx)
}

// testTracing configures tracing to an in-process OTLP receiver, makes one
// call over HTTP and one over gRPC in the same trace, and finds their
// spans at the receiver and their trace ID in the JSON log lines.
func testTracing(t *testing.T, c *cli, proj, bin, config, httpAddr, grpcAddr, admin string) {
	spans := startOTLPReceiver(t)
	patch(t, config, `endpoint: ""`, `endpoint: "`+spans.addr+`"`)
	svc := startService(t, c, proj, bin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waitStatus(t, ctx, admin+"/readyz", 200, svc.exited)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := nethttp.NewRequestWithContext(ctx, nethttp.MethodGet, "http://"+httpAddr+"/helloworld/traced", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	gctx := metadata.AppendToOutgoingContext(ctx, "traceparent", "00-"+traceID+"-00f067aa0ba902b8-01")
	if _, err := greeterClient(t, gctx, proj, grpcAddr)("traced"); err != nil {
		t.Fatalf("gRPC SayHello: %v", err)
	}
	// The stop flushes the batched spans.
	if err := svc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	svc.wait(t, ctx)

	got := spans.waitFor(t, ctx, traceID, 2)
	parents := map[string]bool{}
	for _, s := range got {
		if s.name != "/helloworld.v1.Greeter/SayHello" || s.kind != spanKindServer || s.service != "ops" {
			t.Errorf("span %+v, want a server span /helloworld.v1.Greeter/SayHello of service ops", s)
		}
		parents[s.parent] = true
	}
	if !parents["00f067aa0ba902b7"] || !parents["00f067aa0ba902b8"] {
		t.Errorf("span parents = %v, want the HTTP and the gRPC caller's spans", parents)
	}

	// One JSON line per call from the logging middleware, with the trace.
	components := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(svc.out.String()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["operation"] != "/helloworld.v1.Greeter/SayHello" {
			continue
		}
		comp, _ := line["component"].(string)
		id, _ := line["trace.id"].(string)
		components[comp] = id
		if span, _ := line["span.id"].(string); len(span) != 16 {
			t.Errorf("log line %s has span.id %q, want 16 hex digits", sc.Text(), span)
		}
	}
	if components["http"] != traceID || components["grpc"] != traceID {
		t.Errorf("trace.id of the logging middleware's lines by component = %v, want %s for http and grpc\n%s", components, traceID, svc.out.String())
	}
}

// patch replaces, in the file at path, each old string (which must be
// there) with its new string: pairs old, new, old, new...
func patch(t *testing.T, path string, pairs ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%s has no %q:\n%s", path, pairs[i], s)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// service is a running service binary.
type service struct {
	cmd    *exec.Cmd
	out    *logBuffer
	exited chan error
	done   bool
}

func startService(t *testing.T, c *cli, proj, bin string) *service {
	t.Helper()
	s := &service{out: newLogBuffer(), exited: make(chan error, 1)}
	s.cmd = exec.Command(bin, "-conf", "configs")
	s.cmd.Dir = proj
	s.cmd.Env = c.env
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if !s.done {
			s.cmd.Process.Kill()
			<-s.exited
			t.Logf("service output:\n%s", s.out.String())
		}
	})
	return s
}

// wait waits for the service to exit with status 0.
func (s *service) wait(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case err := <-s.exited:
		s.done = true
		if err != nil {
			t.Errorf("service exited with %v, want status 0\n%s", err, s.out.String())
		}
	case <-ctx.Done():
		t.Fatalf("service did not exit\n%s", s.out.String())
	}
}

// logBuffer collects a process's output and wakes waiters on each write.
type logBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{}
}

func newLogBuffer() *logBuffer { return &logBuffer{written: make(chan struct{}, 1)} }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.written <- struct{}{}:
	default:
	}
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the output contains s.
func (l *logBuffer) waitFor(t *testing.T, ctx context.Context, s string, exited <-chan error) {
	t.Helper()
	for !strings.Contains(l.String(), s) {
		select {
		case <-l.written:
		case err := <-exited:
			t.Fatalf("the service exited (%v) before writing %q:\n%s", err, s, l.String())
		case <-ctx.Done():
			t.Fatalf("the service did not write %q:\n%s", s, l.String())
		}
	}
}

// waitStatus polls url until it answers code.
func waitStatus(t *testing.T, ctx context.Context, url string, code int, exited <-chan error) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		got, body, err := fetch(nethttp.MethodGet, url)
		if err == nil && got == code {
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("the service exited (%v) before %s answered %d", err, url, code)
		case <-ctx.Done():
			t.Fatalf("%s never answered %d; last %d %q %v", url, code, got, body, err)
		case <-tick.C:
		}
	}
}

func fetch(method, url string) (int, string, error) {
	req, err := nethttp.NewRequest(method, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

func do(t *testing.T, method, url string) (int, string) {
	t.Helper()
	code, body, err := fetch(method, url)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return code, body
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	return do(t, nethttp.MethodGet, url)
}

// otlpProto is the part of the OTLP trace service (opentelemetry-proto,
// collector/trace/v1 and trace/v1) the receiver reads, with the field
// numbers of the real messages; the rest of each message is skipped as
// unknown fields.
const otlpProto = `syntax = "proto3";

package opentelemetry.proto.collector.trace.v1;

service TraceService {
  rpc Export(ExportTraceServiceRequest) returns (ExportTraceServiceResponse);
}

message ExportTraceServiceRequest {
  repeated ResourceSpans resource_spans = 1;
}

message ExportTraceServiceResponse {}

message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
}

message Resource {
  repeated KeyValue attributes = 1;
}

message KeyValue {
  string key = 1;
  AnyValue value = 2;
}

message AnyValue {
  oneof value {
    string string_value = 1;
  }
}

message ScopeSpans {
  repeated Span spans = 2;
}

message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
}
`

// spanKindServer is SPAN_KIND_SERVER of the OTLP Span.kind enum.
const spanKindServer = 2

// span is what the receiver keeps of a span.
type span struct {
	trace, id, parent, name string
	kind                    int32
	service                 string
}

// otlpReceiver is a gRPC server answering the OTLP trace service's Export.
type otlpReceiver struct {
	addr  string
	mu    sync.Mutex
	spans []span
	got   chan struct{}
}

func startOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "otlp.proto"), []byte(otlpProto), 0o644); err != nil {
		t.Fatal(err)
	}
	req, err := (&protoc.Compiler{ImportPaths: []string{dir}}).Compile(context.Background(), []string{"otlp.proto"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: req.GetProtoFile()})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(name string) protoreflect.MessageDescriptor {
		d, err := files.FindDescriptorByName(protoreflect.FullName("opentelemetry.proto.collector.trace.v1." + name))
		if err != nil {
			t.Fatal(err)
		}
		return d.(protoreflect.MessageDescriptor)
	}
	reqDesc, respDesc := msg("ExportTraceServiceRequest"), msg("ExportTraceServiceResponse")

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &otlpReceiver{addr: lis.Addr().String(), got: make(chan struct{}, 1)}
	srv := grpc.NewServer()
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "opentelemetry.proto.collector.trace.v1.TraceService",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Export",
			Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				in := dynamicpb.NewMessage(reqDesc)
				if err := dec(in); err != nil {
					return nil, err
				}
				r.add(in)
				return dynamicpb.NewMessage(respDesc), nil
			},
		}},
	}, struct{}{})
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	return r
}

// add keeps the spans of an Export request.
func (r *otlpReceiver) add(req protoreflect.Message) {
	field := func(m protoreflect.Message, name string) protoreflect.Value {
		return m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(name)))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rss := field(req, "resource_spans").List()
	for i := range rss.Len() {
		rs := rss.Get(i).Message()
		service := ""
		attrs := field(field(rs, "resource").Message(), "attributes").List()
		for j := range attrs.Len() {
			kv := attrs.Get(j).Message()
			if field(kv, "key").String() == "service.name" {
				service = field(field(kv, "value").Message(), "string_value").String()
			}
		}
		sss := field(rs, "scope_spans").List()
		for j := range sss.Len() {
			spans := field(sss.Get(j).Message(), "spans").List()
			for k := range spans.Len() {
				s := spans.Get(k).Message()
				r.spans = append(r.spans, span{
					trace:   hex.EncodeToString(field(s, "trace_id").Bytes()),
					id:      hex.EncodeToString(field(s, "span_id").Bytes()),
					parent:  hex.EncodeToString(field(s, "parent_span_id").Bytes()),
					name:    field(s, "name").String(),
					kind:    int32(field(s, "kind").Int()),
					service: service,
				})
			}
		}
	}
	select {
	case r.got <- struct{}{}:
	default:
	}
}

// waitFor waits until the receiver holds n spans of trace and returns them.
func (r *otlpReceiver) waitFor(t *testing.T, ctx context.Context, trace string, n int) []span {
	t.Helper()
	for {
		r.mu.Lock()
		var found []span
		for _, s := range r.spans {
			if s.trace == trace {
				found = append(found, s)
			}
		}
		all := append([]span(nil), r.spans...)
		r.mu.Unlock()
		if len(found) >= n {
			return found
		}
		select {
		case <-r.got:
		case <-ctx.Done():
			t.Fatalf("the receiver got %d spans of trace %s, want %d; all spans: %+v", len(found), trace, n, all)
		}
	}
}

// testOnePort calls the Greeter on the HTTP port with every protocol the
// scaffold serves there by default: REST, Connect, gRPC-Web and gRPC (h2c).
// The cmd module may not depend on connect-go, so Connect and gRPC-Web go
// out as the raw requests their clients send (the conformance module runs
// connect-go's own clients against the same server code).
func testOnePort(t *testing.T, c *cli, proj, bin, httpAddr, admin string) {
	svc := startService(t, c, proj, bin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waitStatus(t, ctx, admin+"/readyz", 200, svc.exited)
	const want = "Hello kratos"
	base := "http://" + httpAddr

	if code, body := httpGet(t, base+"/helloworld/kratos"); code != 200 || body != `{"message":"`+want+`"}` {
		t.Errorf("REST: GET /helloworld/kratos = %d %s", code, body)
	}

	post := func(contentType string, body []byte) (*nethttp.Response, []byte) {
		t.Helper()
		req, err := nethttp.NewRequestWithContext(ctx, nethttp.MethodPost, base+"/helloworld.v1.Greeter/SayHello", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Connect-Protocol-Version", "1")
		res, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", contentType, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}

	// Connect unary: the message as the body.
	if res, b := post("application/json", []byte(`{"name":"kratos"}`)); res.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("Connect: %d %s", res.StatusCode, b)
	}

	// gRPC-Web: enveloped messages, then a trailer frame with the status.
	msg := []byte(`{"name":"kratos"}`)
	env := append([]byte{0, 0, 0, 0, byte(len(msg))}, msg...)
	res, b := post("application/grpc-web+json", env)
	var frames []string
	for len(b) >= 5 {
		n := int(b[1])<<24 | int(b[2])<<16 | int(b[3])<<8 | int(b[4])
		if 5+n > len(b) {
			break
		}
		frames = append(frames, fmt.Sprintf("%#x %s", b[0], b[5:5+n]))
		b = b[5+n:]
	}
	if res.StatusCode != 200 || len(frames) != 2 || !strings.Contains(frames[0], want) || !strings.Contains(strings.ReplaceAll(frames[1], " ", ""), "grpc-status:0") {
		t.Errorf("gRPC-Web: %d, frames %q", res.StatusCode, frames)
	}

	// gRPC over HTTP/2 without TLS, with grpc-go's client.
	if got, err := greeterClient(t, ctx, proj, httpAddr)("kratos"); err != nil || got != want {
		t.Errorf("gRPC on the HTTP port: %q, %v", got, err)
	}
}
