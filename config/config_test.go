package config

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/seed6ad8aa6b/kratos/config/internal/conftest"
	"github.com/seed6ad8aa6b/kratos/log"
)

// memSource is an in-memory Source; send pushes an update to its watcher.
type memSource struct {
	kvs     []*KeyValue
	loadErr error

	mu       sync.Mutex
	updates  chan update
	watchers []*memWatcher
}

type update struct {
	kvs []*KeyValue
	err error
}

func newMemSource(kvs ...*KeyValue) *memSource {
	return &memSource{kvs: kvs, updates: make(chan update)}
}

func (s *memSource) Load() ([]*KeyValue, error) { return s.kvs, s.loadErr }

func (s *memSource) Watch() (Watcher, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &memWatcher{updates: s.updates, done: make(chan struct{})}
	s.watchers = append(s.watchers, w)
	return w, nil
}

// send delivers an update to the watcher, failing the test after a deadline.
func (s *memSource) send(t *testing.T, kvs []*KeyValue, err error) {
	t.Helper()
	select {
	case s.updates <- update{kvs, err}:
	case <-time.After(5 * time.Second):
		t.Fatal("watcher did not ask for the next update")
	}
}

type memWatcher struct {
	updates chan update
	done    chan struct{}
	once    sync.Once
}

func (w *memWatcher) Next() ([]*KeyValue, error) {
	select {
	case u := <-w.updates:
		return u.kvs, u.err
	case <-w.done:
		return nil, context.Canceled
	}
}

func (w *memWatcher) Stop() error {
	w.once.Do(func() { close(w.done) })
	return nil
}

func kvYAML(key, doc string) *KeyValue {
	return &KeyValue{Key: key, Value: []byte(doc), Format: "yaml"}
}

func mustLoad(t *testing.T, opts ...Option) Config {
	t.Helper()
	c := New(opts...)
	if err := c.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	return c
}

func TestDecodeFormats(t *testing.T) {
	tests := []struct {
		name string
		kv   *KeyValue
		path string
		want any
	}{
		{"json", &KeyValue{Key: "a.json", Value: []byte(`{"s":{"port":80}}`), Format: "json"}, "s.port", float64(80)},
		{"yaml", kvYAML("a.yaml", "s:\n  port: 80\n"), "s.port", 80},
		{"yml", &KeyValue{Key: "a.yml", Value: []byte("s: {port: 81}"), Format: "yml"}, "s.port", 81},
		{"upper case format", &KeyValue{Key: "a", Value: []byte("s: {port: 82}"), Format: "YAML"}, "s.port", 82},
		{"yaml non-string keys", kvYAML("a", "1: one\ntrue: yes\n"), "1", "one"},
		{"xml", &KeyValue{Key: "a.xml", Value: []byte(`<c><s port="80"><name>n</name></s><l>1</l><l>2</l></c>`), Format: "xml"}, "s.port", "80"},
		{"xml list", &KeyValue{Key: "a.xml", Value: []byte(`<c><l>1</l><l>2</l></c>`), Format: "xml"}, "l", []any{"1", "2"}},
		{"no format nests on dots", &KeyValue{Key: "s.http.addr", Value: []byte(":80")}, "s.http.addr", ":80"},
		{"no format", &KeyValue{Key: "name", Value: []byte("svc")}, "name", "svc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, WithSource(newMemSource(tt.kv)))
			if got := c.Value(tt.path).Load(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Value(%q).Load() = %#v, want %#v", tt.path, got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	failing := newMemSource()
	failing.loadErr = errors.New("boom")
	tests := []struct {
		name    string
		src     Source
		wantErr string
	}{
		{"source error", failing, "boom"},
		{"malformed yaml", newMemSource(kvYAML("bad.yaml", "a: [1, 2\n")), `decode "bad.yaml"`},
		{"yaml not a map", newMemSource(kvYAML("list.yaml", "- a\n- b\n")), `decode "list.yaml"`},
		{"malformed json", newMemSource(&KeyValue{Key: "bad.json", Value: []byte(`{"a":`), Format: "json"}), `decode "bad.json"`},
		{"malformed xml", newMemSource(&KeyValue{Key: "bad.xml", Value: []byte(`<a><b></a>`), Format: "xml"}), `decode "bad.xml"`},
		{"unknown format", newMemSource(&KeyValue{Key: "x.conf", Value: []byte(`a=1`), Format: "conf"}), `no codec for format "conf"`},
		{"proto without schema", newMemSource(&KeyValue{Key: "x.pb", Value: []byte{8, 1}, Format: "proto"}), `decode "x.pb"`},
		{"placeholder cycle", newMemSource(kvYAML("c.yaml", "a: ${b}\nb: ${a}\n")), "refers to itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(WithSource(tt.src))
			defer c.Close()
			err := c.Load()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load() error = %v, want one containing %q", err, tt.wantErr)
			}
			if _, err := c.Value("a").String(); !errors.Is(err, ErrNotFound) {
				t.Errorf("Value(a) after a failed Load: error = %v, want ErrNotFound", err)
			}
		})
	}
}

// bombYAML is a YAML document of about 6 KB whose strings double at every
// reference, from k0 up to k<levels>, with refs values naming the last.
func bombYAML(levels, refs int) string {
	var b strings.Builder
	b.WriteString("good: 1\nk0: x\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "k%d: ${k%d}${k%d}\n", i, i-1, i-1)
	}
	for j := range refs {
		fmt.Fprintf(&b, "r%03d: ${k%d}\n", j, levels)
	}
	return b.String()
}

func TestLoadExpansionBudget(t *testing.T) {
	const small = "a: abc\nb: ${a}${a}\n" // b costs 6 bytes
	noop := func(map[string]any) error { return nil }
	tests := []struct {
		name    string
		doc     string
		opts    []Option
		wantErr string
		key     string // with no error: a key and its value
		want    any
	}{
		{name: "bomb", doc: bombYAML(20, 400), wantErr: `config: resolve "r014": placeholder expansions exceed the budget of 16777216 bytes per resolve`},
		{name: "normal placeholders", doc: bootstrapYAML, key: "server.grpc.addr", want: "0.0.0.0:9000"},
		{name: "fits a small budget", doc: small, opts: []Option{WithExpansionBudget(6)}, key: "b", want: "abcabc"},
		{name: "over a small budget", doc: small, opts: []Option{WithExpansionBudget(5)}, wantErr: "exceed the budget of 5 bytes"},
		{name: "budget then types", doc: small, opts: []Option{WithExpansionBudget(5), WithResolveActualTypes(true)}, wantErr: "exceed the budget of 5 bytes"},
		{name: "types then budget", doc: small, opts: []Option{WithResolveActualTypes(true), WithExpansionBudget(5)}, wantErr: "exceed the budget of 5 bytes"},
		{name: "budget removed", doc: bombYAML(20, 20), opts: []Option{WithExpansionBudget(0)}, key: "r019", want: strings.Repeat("x", 1<<20)},
		{name: "custom resolver", doc: small, opts: []Option{WithExpansionBudget(1), WithResolver(noop)}, key: "b", want: "${a}${a}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(append([]Option{WithSource(newMemSource(kvYAML("app.yaml", tt.doc)))}, tt.opts...)...)
			defer c.Close()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			err := c.Load()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load() error = %v, want one containing %q", err, tt.wantErr)
				}
				if !errors.Is(err, errBudget) {
					t.Errorf("Load() error = %v, want errBudget", err)
				}
				// Without the budget the bomb allocated about 400 MiB.
				if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*defaultExpansionBudget); got > limit {
					t.Errorf("Load() allocated %d bytes, want at most %d", got, limit)
				}
				if _, err := c.Value("good").Int(); !errors.Is(err, ErrNotFound) {
					t.Errorf("Value(good) after a rejected Load: error = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v, want nil", err)
			}
			if got := c.Value(tt.key).Load(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Value(%q).Load() = %.40q, want %.40q", tt.key, got, tt.want)
			}
		})
	}
}

func TestMergeOrder(t *testing.T) {
	first := newMemSource(
		kvYAML("base.yaml", "server:\n  http: {addr: ':80', timeout: 1s}\n  grpc: {addr: ':90'}\ndebug: true\nlist: [a, b]\nname: base\n"),
		kvYAML("more.yaml", "name: more\nonly_first: 1\n"),
	)
	second := newMemSource(
		kvYAML("override.yaml", "server:\n  http: {addr: ':8080'}\ndebug: false\nlist: [c]\n"),
		&KeyValue{Key: "server.grpc.timeout", Value: []byte("2s")},
	)
	c := mustLoad(t, WithSource(first, second))
	tests := []struct {
		path string
		want any
	}{
		{"server.http.addr", ":8080"}, // later source wins
		{"server.http.timeout", "1s"}, // merged, not replaced
		{"server.grpc.addr", ":90"},   // untouched
		{"server.grpc.timeout", "2s"}, // added by a key without format
		{"debug", false},              // zero values override too
		{"list", []any{"c"}},          // lists are replaced
		{"name", "more"},              // later entry of one source wins
		{"only_first", 1},             // kept
		{"server.http", map[string]any{"addr": ":8080", "timeout": "1s"}},
	}
	for _, tt := range tests {
		if got := c.Value(tt.path).Load(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Value(%q).Load() = %#v, want %#v", tt.path, got, tt.want)
		}
	}
	if _, err := c.Value("server.missing").String(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Value(server.missing).String() error = %v, want ErrNotFound", err)
	}
	if _, err := c.Value("debug.deeper").String(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Value(debug.deeper).String() error = %v, want ErrNotFound", err)
	}
}

func TestValueIsCached(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("a.yaml", "a: 1"))))
	if v1, v2 := c.Value("a"), c.Value("a"); v1 != v2 {
		t.Errorf("Value(a) returned %p then %p, want the same cached Value", v1, v2)
	}
}

func TestPlaceholdersAcrossSources(t *testing.T) {
	app := newMemSource(kvYAML("app.yaml", "addr: ${HOST:localhost}:${PORT}\nport: ${PORT:80}\nname: ${APP_NAME:svc}\n"))
	env := newMemSource(&KeyValue{Key: "PORT", Value: []byte("9000")}, &KeyValue{Key: "HOST", Value: []byte("0.0.0.0")})
	c := mustLoad(t, WithSource(app, env), WithResolveActualTypes(true))
	tests := []struct {
		path string
		want any
	}{
		{"addr", "0.0.0.0:9000"},
		{"port", int64(9000)},
		{"name", "svc"},
	}
	for _, tt := range tests {
		if got := c.Value(tt.path).Load(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Value(%q).Load() = %#v, want %#v", tt.path, got, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	var decoded, merged, resolved int
	c := mustLoad(t,
		WithSource(newMemSource(&KeyValue{Key: "k", Value: []byte("v")})),
		WithDecoder(func(kv *KeyValue, m map[string]any) error {
			decoded++
			m[strings.ToUpper(kv.Key)] = string(kv.Value) + "!"
			return nil
		}),
		WithMergeFunc(func(dst, src any) error {
			merged++
			return defaultMerge(dst, src)
		}),
		WithResolveActualTypes(true), // replaced by the WithResolver below
		WithResolver(func(m map[string]any) error {
			resolved++
			m["extra"] = 1
			return nil
		}),
	)
	if got, err := c.Value("K").String(); err != nil || got != "v!" {
		t.Errorf(`Value(K).String() = %q, %v, want "v!", nil`, got, err)
	}
	if got, err := c.Value("extra").Int(); err != nil || got != 1 {
		t.Errorf("Value(extra).Int() = %v, %v, want 1, nil", got, err)
	}
	if decoded != 1 || merged != 1 || resolved != 1 {
		t.Errorf("decoder, merge, resolver called %d, %d, %d times, want 1 each", decoded, merged, resolved)
	}
}

const bootstrapYAML = `
server:
  http:
    network: tcp
    addr: 0.0.0.0:8000
    timeout: 1.5s
  grpc:
    addr: ${GRPC_ADDR:0.0.0.0:9000}
    timeout: 1s
    max_conns: 100
data:
  database:
    driver: mysql
    source: root@tcp(127.0.0.1:3306)/test
  tags: [a, b]
  debug: true
  limits: {rps: 10}
  unknown_field: ignored
`

func TestScanProto(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("config.yaml", bootstrapYAML))))
	var got conftest.Bootstrap
	if err := c.Scan(&got); err != nil {
		t.Fatalf("Scan() error = %v", err)
	}
	want := &conftest.Bootstrap{
		Server: &conftest.Server{
			Http: &conftest.Server_HTTP{Network: "tcp", Addr: "0.0.0.0:8000", Timeout: durationpb.New(1500 * time.Millisecond)},
			Grpc: &conftest.Server_GRPC{Addr: "0.0.0.0:9000", Timeout: durationpb.New(time.Second), MaxConns: 100},
		},
		Data: &conftest.Data{
			Database: &conftest.Data_Database{Driver: "mysql", Source: "root@tcp(127.0.0.1:3306)/test"},
			Tags:     []string{"a", "b"},
			Debug:    true,
			Limits:   map[string]int64{"rps": 10},
		},
	}
	if !proto.Equal(&got, want) {
		t.Errorf("Scan() = %v, want %v", &got, want)
	}

	var http conftest.Server_HTTP
	if err := c.Value("server.http").Scan(&http); err != nil {
		t.Fatalf("Value(server.http).Scan() error = %v", err)
	}
	if got, want := http.GetTimeout().AsDuration(), 1500*time.Millisecond; got != want {
		t.Errorf("Value(server.http).Scan() timeout = %v, want %v", got, want)
	}
	if got, err := c.Value("server.http.timeout").Duration(); err != nil || got != 1500*time.Millisecond {
		t.Errorf("Value(server.http.timeout).Duration() = %v, %v, want 1.5s, nil", got, err)
	}
}

func TestScanStruct(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("config.yaml", bootstrapYAML))))
	var got struct {
		Server struct {
			GRPC struct {
				Addr     string `json:"addr"`
				MaxConns int    `json:"max_conns"`
			} `json:"grpc"`
		} `json:"server"`
		Data struct {
			Tags  []string `json:"tags"`
			Debug bool     `json:"debug"`
		} `json:"data"`
	}
	if err := c.Scan(&got); err != nil {
		t.Fatalf("Scan() error = %v", err)
	}
	if got.Server.GRPC.Addr != "0.0.0.0:9000" || got.Server.GRPC.MaxConns != 100 ||
		!reflect.DeepEqual(got.Data.Tags, []string{"a", "b"}) || !got.Data.Debug {
		t.Errorf("Scan() = %+v, want the values of the YAML", got)
	}
}

func TestScanTypeMismatch(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("config.yaml", "server:\n  grpc:\n    max_conns: many\n"))))
	var s struct {
		Server struct {
			GRPC struct {
				MaxConns int `json:"max_conns"`
			} `json:"grpc"`
		} `json:"server"`
	}
	if err := c.Scan(&s); err == nil || !strings.Contains(err.Error(), "config: scan") {
		t.Errorf("Scan() into a struct error = %v, want a scan error", err)
	}
	var b conftest.Bootstrap
	if err := c.Scan(&b); err == nil || !strings.Contains(err.Error(), "config: scan") {
		t.Errorf("Scan() into a proto error = %v, want a scan error", err)
	}
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

func recordLogs(t *testing.T) logRecorder {
	rec := make(logRecorder, 100)
	log.SetLogger(rec)
	t.Cleanup(func() { log.SetLogger(quietLogger) })
	return rec
}

func waitLog(t *testing.T, rec logRecorder, substr string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case msg := <-rec:
			if strings.Contains(msg, substr) {
				return
			}
		case <-deadline:
			t.Fatalf("no log record containing %q", substr)
		}
	}
}

type change struct {
	key string
	val any
}

// observe watches keys and returns the channel their changes arrive on.
func observe(t *testing.T, c Config, keys ...string) <-chan change {
	t.Helper()
	ch := make(chan change, 100)
	for _, k := range keys {
		if err := c.Watch(k, func(key string, v Value) { ch <- change{key, v.Load()} }); err != nil {
			t.Fatalf("Watch(%q) error = %v", k, err)
		}
	}
	return ch
}

func next(t *testing.T, ch <-chan change) change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no change observed")
	}
	return change{}
}

func TestWatch(t *testing.T) {
	rec := recordLogs(t)
	src := newMemSource(
		kvYAML("a.yaml", "a: 1\nsame: s\nref: ${a}\ngone: g\n"),
		kvYAML("b.yaml", "b: 1\n"),
	)
	later := newMemSource(kvYAML("c.yaml", "b: 2\n"))
	c := mustLoad(t, WithSource(src, later))
	changes := observe(t, c, "a", "same", "ref", "gone", "b")

	// A change of a.yaml: a changes, and so does ref through its
	// placeholder; same does not; gone disappears; b (overridden by the
	// later source) must not flip to b.yaml's value.
	src.send(t, []*KeyValue{kvYAML("a.yaml", "a: 2\nsame: s\nref: ${a}\n")}, nil)
	got := []change{next(t, changes), next(t, changes), next(t, changes)}
	want := []change{{"a", 2}, {"gone", nil}, {"ref", "2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if _, err := c.Value("gone").String(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Value(gone).String() after removal: error = %v, want ErrNotFound", err)
	}
	if got, _ := c.Value("b").Int(); got != 2 {
		t.Errorf("Value(b).Int() = %d, want 2 (the later source still wins)", got)
	}

	// Bad updates are logged and dropped.
	src.send(t, []*KeyValue{kvYAML("a.yaml", "a: [unclosed\n")}, nil)
	waitLog(t, rec, `decode "a.yaml"`)
	src.send(t, []*KeyValue{kvYAML("a.yaml", "a: ${a}\n")}, nil)
	waitLog(t, rec, "refers to itself")
	src.send(t, nil, errors.New("source unavailable"))
	waitLog(t, rec, "source unavailable")
	if got, _ := c.Value("a").Int(); got != 2 {
		t.Errorf("Value(a).Int() after bad updates = %d, want 2 (last good)", got)
	}

	// A good update after the bad ones; b.yaml is not replaced by it, and
	// gone comes back.
	src.send(t, []*KeyValue{kvYAML("a.yaml", "a: 3\nsame: s\nref: x\ngone: back\n")}, nil)
	got = []change{next(t, changes), next(t, changes), next(t, changes)}
	want = []change{{"a", 3}, {"gone", "back"}, {"ref", "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}

	// The later source changes b.
	later.send(t, []*KeyValue{kvYAML("c.yaml", "b: 4\n")}, nil)
	if got, want := next(t, changes), (change{"b", 4}); !reflect.DeepEqual(got, want) {
		t.Errorf("change = %v, want %v", got, want)
	}
	select {
	case c := <-changes:
		t.Errorf("unexpected change %v", c)
	default:
	}
}

func TestWatchMissingKey(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("a.yaml", "a: 1"))))
	if err := c.Watch("nope", func(string, Value) {}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Watch(nope) error = %v, want ErrNotFound", err)
	}
}

func TestCloseStopsWatchers(t *testing.T) {
	src1, src2 := newMemSource(kvYAML("a.yaml", "a: 1")), newMemSource()
	c := New(WithSource(src1, src2))
	if err := c.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	for _, src := range []*memSource{src1, src2} {
		for _, w := range src.watchers {
			select {
			case <-w.done:
			default:
				t.Errorf("watcher of %v not stopped", src.kvs)
			}
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() error = %v", err)
	}
	// The configuration stays readable.
	if got, _ := c.Value("a").Int(); got != 1 {
		t.Errorf("Value(a).Int() after Close = %d, want 1", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	src := newMemSource(kvYAML("a.yaml", "a: 0\nb: x\n"))
	c := mustLoad(t, WithSource(src))
	changes := observe(t, c, "a")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c.Value("a").Load()
				c.Value("b").Load()
				var m map[string]any
				_ = c.Scan(&m)
			}
		})
	}
	for i := 1; i <= 20; i++ {
		src.send(t, []*KeyValue{kvYAML("a.yaml", fmt.Sprintf("a: %d\nb: x\n", i))}, nil)
		if got := next(t, changes); got.val != i {
			t.Errorf("change %d = %v, want a = %d", i, got, i)
		}
	}
	close(stop)
	wg.Wait()
}

// quietLogger keeps the loader's debug records out of the test output.
var quietLogger = log.NewFilter(log.DefaultLogger, log.FilterLevel(log.LevelInfo))

func TestMain(m *testing.M) {
	log.SetLogger(quietLogger)
	m.Run()
}

func TestReader(t *testing.T) {
	opts := defaultOptions()
	r := newReader(&opts)
	if err := r.Merge(kvYAML("a.yaml", "a: ${b}\nb: 1\nlist: [{x: 1}, {x: 2}]\n")); err != nil {
		t.Fatalf("Merge() error = %v", err)
	}
	if v, ok := r.Value("a"); !ok || v.Load() != "${b}" {
		t.Errorf("Value(a) before Resolve = %v, %v, want ${b}, true", v.Load(), ok)
	}
	if err := r.Resolve(); err != nil {
		t.Fatalf("Resolve() error = %v", err)
	}
	if v, ok := r.Value("a"); !ok || v.Load() != "1" {
		t.Errorf("Value(a) = %v, %v, want 1, true", v.Load(), ok)
	}
	if v, ok := r.Value("list.1.x"); !ok || v.Load() != 2 {
		t.Errorf("Value(list.1.x) = %v, %v, want 2, true", v.Load(), ok)
	}
	for _, path := range []string{"list.2.x", "list.-1", "list.x", "a.b", "nope"} {
		if _, ok := r.Value(path); ok {
			t.Errorf("Value(%q) found, want not found", path)
		}
	}

	// Failed merges and resolutions leave the tree alone.
	if err := r.Merge(kvYAML("a.yaml", "b: 2"), kvYAML("bad.yaml", "[")); err == nil {
		t.Fatal("Merge() of bad YAML: error = nil, want an error")
	}
	if err := r.Merge(kvYAML("c.yaml", "c: ${c}")); err != nil {
		t.Fatalf("Merge() error = %v", err)
	}
	if err := r.Resolve(); !errors.Is(err, errCycle) {
		t.Fatalf("Resolve() error = %v, want a cycle", err)
	}
	data, err := r.Source()
	if err != nil {
		t.Fatalf("Source() error = %v", err)
	}
	// Served as merged: the failed Resolve did not replace the tree.
	if got, want := string(data), `{"a":"${b}","b":1,"c":"${c}","list":[{"x":1},{"x":2}]}`; got != want {
		t.Errorf("Source() = %s, want %s", got, want)
	}
}

func TestValueBeforeLoadAndReload(t *testing.T) {
	src := newMemSource(kvYAML("a.yaml", "a: 1"))
	c := New(WithSource(src))
	defer c.Close()
	if _, err := c.Value("a").Int(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Value(a) before Load: error = %v, want ErrNotFound", err)
	}
	var m map[string]any
	if err := c.Scan(&m); err != nil || len(m) != 0 {
		t.Errorf("Scan() before Load = %v, %v, want an empty map, nil", m, err)
	}
	for range 2 {
		if err := c.Load(); err != nil {
			t.Fatalf("Load() error = %v", err)
		}
	}
	if got, want := len(src.watchers), 1; got != want {
		t.Errorf("watchers after two Loads = %d, want %d", got, want)
	}
	changes := observe(t, c, "a")
	src.kvs = []*KeyValue{kvYAML("a.yaml", "a: 2")}
	if err := c.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if got, want := next(t, changes), (change{"a", 2}); !reflect.DeepEqual(got, want) {
		t.Errorf("change after a reload = %v, want %v", got, want)
	}
}
