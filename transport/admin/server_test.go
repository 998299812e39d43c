package admin_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
)

func TestEndpoints(t *testing.T) {
	var level log.LevelVar
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "requests_total 1\n") })
	version := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "v1\n") })
	full := admin.New(admin.WithMetrics(metrics), admin.WithLogLevel(&level), admin.WithHandler("GET /version", version))
	bare := admin.New(admin.WithPprof(false))

	tests := []struct {
		name     string
		srv      *admin.Server
		method   string
		target   string
		body     string
		wantCode int
		wantBody string // a substring
	}{
		{"healthz", full, "GET", "/healthz", "", 200, "ok"},
		{"healthz HEAD", full, "HEAD", "/healthz", "", 200, ""},
		{"readyz before Start", full, "GET", "/readyz", "", 503, "not started"},
		{"index", full, "GET", "/", "", 200, "/metrics"},
		{"metrics", full, "GET", "/metrics", "", 200, "requests_total 1"},
		{"metrics absent", bare, "GET", "/metrics", "", 404, ""},
		{"pprof index", full, "GET", "/debug/pprof/", "", 200, "goroutine"},
		{"pprof profile", full, "GET", "/debug/pprof/goroutine?debug=1", "", 200, "goroutine profile:"},
		{"pprof off", bare, "GET", "/debug/pprof/", "", 404, ""},
		{"loglevel", full, "GET", "/loglevel", "", 200, `{"level":"INFO"}`},
		{"loglevel absent", bare, "GET", "/loglevel", "", 404, ""},
		{"loglevel wrong method", full, "DELETE", "/loglevel", "", 405, ""},
		{"loglevel bad name", full, "PUT", "/loglevel?level=verbose", "", 400, "unknown level"},
		{"loglevel bad JSON", full, "PUT", "/loglevel", `{"level":`, 400, "want ?level="},
		{"loglevel oversized", full, "PUT", "/loglevel", `{"level":"` + strings.Repeat("d", 4096) + `"}`, 400, "too large"},
		{"loglevel empty", full, "PUT", "/loglevel", ``, 400, "want ?level="},
		{"extra handler", full, "GET", "/version", "", 200, "v1"},
		{"unknown path", full, "GET", "/nope", "", 404, ""},
		{"healthz POST", full, "POST", "/healthz", "", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
			if rec.Code != tt.wantCode {
				t.Errorf("%s %s = %d, want %d; body %q", tt.method, tt.target, rec.Code, tt.wantCode, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("%s %s body = %q, want it to contain %q", tt.method, tt.target, rec.Body, tt.wantBody)
			}
		})
	}
	if got := level.Level(); got != log.LevelInfo.Level() {
		t.Errorf("level after bad requests = %v, want it unchanged (INFO)", got)
	}
}

func TestLogLevelChanges(t *testing.T) {
	var level log.LevelVar
	sink := &lines{}
	logger := log.NewHelper(log.NewFilter(sink, log.FilterLeveler(&level)))
	srv := admin.New(admin.WithLogLevel(&level), admin.WithLogger(log.DefaultLogger))

	tests := []struct {
		method, target, body string
		want                 string
		wantDebug            bool
	}{
		{"PUT", "/loglevel", `{"level":"debug"}`, `{"level":"DEBUG"}`, true},
		{"GET", "/loglevel", ``, `{"level":"DEBUG"}`, true},
		{"POST", "/loglevel?level=Error", ``, `{"level":"ERROR"}`, false},
		{"PUT", "/loglevel?level=fatal", ``, `{"level":"FATAL"}`, false},
		{"PUT", "/loglevel", `{"level":" warn "}`, `{"level":"WARN"}`, false},
		{"PUT", "/loglevel", `{"level":"INFO"}`, `{"level":"INFO"}`, false},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
		if got := strings.TrimSpace(rec.Body.String()); rec.Code != 200 || got != tt.want {
			t.Errorf("%s %s %s = %d %s, want 200 %s", tt.method, tt.target, tt.body, rec.Code, got, tt.want)
		}
		if got := logger.Enabled(log.LevelDebug); got != tt.wantDebug {
			t.Errorf("after %s %s %s: Enabled(LevelDebug) = %v, want %v", tt.method, tt.target, tt.body, got, tt.wantDebug)
		}
	}
	level.Set(log.LevelInfo.Level() + 2) // set by code, between two names
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/loglevel", nil))
	if got, want := strings.TrimSpace(rec.Body.String()), `{"level":"INFO+2"}`; got != want {
		t.Errorf("GET /loglevel = %s, want %s", got, want)
	}
}

// lines is a Logger counting its records.
type lines struct{ n int }

func (l *lines) Log(log.Level, ...any) error { l.n++; return nil }

// start runs srv on a loopback listener and returns its base URL; the
// server is stopped when the test ends.
func start(t *testing.T, srv func(net.Listener) *admin.Server) (*admin.Server, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := srv(lis)
	done := make(chan error, 1)
	go func() { done <- s.Start(context.Background()) }()
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("Stop() = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() = %v", err)
		}
	})
	return s, "http://" + lis.Addr().String()
}

// get returns the status code and body of a GET.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	code, body, err := fetch(url)
	if err != nil {
		t.Fatal(err)
	}
	return code, body
}

// fetch is get for goroutines other than the test's.
func fetch(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

func TestReadinessFollowsLifecycle(t *testing.T) {
	srv, base := start(t, func(lis net.Listener) *admin.Server { return admin.New(admin.WithListener(lis)) })
	// The listener is open before Start, so the first request waits for
	// the server to serve it.
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("GET /readyz after Start = %d %q, want 200", code, body)
	}
	if err := srv.Drain(context.Background()); err != nil {
		t.Fatalf("Drain() = %v", err)
	}
	tests := []struct {
		path     string
		wantCode int
		wantBody string
	}{
		{"/readyz", 503, "admin: draining"},
		{"/healthz", 200, "ok"},
		{"/debug/pprof/cmdline", 200, ""},
	}
	for _, tt := range tests {
		code, body := get(t, base+tt.path)
		if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
			t.Errorf("GET %s while draining = %d %q, want %d %q", tt.path, code, body, tt.wantCode, tt.wantBody)
		}
	}
	if err := srv.Ready(context.Background()); !errors.Is(err, admin.ErrDraining) {
		t.Errorf("Ready() after Drain = %v, want ErrDraining", err)
	}
}

func TestReadinessChecks(t *testing.T) {
	failing := errors.New("database unreachable")
	tests := []struct {
		name     string
		opts     []admin.Option
		wantCode int
		wantBody []string
	}{
		{"no checks", nil, 200, []string{"ok"}},
		{"passing", []admin.Option{admin.WithReadiness("db", func(context.Context) error { return nil })}, 200, []string{"ok"}},
		{"nil check passes", []admin.Option{admin.WithReadiness("nil", nil)}, 200, []string{"ok"}},
		{"failing", []admin.Option{
			admin.WithReadiness("cache", func(context.Context) error { return nil }),
			admin.WithReadiness("db", func(context.Context) error { return failing }),
		}, 503, []string{"db: database unreachable"}},
		{"all failures listed", []admin.Option{
			admin.WithReadiness("a", func(context.Context) error { return failing }),
			admin.WithReadiness("b", func(context.Context) error { return failing }),
		}, 503, []string{"a: database", "b: database"}},
		{"timeout", []admin.Option{
			admin.WithCheckTimeout(10 * time.Millisecond),
			admin.WithReadiness("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }),
		}, 503, []string{"slow: context deadline exceeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := start(t, func(lis net.Listener) *admin.Server {
				return admin.New(append([]admin.Option{admin.WithListener(lis)}, tt.opts...)...)
			})
			code, body := get(t, base+"/readyz")
			if code != tt.wantCode {
				t.Errorf("GET /readyz = %d %q, want %d", code, body, tt.wantCode)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("GET /readyz body = %q, want it to contain %q", body, w)
				}
			}
		})
	}
}

func TestStopBeforeStart(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := admin.New(admin.WithListener(lis))
	if err := srv.Stop(context.Background()); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Errorf("Start() after Stop = %v, want nil", err)
	}
	if _, err := lis.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept() on the given listener after Stop = %v, want net.ErrClosed", err)
	}
}

func TestListenError(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	srv := admin.New(admin.WithAddress(lis.Addr().String()))
	if err := srv.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "admin: listen") {
		t.Errorf("Start() on a busy address = %v, want an admin: listen error", err)
	}
}

// A profile is not cut short: the server has no write timeout, and Stop
// waits for it.
func TestStopWaitsForProfile(t *testing.T) {
	srv, base := start(t, func(lis net.Listener) *admin.Server { return admin.New(admin.WithListener(lis)) })
	resp, err := http.Get(base + "/debug/pprof/trace?seconds=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Stop(context.Background()) }()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != 200 || n == 0 {
		t.Errorf("trace during Stop: status %d, %d bytes, %v; want 200 and a whole trace", resp.StatusCode, n, err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Stop() = %v", err)
	}
}
