package etcd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/log"
)

// quietLogger keeps config's debug records out of the test output.
var quietLogger = log.NewFilter(log.DefaultLogger, log.FilterLevel(log.LevelInfo))

func TestMain(m *testing.M) {
	log.SetLogger(quietLogger)
	os.Exit(m.Run())
}

// newClient connects to the etcd server started by hack/test.sh.
func newClient(t *testing.T) *clientv3.Client {
	t.Helper()
	addr := os.Getenv("KRATOS_TEST_ETCD")
	if addr == "" {
		t.Skip("KRATOS_TEST_ETCD is not set: run hack/test.sh, or source hack/etcd.sh and start_etcd, to test against a real etcd")
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("connect to etcd at %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// keyspace returns a prefix of keys private to the test, deleted after it.
func keyspace(t *testing.T, client *clientv3.Client) string {
	t.Helper()
	prefix := fmt.Sprintf("/kratos-test/%s/%d/", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = client.Delete(ctx, prefix, clientv3.WithPrefix())
	})
	return prefix
}

func put(t *testing.T, client *clientv3.Client, key, value string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := client.Put(ctx, key, value)
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return resp.Header.Revision
}

func TestNew(t *testing.T) {
	if _, err := New(nil, WithPath("/a")); err == nil {
		t.Error("New(nil client) error = nil, want an error")
	}
	if _, err := New(&clientv3.Client{}); err == nil {
		t.Error("New() without a path: error = nil, want an error")
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ key, want string }{
		{"/app/config.yaml", "yaml"},
		{"/app/config.yml", "yaml"},
		{"/app/config.JSON", "json"},
		{"/app.d/name", ""},
		{"name", ""},
	}
	for _, tt := range tests {
		if got := format(tt.key); got != tt.want {
			t.Errorf("format(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	client := newClient(t)
	ns := keyspace(t, client)
	put(t, client, ns+"app.yaml", "a: 1")
	put(t, client, ns+"db.json", `{"d": 2}`)
	put(t, client, ns+"name", "svc")

	tests := []struct {
		name string
		opts []Option
		want []string
	}{
		{"key", []Option{WithPath(ns + "app.yaml")}, []string{ns + "app.yaml|yaml|a: 1"}},
		{"prefix", []Option{WithPath(ns), WithPrefix(true)}, []string{
			ns + "app.yaml|yaml|a: 1", ns + `db.json|json|{"d": 2}`, ns + "name||svc",
		}},
		{"missing key", []Option{WithPath(ns + "nope.yaml")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New(client, tt.opts...)
			if err != nil {
				t.Fatalf("New() error = %v", err)
			}
			kvs, err := src.Load()
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			var got []string
			for _, kv := range kvs {
				got = append(got, kv.Key+"|"+kv.Format+"|"+string(kv.Value))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load() = %q, want %q", got, tt.want)
			}
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src, err := New(client, WithPath(ns), WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Load(); !errors.Is(err, context.Canceled) {
		t.Errorf("Load() with a cancelled context: error = %v, want context.Canceled", err)
	}
}

type change struct {
	key string
	val any
}

// logRecorder is a log.Logger sending every record to a channel.
type logRecorder chan string

func (r logRecorder) Log(level log.Level, kv ...any) error {
	select {
	case r <- fmt.Sprint(level, kv):
	default:
	}
	return nil
}

func TestConfigWatch(t *testing.T) {
	rec := make(logRecorder, 100)
	log.SetLogger(rec)
	t.Cleanup(func() { log.SetLogger(quietLogger) })

	client := newClient(t)
	ns := keyspace(t, client)
	put(t, client, ns+"app.yaml", "server:\n  addr: ':80'\n  timeout: 1s\n")
	src, err := New(client, WithPath(ns), WithPrefix(true))
	if err != nil {
		t.Fatal(err)
	}
	c := config.New(config.WithSource(src))
	if err := c.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	defer c.Close()
	if got, err := c.Value("server.timeout").Duration(); err != nil || got != time.Second {
		t.Errorf("Value(server.timeout).Duration() = %v, %v, want 1s, nil", got, err)
	}

	changes := make(chan change, 100)
	if err := c.Watch("server.addr", func(key string, v config.Value) { changes <- change{key, v.Load()} }); err != nil {
		t.Fatalf("Watch() error = %v", err)
	}
	wait := func(want change) {
		t.Helper()
		select {
		case got := <-changes:
			if got != want {
				t.Errorf("change = %v, want %v", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no change to %v observed", want)
		}
	}

	put(t, client, ns+"app.yaml", "server:\n  addr: ':8080'\n  timeout: 1s\n")
	wait(change{"server.addr", ":8080"})

	// A key added under the prefix, merged after app.yaml (etcd returns
	// keys in order).
	put(t, client, ns+"override.json", `{"server": {"addr": ":9090"}}`)
	wait(change{"server.addr", ":9090"})

	// Broken YAML is rejected and the last good config kept.
	put(t, client, ns+"app.yaml", "server: [broken\n")
	deadline := time.After(10 * time.Second)
	for logged := false; !logged; {
		select {
		case msg := <-rec:
			logged = strings.Contains(msg, "keeping the previous configuration")
		case <-deadline:
			t.Fatal("the bad update was not logged")
		}
	}
	if got, _ := c.Value("server.timeout").Duration(); got != time.Second {
		t.Errorf("Value(server.timeout).Duration() after a bad update = %v, want 1s", got)
	}
	put(t, client, ns+"override.json", `{"server": {"addr": ":7070"}}`)
	put(t, client, ns+"app.yaml", "server:\n  timeout: 2s\n")
	wait(change{"server.addr", ":7070"})
}

func TestWatcher(t *testing.T) {
	client := newClient(t)
	ns := keyspace(t, client)
	key := ns + "app.json"
	put(t, client, key, `{"v": 0}`)
	src, err := New(client, WithPath(key))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Load(); err != nil {
		t.Fatal(err)
	}
	// A change between Load and Watch is reported by the first Next.
	put(t, client, key, `{"v": 1}`)
	w, err := src.Watch()
	if err != nil {
		t.Fatal(err)
	}
	next := func() <-chan string {
		ch := make(chan string, 1)
		go func() {
			kvs, err := w.Next()
			if err != nil {
				ch <- "error: " + err.Error()
				return
			}
			var vals []string
			for _, kv := range kvs {
				vals = append(vals, string(kv.Value))
			}
			ch <- strings.Join(vals, ",")
		}()
		return ch
	}
	recv := func(ch <-chan string) string {
		t.Helper()
		select {
		case s := <-ch:
			return s
		case <-time.After(10 * time.Second):
			t.Fatal("Next() did not return")
		}
		return ""
	}
	if got, want := recv(next()), `{"v": 1}`; got != want {
		t.Errorf("Next() = %s, want %s", got, want)
	}
	res := next()
	put(t, client, key, `{"v": 2}`)
	if got, want := recv(res), `{"v": 2}`; got != want {
		t.Errorf("Next() = %s, want %s", got, want)
	}

	res = next()
	if err := w.Stop(); err != nil {
		t.Fatalf("Stop() error = %v", err)
	}
	if got := recv(res); got != "error: "+context.Canceled.Error() {
		t.Errorf("Next() after Stop = %s, want context.Canceled", got)
	}
}

func TestWatcherAfterCompaction(t *testing.T) {
	client := newClient(t)
	ns := keyspace(t, client)
	key := ns + "app.yaml"
	put(t, client, key, "v: 0")
	src, err := New(client, WithPath(key))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Load(); err != nil {
		t.Fatal(err)
	}
	put(t, client, key, "v: 1")
	rev := put(t, client, key, "v: 2")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.Compact(ctx, rev); err != nil {
		t.Fatalf("compact: %v", err)
	}
	// The watch starts from the revision of Load, which is compacted away.
	w, err := src.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	done := make(chan []*config.KeyValue, 1)
	go func() {
		kvs, _ := w.Next()
		done <- kvs
	}()
	select {
	case kvs := <-done:
		if len(kvs) != 1 || string(kvs[0].Value) != "v: 2" {
			t.Errorf("Next() after compaction = %v, want the current value v: 2", kvs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next() did not return after compaction")
	}
}
