package project

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kratosLayout is a repository shaped like go-kratos/kratos-layout: its
// module is github.com/go-kratos/kratos-layout, its command is cmd/server,
// and it imports Kratos v2.
var kratosLayout = map[string]string{
	"go.mod": `module github.com/go-kratos/kratos-layout

go 1.22

require github.com/go-kratos/kratos/v2 v2.9.2
`,
	"cmd/server/main.go": `package main

import (
	"flag"
	"os"

	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/log"

	"github.com/go-kratos/kratos-layout/internal/server"
)

func main() {
	addr := flag.String("addr", "0.0.0.0:8000", "HTTP address")
	flag.Parse()
	logger := log.With(log.NewStdLogger(os.Stdout), "service.name", "layout")
	app := kratos.New(kratos.Name("layout"), kratos.Logger(logger), kratos.Server(server.NewHTTPServer(*addr)))
	if err := app.Run(); err != nil {
		panic(err)
	}
}
`,
	"internal/server/http.go": `package server

import (
	nethttp "net/http"

	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/transport/http"
)

// NewHTTPServer answers /hello.
func NewHTTPServer(addr string) *http.Server {
	srv := http.NewServer(http.Address(addr), http.Middleware(recovery.Recovery()))
	srv.HandleFunc("/hello", func(w nethttp.ResponseWriter, _ *nethttp.Request) { w.Write([]byte("hello from layout")) })
	return srv
}
`,
	"third_party/README.md": "protos\n",
}

// TestNewFromKratosLayout clones a kratos-layout-shaped repository: the
// project gets cmd/<name>, imports this framework instead of Kratos, builds
// and serves.
func TestNewFromKratosLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git, go mod tidy and go build")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git in PATH")
	}
	repo := t.TempDir()
	for name, content := range kratosLayout {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-q", "-m", "layout"}} {
		cmd := exec.Command(git, append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	work := t.TempDir()
	t.Chdir(work)
	res, err := New(context.Background(), Options{Path: "orders", RepoURL: repo, Module: "example.com/orders"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(res.Dir, "cmd", "server")); err == nil {
		t.Error("cmd/server is still there; want it renamed to cmd/orders")
	}
	main := readFile(t, filepath.Join(res.Dir, "cmd", "orders", "main.go"))
	for _, want := range []string{`"github.com/seed6ad8aa6b/kratos"`, `"github.com/seed6ad8aa6b/kratos/log"`, `"example.com/orders/internal/server"`} {
		if !strings.Contains(main, want) {
			t.Errorf("cmd/orders/main.go does not import %s:\n%s", want, main)
		}
	}
	filepath.WalkDir(res.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".go") || filepath.Base(p) == "go.mod") {
			if data := readFile(t, p); strings.Contains(data, "go-kratos/kratos") {
				t.Errorf("%s still refers to Kratos:\n%s", p, data)
			}
		}
		return err
	})
	gomod := readFile(t, filepath.Join(res.Dir, "go.mod"))
	if !strings.Contains(gomod, FrameworkModule+" => ") {
		t.Errorf("go.mod does not replace the framework with its source:\n%s", gomod)
	}

	bin := filepath.Join(t.TempDir(), "orders")
	goRun(t, res.Dir, "build", "-o", bin, "./cmd/orders")
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	cmd := exec.Command(bin, "-addr", addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// The server says when it listens.
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), "listening on") {
				found = true
				listening <- true
			}
		}
		if !found {
			listening <- false
		}
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatal("the service exited without listening")
		}
	case <-time.After(time.Minute):
		t.Fatal("the service did not listen within a minute")
	}
	resp, err := http.Get("http://" + addr + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello from layout" {
		t.Errorf("GET /hello = %d %q, want 200 \"hello from layout\"", resp.StatusCode, body)
	}
}
