package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed6ad8aa6b/kratos/contrib/registry/etcd/etcdtest"
)

// ecosystemModules are the modules written for Kratos v2 that
// testdata/ecosystem depends on, as its go.mod names them; each imports
// github.com/go-kratos/kratos/v2 itself, so each needs the compat module
// (kratos compat) to link against this framework, and keeps needing it
// after kratos migrate. The project also passes aegis's BBR limiter and SRE
// breaker (github.com/go-kratos/aegis, which does not import Kratos) to the
// ratelimit and circuitbreaker middlewares.
var ecosystemModules = []string{
	"github.com/go-kratos/gin",
	"github.com/go-kratos/swagger-api/openapiv2",
	"github.com/go-kratos/kratos/contrib/log/zap/v2",
	"github.com/go-kratos/kratos/contrib/registry/etcd/v2",
}

// TestEcosystem moves a Kratos v2 project that depends on real Kratos
// ecosystem modules (testdata/ecosystem: go-kratos/gin, go-kratos/swagger-api,
// Kratos's contrib/log/zap and contrib/registry/etcd, aegis) onto this
// framework with the kratos CLI of this working tree, without changing a
// line of its code, and checks what each module does on our framework:
//
//   - kratos compat --aegis, go mod tidy, go build;
//   - an instance serves the project's Greeter and a gin router under our
//     HTTP server, errors rendered as Kratos renders them (the bodies are
//     those Kratos v2.9.2 gives for the same project), swagger-api lists the
//     services and describes the Greeter, zap receives the framework's logs;
//   - a second instance finds the first through Kratos's etcd registry in
//     the real etcd of hack/test.sh and calls it through our HTTP client,
//     whose aegis SRE breaker opens on failures;
//   - kratos migrate -w on a second copy rewrites the imports to ours,
//     keeps the compat module (the ecosystem modules still import Kratos,
//     and Kratos's ratelimit and circuitbreaker are kept for the aegis
//     types), and the result builds and serves.
//
// It needs the go command and the module proxy (the modules are downloaded
// into the module cache). The discovery part needs etcd (KRATOS_TEST_ETCD);
// without it that part skips, unless CI is set.
func TestEcosystem(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a project with its dependencies from the module proxy")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not in PATH")
	}
	etcdAddr := os.Getenv(etcdtest.EnvEndpoint)
	if etcdAddr == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set in CI: the etcd discovery check needs the etcd that hack/test.sh starts", etcdtest.EnvEndpoint)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// Every go command of the test shares one bound, inside the test's.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	if d, ok := t.Deadline(); ok {
		ctx, cancel = context.WithDeadline(context.Background(), d.Add(-20*time.Second))
	}
	defer cancel()
	start := time.Now()
	step := func(format string, args ...any) {
		t.Helper()
		t.Logf("[%5.1fs] %s", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	work := t.TempDir()

	step("building the kratos CLI from ./cmd/kratos")
	cli := filepath.Join(work, "kratos")
	goCmd(ctx, t, filepath.Join(repo, "cmd"), "build", "-o", cli, "./kratos")

	// The project as its user has it, plus a requirement on our module
	// (replaced by this working tree, as it is not published): go.mod only.
	proj := filepath.Join(work, "compat")
	copyTree(t, "testdata/ecosystem", proj)
	goCmd(ctx, t, proj, "mod", "edit",
		"-require=github.com/seed6ad8aa6b/kratos@v0.0.0-00010101000000-000000000000",
		"-replace=github.com/seed6ad8aa6b/kratos="+repo)

	step("kratos compat --aegis v0.2.0")
	run(ctx, t, proj, cli, "compat", "--aegis", "v0.2.0")
	step("go mod tidy (downloads the ecosystem modules from the module proxy)")
	goCmd(ctx, t, proj, "mod", "tidy")
	step("go build")
	app := filepath.Join(work, "ecosystem")
	goCmd(ctx, t, proj, "build", "-o", app, ".")
	sameCode(t, "testdata/ecosystem", proj)

	step("running instance a")
	a := startApp(t, app, "-id", "a", "-name", "ecosystem-a")
	checkHTTP(t, a.base, "a")
	checkSwagger(t, a.base)

	if etcdAddr == "" {
		step("no etcd (%s unset, CI unset): skipping the discovery check", etcdtest.EnvEndpoint)
	} else {
		step("etcd discovery between two instances (etcd %s)", etcdAddr)
		// Names of their own: the etcd server is shared with other tests.
		backend := fmt.Sprintf("ecosystem-backend-%d", time.Now().UnixNano())
		frontend := strings.Replace(backend, "backend", "frontend", 1)
		back := startApp(t, app, "-id", "backend-1", "-name", backend, "-etcd", etcdAddr)
		front := startApp(t, app, "-id", "frontend-1", "-name", frontend, "-etcd", etcdAddr, "-peer", backend)
		checkDiscovery(t, front.base)
		checkBreaker(t, front.base)
		front.stop(t)
		back.stop(t)
		checkLogs(t, back, "backend-1", `"operation":"/ecosystem.greeter.v1.Greeter/SayHello"`, `"reason":"BROKEN"`)
	}
	a.stop(t)
	checkLogs(t, a, "a",
		`"msg":"greeting world"`,
		`"operation":"/ecosystem.greeter.v1.Greeter/SayHello"`,
		`"reason":"USER_NOT_FOUND"`,
		`"operation":"/gin/hello/:name"`)

	// kratos migrate on a second copy of the project as compat left it.
	step("kratos migrate -w on a second copy")
	mig := filepath.Join(work, "migrate")
	copyTree(t, proj, mig)
	out := run(ctx, t, mig, cli, "migrate", "-w")
	for _, p := range append(slices.Clone(ecosystemModules), "example.com/ecosystem") {
		if want := "kratos migrate: " + p + " imports Kratos; keeping the compat module"; !strings.Contains(out, want) {
			t.Errorf("kratos migrate -w said\n%s\nwant a line %q", out, want)
		}
	}
	checkMigrated(t, mig)
	if dry := run(ctx, t, mig, cli, "migrate"); !strings.Contains(dry, "# kept main.go: github.com/go-kratos/kratos/v2/middleware/ratelimit") {
		t.Errorf("kratos migrate (dry run, after -w) said\n%s\nwant the aegis-taking imports listed as kept", dry)
	}
	step("go build of the migrated project")
	goCmd(ctx, t, mig, "build", "-o", app, ".")
	m := startApp(t, app, "-id", "m", "-name", "ecosystem-migrated")
	checkHTTP(t, m.base, "m")
	m.stop(t)
	step("done")
}

// checkHTTP checks the Greeter of instance id served by our HTTP server and
// the gin router mounted on it, errors included.
func checkHTTP(t *testing.T, base, id string) {
	t.Helper()
	notFound := func(msg string) map[string]any {
		return map[string]any{"code": 404.0, "reason": "USER_NOT_FOUND", "message": msg, "metadata": map[string]any{}}
	}
	tests := []struct {
		path      string
		code      int
		body      map[string]any
		operation string // X-Operation, set by a Kratos middleware in gin's chain
	}{
		{"/v1/hello/world", 200, map[string]any{"message": "hello world", "instance": id}, ""},
		{"/v1/hello/nobody", 404, notFound("no user named nobody"), ""},
		{"/gin/hello/kratos", 200, map[string]any{"welcome": "kratos"}, "/gin/hello/:name"},
		{"/gin/hello/nobody", 404, notFound("gin knows no user named nobody"), "/gin/hello/:name"},
	}
	for _, tt := range tests {
		code, header, body := get(t, base+tt.path)
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("GET %s: body %q is not JSON: %v", tt.path, body, err)
			continue
		}
		if code != tt.code {
			t.Errorf("GET %s: status %d, want %d", tt.path, code, tt.code)
		}
		if diff := cmp.Diff(got, tt.body); diff != "" {
			t.Errorf("GET %s: body (-got +want):\n%s", tt.path, diff)
		}
		if got := header.Get("X-Operation"); got != tt.operation {
			t.Errorf("GET %s: X-Operation %q, want %q", tt.path, got, tt.operation)
		}
	}
}

// checkSwagger checks swagger-api's handler: the services linked into the
// program, the Greeter's OpenAPI document, the UI.
func checkSwagger(t *testing.T, base string) {
	t.Helper()
	code, _, body := get(t, base+"/q/services")
	var list struct{ Services, Methods []string }
	if err := json.Unmarshal(body, &list); code != 200 || err != nil {
		t.Fatalf("GET /q/services: %d %q (%v)", code, body, err)
	}
	for _, want := range []string{"ecosystem.greeter.v1.Greeter", "kratos.api.Metadata"} {
		if !slices.Contains(list.Services, want) {
			t.Errorf("GET /q/services: services %q, want %q among them", list.Services, want)
		}
	}
	if want := "/ecosystem.greeter.v1.Greeter/SayHello"; !slices.Contains(list.Methods, want) {
		t.Errorf("GET /q/services: methods %q, want %q among them", list.Methods, want)
	}
	code, _, body = get(t, base+"/q/service/ecosystem.greeter.v1.Greeter")
	var doc struct {
		Swagger string
		Paths   map[string]map[string]any
	}
	if err := json.Unmarshal(body, &doc); code != 200 || err != nil {
		t.Fatalf("GET /q/service/ecosystem.greeter.v1.Greeter: %d %.300q (%v)", code, body, err)
	}
	if _, ok := doc.Paths["/v1/hello/{name}"]["get"]; doc.Swagger != "2.0" || !ok {
		t.Errorf("GET /q/service/ecosystem.greeter.v1.Greeter: swagger %q, paths %v; want 2.0 with GET /v1/hello/{name}", doc.Swagger, doc.Paths)
	}
	if code, _, body := get(t, base+"/q/swagger-ui/"); code != 200 || !bytes.Contains(body, []byte("swagger")) {
		t.Errorf("GET /q/swagger-ui/: %d %.200q, want 200 and the UI's page", code, body)
	}
}

// checkDiscovery: the frontend's /relay/world calls the backend's Greeter
// through Kratos's etcd registry; the frontend may not have seen the
// backend yet, so it is polled.
func checkDiscovery(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, _, body := get(t, base+"/relay/world")
		if code == 200 {
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("GET /relay/world: %q: %v", body, err)
			}
			if diff := cmp.Diff(got, map[string]any{"message": "hello world", "instance": "backend-1"}); diff != "" {
				t.Errorf("GET /relay/world (-got +want):\n%s", diff)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /relay/world: still %d %q after 30s; want the backend found through etcd", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkBreaker: the backend always fails /relay/fail's greeting with a 500;
// aegis's SRE breaker (opening from 3 requests) in the frontend's client
// chain soon rejects calls with Kratos's 503 CIRCUITBREAKER.
func checkBreaker(t *testing.T, base string) {
	t.Helper()
	const tries = 200
	for i := 0; i < tries; i++ {
		code, _, body := get(t, base+"/relay/fail")
		var got struct {
			Code   int
			Reason string
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("GET /relay/fail: %d %q: %v", code, body, err)
		}
		switch {
		case code == 503 && got.Reason == "CIRCUITBREAKER":
			t.Logf("the breaker opened after %d calls", i+1)
			return
		case code != 500 || got.Reason != "BROKEN":
			t.Fatalf("GET /relay/fail: %d %q, want 500 BROKEN until the breaker opens", code, body)
		}
	}
	t.Errorf("GET /relay/fail: no 503 CIRCUITBREAKER in %d calls; want the SRE breaker to open", tries)
}

// checkLogs checks that the instance's zap logger (JSON lines on its
// stdout) received the framework's own log lines and the project's.
func checkLogs(t *testing.T, p *appProc, id string, want ...string) {
	t.Helper()
	out := p.out.String()
	var listening bool
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("instance %s: log line %q is not zap's JSON: %v", id, line, err)
			continue
		}
		if entry["service.id"] != id {
			t.Errorf("instance %s: log line %q lacks service.id", id, line)
		}
		msg, _ := entry["msg"].(string)
		listening = listening || strings.Contains(msg, "listening")
	}
	if !listening {
		t.Errorf("instance %s: no line of our HTTP server saying where it listens in zap's output:\n%s", id, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("instance %s: zap's output lacks %s:\n%s", id, w, out)
		}
	}
}

// checkMigrated checks kratos migrate's rewrite: our import path
// everywhere but for the two imports that take aegis types, and the compat
// module kept.
func checkMigrated(t *testing.T, dir string) {
	t.Helper()
	for file, kept := range map[string][]string{
		"main.go": {
			`"github.com/go-kratos/kratos/v2/middleware/circuitbreaker"`,
			`"github.com/go-kratos/kratos/v2/middleware/ratelimit"`,
		},
		"internal/service/greeter.go":       nil,
		"api/greeter/v1/greeter_http.pb.go": nil,
	} {
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, `"github.com/go-kratos/kratos/v2`) {
				got = append(got, line[strings.Index(line, `"`):])
			}
		}
		if diff := cmp.Diff(got, kept); diff != "" {
			t.Errorf("%s after kratos migrate: Kratos imports (-got +want):\n%s", file, diff)
		}
		if !bytes.Contains(src, []byte(`"github.com/seed6ad8aa6b/kratos/`)) {
			t.Errorf("%s after kratos migrate imports nothing of ours", file)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(gomod, []byte("replace github.com/go-kratos/kratos/v2 => ./third_party/kratos")) {
		t.Errorf("go.mod after kratos migrate:\n%s\nwant the compat module's replace kept", gomod)
	}
}

// appProc is a running instance of the project.
type appProc struct {
	cmd  *exec.Cmd
	base string // http://host:port
	out  *syncBuffer
	done chan struct{}
	err  error // of Wait, once done is closed
}

// startApp runs the program with args on a free loopback port and waits
// until it serves; the test's cleanup kills it if the test did not stop it.
func startApp(t *testing.T, bin string, args ...string) *appProc {
	t.Helper()
	addr := freeLoopback(t)
	p := &appProc{base: "http://" + addr, out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"-http", addr}, args...)...)
	p.cmd.Stdout = p.out
	var stderr syncBuffer
	p.cmd.Stderr = &stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.base + "/v1/hello/world")
		if err == nil {
			resp.Body.Close()
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("%s %q exited: %v\nstdout:\n%s\nstderr:\n%s", bin, args, p.err, p.out, &stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %q: not serving after 30s: %v\nstdout:\n%s\nstderr:\n%s", bin, args, err, p.out, &stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and wants the App to stop cleanly.
func (p *appProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s after SIGTERM: %v, want exit status 0\n%s", p.cmd.Args, p.err, p.out)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s: still running 30s after SIGTERM", p.cmd.Args)
	}
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header, body
}

func freeLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// goCmd runs the go command in dir, in module mode with go.mod updates
// allowed and no workspace, and fails the test with its output on error.
func goCmd(ctx context.Context, t *testing.T, dir string, args ...string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	return run(ctx, t, dir, gobin, args...)
}

// run runs a command with the go command's settings of goCmd and returns
// its combined output.
func run(ctx context.Context, t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", filepath.Base(bin), strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// copyTree copies the regular files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sameCode fails the test when a file of the project in orig (but go.mod
// and go.sum) differs in dir.
func sameCode(t *testing.T, orig, dir string) {
	t.Helper()
	err := filepath.WalkDir(orig, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(orig, p)
		if rel == "go.mod" || rel == "go.sum" {
			return nil
		}
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s changed: kratos compat must not touch the project's code", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
