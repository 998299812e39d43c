package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/log"
)

// quietLogger keeps config's debug records out of the test output.
var quietLogger = log.NewFilter(log.DefaultLogger, log.FilterLevel(log.LevelInfo))

func TestMain(m *testing.M) {
	log.SetLogger(quietLogger)
	m.Run()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ name, want string }{
		{"config.yaml", "yaml"},
		{"config.yml", "yaml"},
		{"config.YML", "yaml"},
		{"config.json", "json"},
		{"a.b.xml", "xml"},
		{"noext", ""},
		{"trailingdot.", ""},
	}
	for _, tt := range tests {
		if got := format(tt.name); got != tt.want {
			t.Errorf("format(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"config.yaml", false},
		{"a#b", false},
		{"#", false},
		{".hidden.yaml", true},
		{"..data", true},
		{".#config.yaml", true},
		{"#config.yaml#", true},
		{"config.yaml~", true},
		{".config.yaml.swp", true},
		{"config.yaml.swp", true},
		{"config.yaml.swx", true},
		{"config.yaml.swo", true},
		{"config.yaml.tmp", true},
		{"config.yaml.temp", true},
		{"config.yaml.bak", true},
	}
	for _, tt := range tests {
		if got := ignored(tt.name); got != tt.want {
			t.Errorf("ignored(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func keysOf(kvs []*config.KeyValue) []string {
	var keys []string
	for _, kv := range kvs {
		keys = append(keys, kv.Key+"|"+kv.Format+"|"+string(kv.Value))
	}
	return keys
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), "a: 1")
	write(t, filepath.Join(dir, "b.yml"), "b: 2")
	write(t, filepath.Join(dir, "c.json"), `{"c":3}`)
	write(t, filepath.Join(dir, "name"), "svc")
	for _, skipped := range []string{".hidden.yaml", ".#a.yaml", "a.yaml~", ".a.yaml.swp", "a.yaml.tmp", "#a.yaml#"} {
		write(t, filepath.Join(dir, skipped), "junk: [")
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sub", "d.yaml"), "d: 4")
	write(t, filepath.Join(other, "target.yaml"), "e: 5")
	for link, target := range map[string]string{
		"e.yaml":        filepath.Join(other, "target.yaml"),
		"dangling.yaml": filepath.Join(other, "nope.yaml"),
		"subdir":        filepath.Join(dir, "sub"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		path string
		want []string
	}{
		{dir, []string{"a.yaml|yaml|a: 1", "b.yml|yaml|b: 2", `c.json|json|{"c":3}`, "e.yaml|yaml|e: 5", "name||svc"}},
		{filepath.Join(dir, "b.yml"), []string{"b.yml|yaml|b: 2"}},
		{filepath.Join(dir, "e.yaml"), []string{"e.yaml|yaml|e: 5"}},
		// A file named explicitly is read even if a directory would skip it.
		{filepath.Join(dir, ".hidden.yaml"), []string{".hidden.yaml|yaml|junk: ["}},
	}
	for _, tt := range tests {
		kvs, err := NewSource(tt.path).Load()
		if err != nil {
			t.Errorf("Load(%s) error = %v", tt.path, err)
			continue
		}
		if got := keysOf(kvs); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Load(%s) = %q, want %q", tt.path, got, tt.want)
		}
	}

	if _, err := NewSource(filepath.Join(dir, "missing.yaml")).Load(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want os.ErrNotExist", err)
	}
}

// newTestSource returns a file source with a short debounce.
func newTestSource(path string, debounce time.Duration) *file {
	f := NewSource(path).(*file)
	f.debounce = debounce
	return f
}

type change struct {
	key string
	val any
}

// watchConfig loads a config from the file source and observes keys.
func watchConfig(t *testing.T, src config.Source, keys ...string) (config.Config, <-chan change) {
	t.Helper()
	c := config.New(config.WithSource(src))
	if err := c.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	ch := make(chan change, 100)
	for _, k := range keys {
		if err := c.Watch(k, func(key string, v config.Value) { ch <- change{key, v.Load()} }); err != nil {
			t.Fatalf("Watch(%q) error = %v", k, err)
		}
	}
	return c, ch
}

// waitFor waits for the change of key to want, skipping other changes.
func waitFor(t *testing.T, ch <-chan change, key string, want any) {
	t.Helper()
	waitAll(t, ch, map[string]any{key: want})
}

// waitAll waits until every key has changed to its wanted value, in any
// order, skipping other changes.
func waitAll(t *testing.T, ch <-chan change, want map[string]any) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case c := <-ch:
			if w, ok := want[c.key]; ok && reflect.DeepEqual(c.val, w) {
				delete(want, c.key)
			}
		case <-deadline:
			t.Fatalf("never saw the changes %v", want)
		}
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

func waitLog(t *testing.T, rec logRecorder, substr string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
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

func TestWatchFileEdits(t *testing.T) {
	rec := make(logRecorder, 100)
	log.SetLogger(rec)
	t.Cleanup(func() { log.SetLogger(quietLogger) })

	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	write(t, path, "v: 0\nkeep: k\n")
	c, changes := watchConfig(t, newTestSource(path, 20*time.Millisecond), "v")

	// Written in place.
	write(t, path, "v: 1\nkeep: k\n")
	waitFor(t, changes, "v", 1)

	// An editor's atomic save.
	tmp := filepath.Join(dir, "app.yaml.tmp")
	write(t, tmp, "v: 2\nkeep: k\n")
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, changes, "v", 2)

	// Removed, then created again.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	write(t, path, "v: 3\nkeep: k\n")
	waitFor(t, changes, "v", 3)

	// Unparsable content is logged and the last good config kept.
	write(t, path, "v: [4\n")
	waitLog(t, rec, "keeping the previous configuration")
	if got, err := c.Value("v").Int(); err != nil || got != 3 {
		t.Errorf("Value(v).Int() after a bad write = %d, %v, want 3, nil", got, err)
	}
	write(t, path, "v: 5\nkeep: k\n")
	waitFor(t, changes, "v", 5)
	if got, _ := c.Value("keep").String(); got != "k" {
		t.Errorf("Value(keep).String() = %q, want %q", got, "k")
	}

	// Other files of the directory do not matter.
	write(t, filepath.Join(dir, "other.yaml"), "v: 99")
	write(t, path, "v: 6\nkeep: k\n")
	waitFor(t, changes, "v", 6)
}

// bombYAML is a YAML document of about 6 KB whose strings double at every
// reference, from k0 up to k20 (1 MiB), with 400 values naming k20 and v
// naming it too.
func bombYAML() string {
	var b strings.Builder
	b.WriteString("keep: k\nv: ${k20}\nk0: x\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "k%d: ${k%d}${k%d}\n", i, i-1, i-1)
	}
	for j := range 400 {
		fmt.Fprintf(&b, "r%03d: ${k20}\n", j)
	}
	return b.String()
}

func TestWatchRejectsPlaceholderBomb(t *testing.T) {
	rec := make(logRecorder, 100)
	log.SetLogger(rec)
	t.Cleanup(func() { log.SetLogger(quietLogger) })

	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	write(t, path, "v: 1\nkeep: ${v}-k\n")
	c, changes := watchConfig(t, newTestSource(path, 20*time.Millisecond), "v", "keep")

	bomb := bombYAML()
	if len(bomb) > 8<<10 {
		t.Fatalf("bomb is %d bytes, want a file of a few KB", len(bomb))
	}
	// Saved atomically, so that no half-written file is ever read.
	save := func(content string) {
		t.Helper()
		write(t, path+".tmp", content)
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	save(bomb)
	waitLog(t, rec, "exceed the budget")
	for _, tt := range []struct{ key, want string }{{"v", "1"}, {"keep", "1-k"}} {
		if got, err := c.Value(tt.key).String(); err != nil || got != tt.want {
			t.Errorf("Value(%s).String() after the bomb = %q, %v, want %q, nil", tt.key, got, err, tt.want)
		}
	}
	if _, err := c.Value("r000").String(); !errors.Is(err, config.ErrNotFound) {
		t.Errorf("Value(r000).String() after the bomb: error = %v, want ErrNotFound", err)
	}

	// The watchers still run, and no observer saw the bomb.
	save("v: 2\nkeep: ${v}-k\n")
	want := map[string]any{"v": 2, "keep": "2-k"}
	for range len(want) {
		select {
		case got := <-changes:
			if w, ok := want[got.key]; !ok || !reflect.DeepEqual(got.val, w) {
				t.Errorf("change = %v, want one of %v", got, want)
			}
			delete(want, got.key)
		case <-time.After(10 * time.Second):
			t.Fatalf("never saw the changes %v", want)
		}
	}
}

func TestWatchSymlinkedFile(t *testing.T) {
	dir, real := t.TempDir(), t.TempDir()
	target := filepath.Join(real, "real.yaml")
	write(t, target, "v: 0")
	link := filepath.Join(dir, "app.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, changes := watchConfig(t, newTestSource(link, 20*time.Millisecond), "v")

	// The target is edited where it lives.
	write(t, target, "v: 1")
	waitFor(t, changes, "v", 1)

	// The link is pointed somewhere else.
	target2 := filepath.Join(real, "real2.yaml")
	write(t, target2, "v: 2")
	tmpLink := filepath.Join(dir, ".app.yaml.link")
	if err := os.Symlink(target2, tmpLink); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmpLink, link); err != nil {
		t.Fatal(err)
	}
	waitFor(t, changes, "v", 2)
	write(t, target2, "v: 3")
	waitFor(t, changes, "v", 3)
}

// configMap lays out dir the way the kubelet mounts a ConfigMap:
// dir/..<ts>/<files>, dir/..data -> ..<ts>, dir/<file> -> ..data/<file>.
type configMap struct {
	t   *testing.T
	dir string
	gen int
	cur string
}

func newConfigMap(t *testing.T, files map[string]string) *configMap {
	m := &configMap{t: t, dir: t.TempDir()}
	m.update(files)
	for name := range files {
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(m.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// update writes a new timestamped directory and swaps ..data to it
// atomically, then removes the old directory.
func (m *configMap) update(files map[string]string) {
	m.gen++
	ts := fmt.Sprintf("..2024_01_01_00_00_%02d.%d", m.gen, m.gen)
	if err := os.Mkdir(filepath.Join(m.dir, ts), 0o755); err != nil {
		m.t.Fatal(err)
	}
	for name, content := range files {
		write(m.t, filepath.Join(m.dir, ts, name), content)
	}
	tmp := filepath.Join(m.dir, "..data_tmp")
	if err := os.Symlink(ts, tmp); err != nil {
		m.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(m.dir, "..data")); err != nil {
		m.t.Fatal(err)
	}
	if m.cur != "" {
		if err := os.RemoveAll(filepath.Join(m.dir, m.cur)); err != nil {
			m.t.Fatal(err)
		}
	}
	m.cur = ts
}

func TestWatchConfigMapFile(t *testing.T) {
	m := newConfigMap(t, map[string]string{"app.yaml": "v: 0", "db.yaml": "d: 0"})
	_, changes := watchConfig(t, newTestSource(filepath.Join(m.dir, "app.yaml"), 20*time.Millisecond), "v")
	for i := 1; i <= 3; i++ {
		m.update(map[string]string{"app.yaml": fmt.Sprintf("v: %d", i), "db.yaml": "d: 0"})
		waitFor(t, changes, "v", i)
	}
}

func TestWatchConfigMapDir(t *testing.T) {
	m := newConfigMap(t, map[string]string{"app.yaml": "v: 0", "db.json": `{"d": 0}`})
	c, changes := watchConfig(t, newTestSource(m.dir, 20*time.Millisecond), "v", "d")
	if got, err := c.Value("d").Int(); err != nil || got != 0 {
		t.Fatalf("Value(d).Int() = %d, %v, want 0, nil", got, err)
	}
	m.update(map[string]string{"app.yaml": "v: 1", "db.json": `{"d": 1}`})
	waitAll(t, changes, map[string]any{"v": 1, "d": 1.0})
	m.update(map[string]string{"app.yaml": "v: 2", "db.json": `{"d": 1}`})
	waitFor(t, changes, "v", 2)
}

func TestWatchDir(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), "a: 0")
	_, changes := watchConfig(t, newTestSource(dir, 20*time.Millisecond), "a")

	// An atomic save through a hidden temporary file.
	tmp := filepath.Join(dir, ".a.yaml.swp")
	write(t, tmp, "a: 1")
	if err := os.Rename(tmp, filepath.Join(dir, "a.yaml")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, changes, "a", 1)
}

// nextResult runs w.Next on a goroutine.
func nextResult(w config.Watcher) <-chan []*config.KeyValue {
	ch := make(chan []*config.KeyValue, 1)
	go func() {
		for {
			kvs, err := w.Next()
			if errors.Is(err, context.Canceled) {
				close(ch)
				return
			}
			if err == nil {
				ch <- kvs
				return
			}
		}
	}()
	return ch
}

func receive(t *testing.T, ch <-chan []*config.KeyValue) []string {
	t.Helper()
	select {
	case kvs := <-ch:
		return keysOf(kvs)
	case <-time.After(10 * time.Second):
		t.Fatal("Next() did not return")
	}
	return nil
}

func startWatcher(t *testing.T, f *file) config.Watcher {
	t.Helper()
	if _, err := f.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	w, err := f.Watch()
	if err != nil {
		t.Fatalf("Watch() error = %v", err)
	}
	t.Cleanup(func() { _ = w.Stop() })
	return w
}

func TestWatcherReportsChangedFilesOnly(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), "a: 0")
	write(t, filepath.Join(dir, "b.yaml"), "b: 0")
	w := startWatcher(t, newTestSource(dir, 20*time.Millisecond))

	res := nextResult(w)
	write(t, filepath.Join(dir, ".c.yaml.swp"), "junk")
	write(t, filepath.Join(dir, "c.yaml"), "c: 0")
	if got, want := receive(t, res), []string{"c.yaml|yaml|c: 0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Next() = %q, want %q", got, want)
	}

	res = nextResult(w)
	write(t, filepath.Join(dir, "b.yaml"), "b: 1")
	if got, want := receive(t, res), []string{"b.yaml|yaml|b: 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Next() = %q, want %q", got, want)
	}
}

func TestWatcherDebouncesAndSkipsTruncation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	write(t, path, "a: 0")
	w := startWatcher(t, newTestSource(path, 200*time.Millisecond))

	// One save in several writes, starting with a truncation: Next
	// returns the final content, normally at once (the writes are well
	// within the debounce interval) and never the empty file.
	res := nextResult(w)
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	const final = "a: 1\nb: 2\nc: 3\n"
	for _, part := range []string{"a: 1\n", "b: 2\n", "c: 3\n"} {
		if _, err := fh.WriteString(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	for {
		got := receive(t, res)
		if len(got) != 1 {
			t.Fatalf("Next() = %q, want one entry", got)
		}
		content := strings.TrimPrefix(got[0], "app.yaml|yaml|")
		if content == final {
			break
		}
		// Only a machine too loaded to write three lines within the
		// debounce interval sees a partial file; never an empty one.
		if content == "" || !strings.HasPrefix(final, content) {
			t.Fatalf("Next() = %q, want the content %q or a part of it", got, final)
		}
		t.Logf("Next() returned a partial write %q", content)
		res = nextResult(w)
	}

	// A file left empty is not reported; the next real content is.
	res = nextResult(w)
	write(t, path, "")
	write(t, path+".tmp", "a: 4")
	write(t, path, "a: 4")
	if got, want := receive(t, res), []string{"app.yaml|yaml|a: 4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Next() = %q, want %q", got, want)
	}
}

func TestWatcherStop(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	write(t, path, "a: 0")
	f := newTestSource(path, time.Hour)
	w := startWatcher(t, f)
	done := make(chan error, 1)
	go func() {
		_, err := w.Next()
		done <- err
	}()
	if err := w.Stop(); err != nil {
		t.Fatalf("Stop() error = %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Next() after Stop error = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next() did not return after Stop")
	}
	if _, err := w.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next() after Stop error = %v, want context.Canceled", err)
	}
}

func TestWatchMissingPath(t *testing.T) {
	if _, err := NewSource(filepath.Join(t.TempDir(), "nope")).Watch(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Watch() of a missing path error = %v, want os.ErrNotExist", err)
	}
}

func TestWatchCatchesChangeBeforeWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	write(t, path, "a: 0")
	f := newTestSource(path, time.Hour)
	if _, err := f.Load(); err != nil {
		t.Fatal(err)
	}
	write(t, path, "a: 1") // between Load and Watch
	w, err := f.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if got, want := receive(t, nextResult(w)), []string{"app.yaml|yaml|a: 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Next() = %q, want %q", got, want)
	}
}
