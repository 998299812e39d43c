package http_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// fakeDiscovery is an in-memory registry.Discovery whose instances the test
// sets; every watcher sees each change.
type fakeDiscovery struct {
	mu       sync.Mutex
	services []*registry.ServiceInstance
	watchers []*fakeWatcher
	watchErr error
}

func (d *fakeDiscovery) set(services ...*registry.ServiceInstance) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.services = services
	for _, w := range d.watchers {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
}

func (d *fakeDiscovery) GetService(context.Context, string) ([]*registry.ServiceInstance, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.services, nil
}

func (d *fakeDiscovery) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.watchErr != nil {
		return nil, d.watchErr
	}
	w := &fakeWatcher{d: d, changed: make(chan struct{}, 1), stopped: make(chan struct{})}
	if len(d.services) > 0 {
		w.changed <- struct{}{}
	}
	d.watchers = append(d.watchers, w)
	return w, nil
}

type fakeWatcher struct {
	d        *fakeDiscovery
	changed  chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
}

func (w *fakeWatcher) Next() ([]*registry.ServiceInstance, error) {
	select {
	case <-w.stopped:
		return nil, context.Canceled
	case <-w.changed:
		return w.d.GetService(context.Background(), "")
	}
}

func (w *fakeWatcher) Stop() error {
	w.stopOnce.Do(func() { close(w.stopped) })
	return nil
}

// named answers with its name, to tell servers apart.
func named(t *testing.T, name string) string {
	t.Helper()
	srv, host := startServer(t)
	srv.Route("/").GET("/who", func(ctx khttp.Context) error { return ctx.Result(200, map[string]string{"name": name}) })
	return host
}

func who(t *testing.T, c *khttp.Client) string {
	t.Helper()
	var out map[string]string
	if err := c.Invoke(context.Background(), "GET", "/who", nil, &out); err != nil {
		t.Fatalf("Invoke(/who) error = %v", err)
	}
	return out["name"]
}

func TestClientDiscovery(t *testing.T) {
	a, b := named(t, "a"), named(t, "b")
	d := &fakeDiscovery{}
	d.set(
		&registry.ServiceInstance{ID: "1", Name: "svc", Version: "v1", Endpoints: []string{"grpc://127.0.0.1:1", "http://" + a}},
		&registry.ServiceInstance{ID: "2", Name: "svc", Version: "v2", Endpoints: []string{"http://" + b}},
		&registry.ServiceInstance{ID: "3", Name: "svc", Endpoints: []string{"https://127.0.0.1:1"}},
	)
	var filterCalls int
	var mu sync.Mutex
	onlyV2 := func(_ context.Context, nodes []selector.Node) []selector.Node {
		mu.Lock()
		filterCalls++
		mu.Unlock()
		var out []selector.Node
		for _, n := range nodes {
			if n.Version() == "v2" {
				out = append(out, n)
			}
		}
		return out
	}
	c := newClient(t, "discovery:///svc", khttp.WithDiscovery(d), khttp.WithBlock(), khttp.WithNodeFilter(onlyV2))
	for range 3 {
		if got := who(t, c); got != "b" {
			t.Errorf("who() = %q, want b (the only v2 node)", got)
		}
	}
	if filterCalls != 3 {
		t.Errorf("node filter called %d times, want 3", filterCalls)
	}

	all := newClient(t, "discovery:///svc", khttp.WithDiscovery(d), khttp.WithBlock())
	seen := map[string]bool{}
	for range 10 {
		seen[who(t, all)] = true
	}
	if !seen["a"] || !seen["b"] {
		t.Errorf("balanced over %v, want a and b", seen)
	}

	// An update reaches the client.
	d.set(&registry.ServiceInstance{ID: "1", Name: "svc", Version: "v1", Endpoints: []string{"http://" + a}})
	deadline := time.Now().Add(5 * time.Second)
	for who(t, all) != "a" || who(t, all) != "a" {
		if time.Now().After(deadline) {
			t.Fatal("client still calls b after the update")
		}
		time.Sleep(time.Millisecond)
	}

	// Filters leaving nothing: 503.
	var out map[string]string
	err := c.Invoke(context.Background(), "GET", "/who", nil, &out)
	if kerrors.Code(err) != 503 || kerrors.Reason(err) != "NODE_NOT_FOUND" {
		t.Errorf("Invoke() with no v2 node: error = %v, want 503 NODE_NOT_FOUND", err)
	}
}

func TestClientDiscoveryBlockTimeout(t *testing.T) {
	d := &fakeDiscovery{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := khttp.NewClient(ctx, khttp.WithEndpoint("discovery:///svc"), khttp.WithDiscovery(d), khttp.WithBlock())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("NewClient() error = %v, want %v", err, context.DeadlineExceeded)
	}
}

func TestClientDiscoveryErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []khttp.ClientOption
	}{
		{"no discovery", []khttp.ClientOption{khttp.WithEndpoint("discovery:///svc")}},
		{"watch fails", []khttp.ClientOption{khttp.WithEndpoint("discovery:///svc"), khttp.WithDiscovery(&fakeDiscovery{watchErr: errors.New("down")})}},
		{"bad endpoint", []khttp.ClientOption{khttp.WithEndpoint("http://[::1"), khttp.WithDiscovery(&fakeDiscovery{})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := khttp.NewClient(context.Background(), tt.opts...)
			if err == nil {
				c.Close()
				t.Errorf("NewClient() error = nil, want an error")
			}
		})
	}
}

func TestClientNonBlockingDiscovery(t *testing.T) {
	a := named(t, "a")
	d := &fakeDiscovery{}
	c := newClient(t, "discovery:///svc", khttp.WithDiscovery(d))
	var out map[string]string
	if err := c.Invoke(context.Background(), "GET", "/who", nil, &out); kerrors.Code(err) != 503 {
		t.Errorf("Invoke() before any instance: error = %v, want 503", err)
	}
	d.set(&registry.ServiceInstance{ID: "1", Name: "svc", Endpoints: []string{"http://" + a}})
	deadline := time.Now().Add(5 * time.Second)
	for c.Invoke(context.Background(), "GET", "/who", nil, &out) != nil {
		if time.Now().After(deadline) {
			t.Fatal("client never saw the instance")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClientSubset(t *testing.T) {
	d := &fakeDiscovery{}
	var instances []*registry.ServiceInstance
	hosts := map[string]bool{}
	for i := range 4 {
		h := named(t, fmt.Sprint(i))
		hosts[fmt.Sprint(i)] = true
		instances = append(instances, &registry.ServiceInstance{ID: fmt.Sprint(i), Name: "svc", Endpoints: []string{"http://" + h}})
	}
	d.set(instances...)
	c := newClient(t, "discovery:///svc", khttp.WithDiscovery(d), khttp.WithBlock(), khttp.WithSubset(2))
	seen := map[string]bool{}
	for range 20 {
		seen[who(t, c)] = true
	}
	if len(seen) != 2 {
		t.Errorf("WithSubset(2): calls reached %v, want 2 instances", seen)
	}
}

func TestClientTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ts.Close()

	srv, host := startServer(t, khttp.TLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}}))
	srv.Route("/").GET("/who", func(ctx khttp.Context) error {
		return ctx.Result(200, map[string]string{"name": fmt.Sprint(ctx.Request().TLS != nil)})
	})
	u, err := srv.Endpoint()
	if err != nil || u.Scheme != "https" {
		t.Fatalf("Endpoint() = %v, %v, want https", u, err)
	}
	c := newClient(t, host, khttp.WithTLSConfig(&tls.Config{RootCAs: pool}))
	if got := who(t, c); got != "true" {
		t.Errorf("served over TLS = %q, want true", got)
	}

	d := &fakeDiscovery{}
	d.set(
		&registry.ServiceInstance{ID: "1", Name: "svc", Endpoints: []string{"http://127.0.0.1:1"}},
		&registry.ServiceInstance{ID: "2", Name: "svc", Endpoints: []string{"https://" + host}},
	)
	dc := newClient(t, "discovery:///svc", khttp.WithDiscovery(d), khttp.WithBlock(), khttp.WithTLSConfig(&tls.Config{RootCAs: pool}))
	for range 3 {
		if got := who(t, dc); got != "true" {
			t.Errorf("discovered TLS call = %q, want true", got)
		}
	}
	if tc := http.DefaultTransport.(*http.Transport).TLSClientConfig; tc != nil && tc.RootCAs == pool {
		t.Errorf("WithTLSConfig changed http.DefaultTransport")
	}
}

// TestClientOptions covers the request the client sends and the call
// options.
func TestClientOptions(t *testing.T) {
	srv, host := startServer(t)
	srv.Route("/").POST("/echo", func(ctx khttp.Context) error {
		body, _ := io.ReadAll(ctx.Request().Body)
		ctx.Response().Header().Set("X-Echo", "1")
		return ctx.String(200, fmt.Sprintf("%s|%s|%s", ctx.Header().Get("Content-Type"), ctx.Header().Get("User-Agent"), body))
	})
	decodeText := func(_ context.Context, res *http.Response, v any) error {
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		*(v.(*string)) = string(b)
		return err
	}
	c := newClient(t, "http://"+host, khttp.WithUserAgent("ua/1"), khttp.WithResponseDecoder(decodeText))
	var out string
	var hdr http.Header
	err := c.Invoke(context.Background(), "POST", "/echo", map[string]string{"a": "b"}, &out,
		khttp.ContentType("application/x-www-form-urlencoded"), khttp.Header(&hdr))
	if err != nil {
		t.Fatal(err)
	}
	if want := "application/x-www-form-urlencoded|ua/1|a=b"; out != want {
		t.Errorf("server saw %q, want %q", out, want)
	}
	if hdr.Get("X-Echo") != "1" {
		t.Errorf("Header() option: %v, want X-Echo", hdr)
	}

	err = c.Invoke(context.Background(), "POST", "/echo", 1, &out, khttp.ContentType("application/unknown"))
	if err == nil {
		t.Errorf("Invoke() with an unknown content type: error = nil")
	}

	enc := func(context.Context, string, any) ([]byte, error) { return nil, errors.New("enc") }
	ce := newClient(t, host, khttp.WithRequestEncoder(enc))
	if err := ce.Invoke(context.Background(), "POST", "/echo", 1, nil); err == nil || err.Error() != "enc" {
		t.Errorf("Invoke() with a failing encoder: error = %v, want enc", err)
	}

	decErr := func(context.Context, *http.Response) error { return errors.New("always") }
	cd := newClient(t, host, khttp.WithErrorDecoder(decErr))
	if err := cd.Invoke(context.Background(), "POST", "/echo", nil, &out); err == nil || err.Error() != "always" {
		t.Errorf("Invoke() with an error decoder: error = %v, want always", err)
	}
}

func TestClientDo(t *testing.T) {
	_, host := startGenerated(t)
	c := newClient(t, host)
	req, _ := http.NewRequest("GET", "http://"+host+"/helloworld/do", nil)
	res, err := c.Do(req, khttp.Operation("/x"))
	if err != nil {
		t.Fatalf("Do() error = %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "hello do") {
		t.Errorf("Do() body = %q", body)
	}
	req, _ = http.NewRequest("GET", "http://"+host+"/missing", nil)
	var hdr http.Header
	if _, err := c.Do(req, khttp.Header(&hdr)); kerrors.Code(err) != 404 || kerrors.Reason(err) != "NOT_FOUND" {
		t.Errorf("Do(/missing) error = %v, want 404 NOT_FOUND", err)
	}
	if hdr.Get("Content-Type") != "application/json" {
		t.Errorf("Header() on an error response = %v, want the response header", hdr)
	}
}

func TestClientErrors(t *testing.T) {
	srv, host := startServer(t)
	srv.Route("/").GET("/slow", func(ctx khttp.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	srv.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		fmt.Fprint(w, "<html>bad gateway</html>")
	})
	srv.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	c := newClient(t, host)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.Invoke(ctx, "GET", "/slow", nil, nil)
	if kerrors.Code(err) != 504 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke() past the deadline: error = %v, want 504 wrapping DeadlineExceeded", err)
	}

	err = c.Invoke(context.Background(), "GET", "/html", nil, nil)
	var se *kerrors.Error
	if !errors.As(err, &se) || se.Code != 502 || se.Reason != "" {
		t.Errorf("Invoke(/html) error = %v, want a 502 *errors.Error", err)
	}

	var out testpb.HelloReply
	if err := c.Invoke(context.Background(), "GET", "/empty", nil, &out); err != nil {
		t.Errorf("Invoke(/empty) error = %v, want nil for an empty 204", err)
	}

	if err := c.Invoke(context.Background(), "GET", "/bad path", nil, nil); err == nil {
		t.Errorf("Invoke() with a malformed path: error = nil")
	}

	dead := newClient(t, "127.0.0.1:1", khttp.WithTimeout(time.Second))
	if err := dead.Invoke(context.Background(), "GET", "/x", nil, nil); err == nil {
		t.Errorf("Invoke() to a closed port: error = nil")
	}
}
