package repocheck

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const modPath = "github.com/seed6ad8aa6b/kratos"

// allowed lists the modules (or module path prefixes ending in "/") the root
// module may require directly.
var allowed = []string{
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
	"google.golang.org/genproto/googleapis/api",
	"google.golang.org/genproto/googleapis/rpc",
	"go.opentelemetry.io/otel",
	"go.opentelemetry.io/otel/",
	"github.com/golang-jwt/jwt/v5",
	"go.yaml.in/yaml/v3",
	"github.com/fsnotify/fsnotify",
	"golang.org/x/sync",
	// The WebSocket streams of transport/http (issue 14): no dependencies
	// of its own, deadlines on the connection that map one to one onto
	// ServerStream.SetReadDeadline/SetWriteDeadline, no goroutines of its
	// own, and the library Kratos v3 uses. It stays behind
	// transport/http/internal/ws.
	"github.com/gorilla/websocket",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate test file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func isAllowed(mod string) bool {
	for _, a := range allowed {
		if mod == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(mod, a)) {
			return true
		}
	}
	return false
}

func TestAllowlist(t *testing.T) {
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod edit -json: %v\n%s", err, stderrOf(err))
	}
	var mf struct {
		Require []struct {
			Path     string
			Indirect bool
		}
	}
	if err := json.Unmarshal(out, &mf); err != nil {
		t.Fatalf("decode go.mod: %v", err)
	}
	for _, r := range mf.Require {
		if !r.Indirect && !isAllowed(r.Path) {
			t.Errorf("root go.mod requires %s, which is not on the DESIGN.md allowlist", r.Path)
		}
	}
}

func TestIsAllowed(t *testing.T) {
	tests := []struct {
		mod  string
		want bool
	}{
		{"google.golang.org/grpc", true},
		{"go.opentelemetry.io/otel/sdk/metric", true},
		{"go.opentelemetry.io/otelx", false},
		{"github.com/gorilla/mux", false},
		{"google.golang.org/genproto", false},
	}
	for _, tt := range tests {
		if got := isAllowed(tt.mod); got != tt.want {
			t.Errorf("isAllowed(%q) = %v, want %v", tt.mod, got, tt.want)
		}
	}
}

// layers maps package paths (relative to the module, "" for the root) to
// their layer; the longest matching prefix wins. A package may import only
// packages of its own layer or below.
var layers = map[string]int{
	"errors":               0,
	"metadata":             0,
	"encoding":             0,
	"log":                  0,
	"internal":             0,
	"middleware":           1,
	"registry":             1,
	"selector":             1,
	"config":               1,
	"transport":            2,
	"middleware/":          3,
	"transport/":           3,
	"transport/internal":   2, // context keys shared by transport and its implementations
	"api":                  3,
	"internal/repocheck":   0,
	"internal/matcher":     1, // selects middleware.Middleware values
	"internal/testgreeter": 4, // test support: a service over both transports
	"bench":                4, // benchmarks of whole servers
	"":                     4,
}

// layerOf returns the layer of the package at rel (path inside the module).
// Keys ending in "/" match sub-packages only; other keys match the package
// itself and its sub-packages.
func layerOf(rel string) (int, bool) {
	best, layer, found := -1, 0, false
	for k, l := range layers {
		var match bool
		switch {
		case k == "":
			match = rel == ""
		case strings.HasSuffix(k, "/"):
			match = strings.HasPrefix(rel, k)
		default:
			match = rel == k || strings.HasPrefix(rel, k+"/")
		}
		if match && len(k) > best {
			best, layer, found = len(k), l, true
		}
	}
	return layer, found
}

func TestLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderrOf(err))
	}
	rel := func(p string) (string, bool) {
		if p == modPath {
			return "", true
		}
		r, ok := strings.CutPrefix(p, modPath+"/")
		return r, ok
	}
	var violations []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		from, _ := rel(fields[0])
		fl, ok := layerOf(from)
		if !ok {
			violations = append(violations, fields[0]+": not in the layer table of repocheck_test.go")
			continue
		}
		for _, imp := range fields[1:] {
			to, ours := rel(imp)
			if !ours {
				continue
			}
			if tl, ok := layerOf(to); ok && tl > fl {
				violations = append(violations, fields[0]+" (L"+itoa(fl)+") imports "+imp+" (L"+itoa(tl)+")")
			}
		}
	}
	sort.Strings(violations)
	for _, v := range violations {
		t.Error(v)
	}
}

func TestLayerOf(t *testing.T) {
	tests := []struct {
		pkg  string
		want int
	}{
		{"", 4},
		{"errors", 0},
		{"middleware", 1},
		{"middleware/recovery", 3},
		{"transport", 2},
		{"transport/http/binding", 3},
		{"selector/p2c", 1},
		{"internal/httpstatus", 0},
		{"encoding/json", 0},
	}
	for _, tt := range tests {
		if got, _ := layerOf(tt.pkg); got != tt.want {
			t.Errorf("layerOf(%q) = %d, want %d", tt.pkg, got, tt.want)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
