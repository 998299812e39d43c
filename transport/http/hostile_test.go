package http_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// The hostile-client suite: clients that trickle bodies, hold idle
// connections, send deeply nested bodies, or make the reply encoder panic,
// against a real server on loopback. Every test is bounded to seconds and
// at most a few hundred connections.

// hostileConns is how many connections the connection tests hold at once.
const hostileConns = 200

// dial opens n raw connections to host, closed at cleanup.
func dial(t *testing.T, host string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	return conns
}

// awaitClosed reads each connection until the server closes it and
// returns what it read from each; it fails when one stays open past
// bound.
func awaitClosed(t *testing.T, conns []net.Conn, bound time.Duration) []string {
	t.Helper()
	got := make([]string, len(conns))
	var wg sync.WaitGroup
	deadline := time.Now().Add(bound)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(deadline)
			b, err := io.ReadAll(c)
			got[i] = string(b)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				got[i] = "still open after " + bound.String()
			}
		}()
	}
	wg.Wait()
	return got
}

func echoStructServer(t *testing.T, opts ...khttp.ServerOption) (*khttp.Server, string) {
	t.Helper()
	srv, host := startServer(t, opts...)
	srv.Route("/").POST("/struct", func(ctx khttp.Context) error {
		var in structpb.Struct
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		return ctx.Result(http.StatusOK, &in)
	})
	return srv, host
}

// checkServes fails unless a normal call succeeds.
func checkServes(t *testing.T, host string) {
	t.Helper()
	res, err := http.Post("http://"+host+"/struct", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatalf("normal call: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"a":1`) {
		t.Fatalf("normal call = %d %s, want 200 with the struct", res.StatusCode, body)
	}
}

func TestHostileTricklingBodies(t *testing.T) {
	tests := []struct {
		name string
		opts []khttp.ServerOption
	}{
		{"bounded by the request timeout", []khttp.ServerOption{khttp.Timeout(300 * time.Millisecond)}},
		{"bounded by WithBodyTimeout", []khttp.ServerOption{khttp.Timeout(0), khttp.WithBodyTimeout(300 * time.Millisecond)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, host := echoStructServer(t, tt.opts...)
			conns := dial(t, host, hostileConns)
			for _, c := range conns {
				// Headers promise 1000 bytes; one arrives, the rest never do.
				fmt.Fprintf(c, "POST /struct HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
			}
			checkServes(t, host)
			for i, got := range awaitClosed(t, conns, 10*time.Second) {
				if !strings.HasPrefix(got, "HTTP/1.1 408 ") || !strings.Contains(got, "BODY_TIMEOUT") {
					t.Fatalf("conn %d got %q, want a 408 BODY_TIMEOUT and the connection closed", i, got)
				}
			}
			checkServes(t, host)
		})
	}
}

func TestHostileBodyTimeoutOff(t *testing.T) {
	srv, host := startServer(t, khttp.Timeout(0), khttp.WithBodyTimeout(0))
	started := make(chan struct{})
	srv.Route("/").POST("/upload", func(ctx khttp.Context) error {
		close(started)
		_, err := io.Copy(io.Discard, ctx.Request().Body)
		if err != nil {
			return err
		}
		return ctx.String(http.StatusOK, "done")
	})
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	var got string
	go func() {
		res, err := http.Post("http://"+host+"/upload", "application/octet-stream", pr)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			got = string(b)
		}
		errc <- err
	}()
	fmt.Fprint(pw, "part one")
	<-started
	// Past any default bound the body is still accepted: the upload is
	// unbounded by choice. A timer stands for a slow client here.
	<-time.After(400 * time.Millisecond)
	fmt.Fprint(pw, "part two")
	pw.Close()
	if err := <-errc; err != nil || got != "done" {
		t.Fatalf("upload = %q, %v; want done", got, err)
	}
}

func TestHostileIdleConnections(t *testing.T) {
	_, host := echoStructServer(t, khttp.WithIdleTimeout(300*time.Millisecond))
	conns := dial(t, host, hostileConns)
	for _, c := range conns {
		fmt.Fprintf(c, "POST /struct HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	}
	checkServes(t, host)
	for i, got := range awaitClosed(t, conns, 10*time.Second) {
		// The one request is answered, then the idle connection is closed.
		if !strings.HasPrefix(got, "HTTP/1.1 200 ") {
			t.Fatalf("conn %d got %q, want a 200 and then the connection closed", i, got)
		}
	}
}

func TestHostileIdleTimeoutDefault(t *testing.T) {
	srv := khttp.NewServer()
	if got, want := srv.IdleTimeout, 90*time.Second; got != want {
		t.Errorf("IdleTimeout = %v, want %v", got, want)
	}
	if got := khttp.NewServer(khttp.WithIdleTimeout(0)).IdleTimeout; got != 0 {
		t.Errorf("IdleTimeout with WithIdleTimeout(0) = %v, want 0", got)
	}
}

func TestHostileDeepNesting(t *testing.T) {
	_, host := echoStructServer(t)
	tests := []struct {
		name, contentType, body string
	}{
		{"json struct", "application/json", strings.Repeat(`{"a":`, 9000) + "{}" + strings.Repeat("}", 9000)},
		{"json list", "application/json", `{"a":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "}"},
		{"yaml", "application/yaml", strings.Repeat(`{"a":`, 9000) + "{}" + strings.Repeat("}", 9000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := http.Post("http://"+host+"/struct", tt.contentType, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			took := time.Since(start)
			t.Logf("%d bytes nested 9000 deep: %d in %v", len(tt.body), res.StatusCode, took)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "recursion") && !strings.Contains(string(b), "nested") {
				t.Errorf("POST = %d %s, want 400 about the nesting", res.StatusCode, b)
			}
			if took > 2*time.Second { // a wide bound; it takes about a millisecond
				t.Errorf("POST took %v", took)
			}
		})
	}
	checkServes(t, host)
}

// panicky is a reply whose JSON encoding panics.
type panicky struct{}

func (panicky) MarshalJSON() ([]byte, error) { panic("encoder bug") }

func TestHostileEncoderPanic(t *testing.T) {
	srv, host := startServer(t)
	srv.Route("/").GET("/panic", func(ctx khttp.Context) error {
		return ctx.Result(http.StatusOK, panicky{})
	})
	srv.Route("/").GET("/bind-panic", func(ctx khttp.Context) error {
		panic("binding bug")
	})
	for _, path := range []string{"/panic", "/bind-panic", "/panic"} {
		res, err := http.Get("http://" + host + path)
		if err != nil {
			t.Fatalf("GET %s error = %v, want a 500 response", path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusInternalServerError || !strings.Contains(string(b), `"code":500`) {
			t.Errorf("GET %s = %d %s, want a 500 error body", path, res.StatusCode, b)
		}
	}
}

func TestHostileXMLError(t *testing.T) {
	_, host := startServer(t)
	req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/nowhere", nil)
	req.Header.Set("Accept", "application/xml")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(b), `"reason":"NOT_FOUND"`) {
		t.Errorf("GET /nowhere (Accept: xml) = %d %q, want 404 with a JSON error body", res.StatusCode, b)
	}
	if got := res.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
}

func TestHostilePrefixHandlersAreNotTimed(t *testing.T) {
	srv, host := startServer(t, khttp.Timeout(50*time.Millisecond))
	hasDeadline := func(w http.ResponseWriter, r *http.Request) {
		_, ok := r.Context().Deadline()
		fmt.Fprint(w, ok)
	}
	srv.HandlePrefix("/debug/", http.HandlerFunc(hasDeadline))
	srv.HandleHeader("X-Stream", "", hasDeadline)
	srv.HandleFunc("/plain", hasDeadline)
	tests := []struct {
		path, header, want string
	}{
		{"/debug/pprof/profile", "", "false"},
		{"/anything", "yes", "false"},
		{"/plain", "", "true"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, "http://"+host+tt.path, nil)
		if tt.header != "" {
			req.Header.Set("X-Stream", tt.header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got := string(b); got != tt.want {
			t.Errorf("GET %s (X-Stream %q): has deadline = %s, want %s", tt.path, tt.header, got, tt.want)
		}
	}
}

// TestEscapedSlashesInMultiSegmentVariables calls a {name=shelves/*} route
// with the slashes of the value escaped, as OpenAPI clients send it.
func TestEscapedSlashesInMultiSegmentVariables(t *testing.T) {
	srv, host := startServer(t)
	srv.Route("/").GET("/v1/{name:shelves/[^/]+}", func(ctx khttp.Context) error {
		return ctx.String(http.StatusOK, ctx.Vars().Get("name"))
	})
	srv.Route("/").GET("/v1/books/{id}", func(ctx khttp.Context) error {
		return ctx.String(http.StatusOK, ctx.Vars().Get("id"))
	})
	tests := []struct {
		path, want string
		code       int
	}{
		{"/v1/shelves/1", "shelves/1", 200},
		{"/v1/shelves%2F1", "shelves/1", 200},
		{"/v1/shelves%2f1", "shelves/1", 200},
		{"/v1/books/a%2Fb", "a/b", 200}, // one segment: %2F stays inside it
	}
	for _, tt := range tests {
		res, err := http.Get("http://" + host + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.code || string(b) != tt.want {
			t.Errorf("GET %s = %d %q, want %d %q", tt.path, res.StatusCode, b, tt.code, tt.want)
		}
	}
}
