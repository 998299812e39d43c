//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoc"
)

// cli is the kratos binary built for the end-to-end test, run with a PATH
// holding only the go command's directory (so no protoc).
type cli struct {
	t   *testing.T
	bin string
	env []string
}

// buildCLI builds kratos from this directory's source, as a user would.
func buildCLI(t *testing.T) *cli {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	goBin, err = filepath.EvalSymlinks(goBin)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Dir(goBin)
	if _, err := os.Stat(filepath.Join(path, "protoc")); err == nil {
		t.Fatalf("%s holds protoc; the test needs a PATH without it", path)
	}
	bin := filepath.Join(t.TempDir(), "kratos")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build kratos: %v\n%s", err, out)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "KRATOS_PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+path)
	return &cli{t: t, bin: bin, env: env}
}

// command returns the kratos or go command (name "go") ready to run in dir.
func (c *cli) command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	bin := c.bin
	if name == "go" {
		bin = "go"
		for _, kv := range c.env {
			if p, ok := strings.CutPrefix(kv, "PATH="); ok {
				bin = filepath.Join(p, "go")
			}
		}
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = c.env
	return cmd
}

// run runs kratos (or go) and fails the test unless it succeeds.
func (c *cli) run(dir, name string, args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := c.command(ctx, dir, name, args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// snapshot returns the contents of the generated Go files under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".pb.go") {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// freePorts returns n distinct free loopback ports.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

const streamProto = `syntax = "proto3";

package shop.v1;

option go_package = "example.com/shop/api/shop/v1;v1";

// Feed has one method of every kind.
service Feed {
  rpc Get(Item) returns (Item);
  rpc Watch(Item) returns (stream Item);
  rpc Upload(stream Item) returns (Item);
  rpc Chat(stream Item) returns (stream Item);
}

message Item {
  string text = 1;
}
`

// TestEndToEnd goes from nothing to a running service with the CLI alone:
// new, proto add, proto client, proto server, go build, then calls over
// HTTP and gRPC and a clean stop on SIGTERM.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project; skipped with -short")
	}
	c := buildCLI(t)
	work := t.TempDir()
	proj := filepath.Join(work, "shop")

	out := c.run(work, "kratos", "new", "shop", "--module", "example.com/shop")
	if !strings.Contains(out, "go run ./cmd/shop -conf ./configs") {
		t.Errorf("kratos new printed %q; want how to start the service", out)
	}
	gomod, err := os.ReadFile(filepath.Join(proj, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^(replace )?\s*github.com/seed6ad8aa6b/kratos => /`).Match(gomod) {
		t.Errorf("go.mod has no replace to the framework source:\n%s", gomod)
	}

	// proto client regenerates exactly what new shipped.
	shipped := snapshot(t, filepath.Join(proj, "api"))
	if len(shipped) != 4 {
		t.Errorf("new shipped %d generated files, want 4 (pb, grpc, http, errors)", len(shipped))
	}
	c.run(proj, "kratos", "proto", "client", "api")
	for p, data := range snapshot(t, filepath.Join(proj, "api")) {
		if !bytes.Equal(data, shipped[p]) {
			t.Errorf("kratos proto client changed %s, which kratos new shipped", p)
		}
	}

	// A new CRUD service with routes, and a service of every RPC kind.
	c.run(proj, "kratos", "proto", "add", "api/shop/v1/order.proto", "--http")
	if err := os.WriteFile(filepath.Join(proj, "api/shop/v1/feed.proto"), []byte(streamProto), 0o644); err != nil {
		t.Fatal(err)
	}
	c.run(proj, "kratos", "proto", "client", "api/shop")
	for _, f := range []string{"order.pb.go", "order_grpc.pb.go", "order_http.pb.go", "feed.pb.go", "feed_grpc.pb.go"} {
		if _, err := os.Stat(filepath.Join(proj, "api/shop/v1", f)); err != nil {
			t.Errorf("proto client did not write %s: %v", f, err)
		}
	}
	for _, p := range []string{"api/shop/v1/order.proto", "api/shop/v1/feed.proto"} {
		c.run(proj, "kratos", "proto", "server", p, "-t", "internal/service")
	}
	for _, f := range []string{"order.go", "feed.go"} {
		if _, err := os.Stat(filepath.Join(proj, "internal/service", f)); err != nil {
			t.Errorf("proto server did not write %s: %v", f, err)
		}
	}

	bin := filepath.Join(work, "shop-bin")
	c.run(proj, "go", "build", "-o", bin, "./cmd/shop")
	c.run(proj, "go", "vet", "./...")
	c.run(proj, "go", "test", "./...")

	ports := freePorts(t, 3)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	grpcAddr := fmt.Sprintf("127.0.0.1:%d", ports[1])
	adminAddr := fmt.Sprintf("127.0.0.1:%d", ports[2])
	setAddrs(t, filepath.Join(proj, "configs", "config.yaml"), httpAddr, grpcAddr, adminAddr)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var logs bytes.Buffer
	srv := exec.Command(bin, "-conf", "configs")
	srv.Dir = proj
	srv.Env = c.env
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			srv.Process.Kill()
			<-exited
			t.Logf("service output:\n%s", logs.String())
		}
	}()

	body := waitHTTP(t, ctx, "http://"+httpAddr+"/helloworld/kratos", exited)
	if body != `{"message":"Hello kratos"}` {
		t.Errorf("GET /helloworld/kratos = %s, want {\"message\":\"Hello kratos\"}", body)
	}

	greeter := greeterClient(t, ctx, proj, grpcAddr)
	if got, err := greeter("kratos"); err != nil || got != "Hello kratos" {
		t.Errorf("gRPC SayHello(kratos) = %q, %v; want Hello kratos", got, err)
	}
	_, err = greeter("")
	if status.Code(err) != codes.InvalidArgument || kerrors.FromError(err).Reason != "NAME_INVALID" {
		t.Errorf("gRPC SayHello(\"\") error = %v, want InvalidArgument with reason NAME_INVALID", err)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("service exited with %v after SIGTERM, want status 0\n%s", err, logs.String())
		}
	case <-ctx.Done():
		t.Fatal("service did not stop after SIGTERM")
	}

	// kratos run starts the same service with go run and stops it when
	// kratos itself is stopped.
	testKratosRun(t, c, proj, httpAddr)
}

// testKratosRun starts `kratos run`, waits for the service to answer,
// sends SIGTERM to kratos and checks that kratos and the service stop.
func testKratosRun(t *testing.T, c *cli, proj, httpAddr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var logs bytes.Buffer
	run := c.command(context.Background(), proj, "kratos", "run", "--", "-conf", "./configs")
	run.Stdout, run.Stderr = &logs, &logs
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	if body := waitHTTP(t, ctx, "http://"+httpAddr+"/helloworld/run", exited); body != `{"message":"Hello run"}` {
		t.Errorf("GET through kratos run = %s", body)
	}
	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("kratos run exited with %v after SIGTERM\n%s", err, logs.String())
		}
	case <-ctx.Done():
		run.Process.Kill()
		t.Fatalf("kratos run did not stop after SIGTERM\n%s", logs.String())
	}
	// The service's port is free again once kratos has returned.
	l, err := net.Listen("tcp", httpAddr)
	if err != nil {
		t.Errorf("the service still holds %s after kratos run stopped: %v", httpAddr, err)
	} else {
		l.Close()
	}
}

// setAddrs points the configuration at the given HTTP, gRPC and admin
// addresses.
func setAddrs(t *testing.T, path, httpAddr, grpcAddr, adminAddr string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range [][2]string{{"0.0.0.0:8000", httpAddr}, {"0.0.0.0:9000", grpcAddr}, {"0.0.0.0:6060", adminAddr}} {
		if !strings.Contains(s, "addr: "+r[0]) {
			t.Fatalf("%s has no address %s to replace:\n%s", path, r[0], data)
		}
		s = strings.Replace(s, "addr: "+r[0], "addr: "+r[1], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitHTTP polls url until it answers (the service is up) and returns the
// body of the first answer.
func waitHTTP(t *testing.T, ctx context.Context, url string, exited <-chan error) string {
	t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := nethttp.NewRequestWithContext(ctx, nethttp.MethodGet, url, nil)
		resp, err := nethttp.DefaultClient.Do(req)
		if err == nil {
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(string(body))
		}
		select {
		case err := <-exited:
			t.Fatalf("the service exited before answering: %v", err)
		case <-ctx.Done():
			t.Fatalf("no answer from %s: %v", url, err)
		case <-tick.C:
		}
	}
}

// greeterClient returns a function calling helloworld.v1.Greeter/SayHello
// at addr with messages built from the project's own greeter.proto.
func greeterClient(t *testing.T, ctx context.Context, proj, addr string) func(name string) (string, error) {
	t.Helper()
	comp := &protoc.Compiler{ImportPaths: []string{proj}}
	req, err := comp.Compile(ctx, []string{"api/helloworld/v1/greeter.proto"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: req.GetProtoFile()})
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) protoreflect.MessageDescriptor {
		d, err := files.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			t.Fatal(err)
		}
		return d.(protoreflect.MessageDescriptor)
	}
	reqDesc, replyDesc := find("helloworld.v1.HelloRequest"), find("helloworld.v1.HelloReply")
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return func(name string) (string, error) {
		in := dynamicpb.NewMessage(reqDesc)
		in.Set(reqDesc.Fields().ByName("name"), protoreflect.ValueOfString(name))
		out := dynamicpb.NewMessage(replyDesc)
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := conn.Invoke(callCtx, "/helloworld.v1.Greeter/SayHello", in, out); err != nil {
			return "", err
		}
		return out.Get(replyDesc.Fields().ByName("message")).String(), nil
	}
}
