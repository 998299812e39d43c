package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// kratos runs the CLI in-process in dir and returns its exit status,
// stdout and stderr.
func kratos(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// tree writes files under a new temporary directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// listTree returns the slash-separated paths of the files under dir.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"--nope"}, "unknown flag: --nope"},
		{[]string{"new"}, "needs the project name"},
		{[]string{"new", "a", "b"}, "needs the project name (got 2 arguments)"},
		{[]string{"new", "x", "--frobnicate"}, "unknown flag: --frobnicate"},
		{[]string{"new", "x", "--timeout", "soon"}, "invalid argument"},
		{[]string{"proto", "client"}, "needs a .proto file or a directory"},
		{[]string{"proto", "server"}, "needs one .proto file"},
		{[]string{"proto", "add"}, "needs the path of the .proto file"},
		{[]string{"proto", "nothing"}, `unknown command "nothing"`},
		{[]string{"run", "a", "b"}, "at most one directory"},
		{[]string{"upgrade", "now"}, "takes no arguments"},
		{[]string{"changelog", "v1", "v2"}, "at most one version"},
	}
	for _, tt := range tests {
		code, _, stderr := kratos(t, "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("kratos %q = %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestVersionAndChangelog(t *testing.T) {
	code, out, _ := kratos(t, "", "--version")
	if code != 0 || out != "kratos version "+release+"\n" {
		t.Errorf("kratos --version = %d, %q", code, out)
	}
	code, out, _ = kratos(t, "", "changelog")
	if code != 0 || !strings.Contains(out, "## "+release) {
		t.Errorf("kratos changelog = %d, %q; want the %s section", code, out, release)
	}
	code, out, _ = kratos(t, "", "changelog", strings.TrimPrefix(release, "v"))
	if code != 0 || !strings.HasPrefix(out, "## "+release) {
		t.Errorf("kratos changelog %s = %d, %q", release, code, out)
	}
	code, _, stderr := kratos(t, "", "changelog", "v9.9.9")
	if code != 1 || !strings.Contains(stderr, "no release v9.9.9") {
		t.Errorf("kratos changelog v9.9.9 = %d, %q", code, stderr)
	}
}

func TestUpgradeDryRun(t *testing.T) {
	code, out, stderr := kratos(t, "", "upgrade", "--dry-run")
	if code != 0 {
		t.Fatalf("kratos upgrade --dry-run = %d, %s", code, stderr)
	}
	for _, want := range []string{"install ./kratos", "protoc-gen-go@v", "protoc-gen-go-grpc@" + grpcPluginVersion} {
		if !strings.Contains(out, want) {
			t.Errorf("kratos upgrade --dry-run printed\n%s\nwant %q", out, want)
		}
	}
}

func TestNewBadInput(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"new", "../escape"}, "invalid project path"},
		{[]string{"new", "a b"}, "invalid project name"},
		{[]string{"new", ""}, "empty"},
		{[]string{"new", "MyApp"}, `use lower case ("myapp")`},
		{[]string{"new", "taken"}, "taken already exists"},
		{[]string{"new", "ok", "--module", "bad module"}, "invalid module path"},
		{[]string{"new", "slow", "--timeout", "1ns"}, "took longer than --timeout 1ns"},
		{[]string{"new", "slow", "--module", "example.com/slow", "--timeout", "1ns"}, "took longer than --timeout 1ns"},
	}
	for _, tt := range tests {
		code, _, stderr := kratos(t, dir, tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("kratos %q = %d, stderr %q; want 1 and %q", tt.args, code, stderr, tt.want)
		}
	}
	if got := listTree(t, dir); len(got) != 0 {
		t.Errorf("failed runs left files: %q", got)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("failed runs left entries in %s: %v", dir, es)
	}
}

const module = "module example.com/p\n\ngo 1.26.0\n"

func TestProtoClientBadInput(t *testing.T) {
	tests := []struct {
		name  string
		proto string
		want  []string
	}{
		{"syntax error", "syntax = \"proto3\";\npackage p.v1;\nmessage M {\n  string a = 1\n}\n",
			[]string{"cannot compile:", "api/p/v1/p.proto:5:1: syntax error"}},
		{"missing import", "syntax = \"proto3\";\npackage p.v1;\nimport \"q/v1/q.proto\";\noption go_package = \"example.com/p/api/p/v1;v1\";\n",
			[]string{"api/p/v1/p.proto:3:8: q/v1/q.proto not found"}},
		{"unknown type", "syntax = \"proto3\";\npackage p.v1;\nmessage M {\n  Missing a = 1;\n}\n",
			[]string{"api/p/v1/p.proto:4:3:", "Missing"}},
		{"no go_package", "syntax = \"proto3\";\npackage p.v1;\nmessage M {}\n",
			[]string{"Go import path"}},
		{"bad http path variable", "syntax = \"proto3\";\npackage p.v1;\nimport \"google/api/annotations.proto\";\noption go_package = \"example.com/p/api/p/v1;v1\";\nmessage M { string a = 1; }\nservice S {\n  rpc Get(M) returns (M) { option (google.api.http) = { get: \"/m/{nope}\" }; }\n}\n",
			[]string{"nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, map[string]string{"go.mod": module, "api/p/v1/p.proto": tt.proto})
			code, _, stderr := kratos(t, dir, "proto", "client", "api")
			if code != 1 {
				t.Errorf("exit status %d, want 1; stderr %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr = %q, want %q", stderr, w)
				}
			}
			if got := listTree(t, dir); !slices.Equal(got, []string{"api/p/v1/p.proto", "go.mod"}) {
				t.Errorf("files after a failed run: %q", got)
			}
		})
	}
}

func TestProtoClientMissingInput(t *testing.T) {
	dir := tree(t, map[string]string{"go.mod": module, "empty/README": "x", "x.txt": "x"})
	for _, args := range [][]string{
		{"proto", "client", "nope.proto"},
		{"proto", "client", "empty"},
		{"proto", "client", "x.txt"},
	} {
		code, _, stderr := kratos(t, dir, args...)
		if code != 1 || stderr == "" {
			t.Errorf("kratos %q = %d, %q; want 1 and a message", args, code, stderr)
		}
	}
}

func TestProtoAdd(t *testing.T) {
	dir := tree(t, map[string]string{"go.mod": module})
	code, out, stderr := kratos(t, dir, "proto", "add", "api/shop/v1/order_item.proto", "--http")
	if code != 0 {
		t.Fatalf("proto add = %d, %s", code, stderr)
	}
	if !strings.Contains(out, "shop.v1.OrderItem") {
		t.Errorf("proto add printed %q", out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "api/shop/v1/order_item.proto"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"package shop.v1;",
		`option go_package = "example.com/p/api/shop/v1;v1";`,
		"service OrderItem {",
		"rpc CreateOrderItem(CreateOrderItemRequest) returns (CreateOrderItemReply) {",
		`get: "/v1/order_items/{id}"`,
		`import "google/api/annotations.proto";`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("order_item.proto lacks %q:\n%s", want, data)
		}
	}
	// It compiles and generates.
	if code, _, stderr := kratos(t, dir, "proto", "client", "api"); code != 0 {
		t.Errorf("proto client on the added proto = %d, %s", code, stderr)
	}
	// Never overwritten.
	code, _, stderr = kratos(t, dir, "proto", "add", "api/shop/v1/order_item.proto")
	if code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("proto add over an existing file = %d, %q", code, stderr)
	}
	// Outside any module.
	code, _, stderr = kratos(t, t.TempDir(), "proto", "add", "api/x/v1/x.proto")
	if code != 1 || !strings.Contains(stderr, "inside a Go module") {
		t.Errorf("proto add outside a module = %d, %q", code, stderr)
	}
	code, _, stderr = kratos(t, dir, "proto", "add", "api/x.txt")
	if code != 1 || !strings.Contains(stderr, ".proto") {
		t.Errorf("proto add x.txt = %d, %q", code, stderr)
	}
}

func TestProtoServerNeverOverwrites(t *testing.T) {
	dir := tree(t, map[string]string{"go.mod": module, "internal/service/order.go": "package service\n// mine\n"})
	if code, _, stderr := kratos(t, dir, "proto", "add", "api/shop/v1/order.proto"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := kratos(t, dir, "proto", "server", "api/shop/v1/order.proto", "-t", "internal/service")
	if code != 0 || !strings.Contains(stderr, "internal/service/order.go already exists") || strings.Contains(out, "wrote") {
		t.Errorf("proto server over an existing file = %d, stdout %q, stderr %q", code, out, stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "internal/service/order.go"))
	if string(data) != "package service\n// mine\n" {
		t.Errorf("order.go was changed:\n%s", data)
	}
	code, _, stderr = kratos(t, dir, "proto", "server", "api/shop/v1/none.proto")
	if code != 1 || !strings.Contains(stderr, "none.proto") {
		t.Errorf("proto server of a missing file = %d, %q", code, stderr)
	}
}

func TestRunChoosesMain(t *testing.T) {
	dir := tree(t, map[string]string{
		"go.mod":             module,
		"cmd/a/main.go":      "package main\nfunc main() {}\n",
		"cmd/b/main.go":      "package main\nfunc main() {}\n",
		"cmd/lib/lib.go":     "package lib\n",
		"internal/x/x.go":    "package x\n",
		"single/cmd/c/c.go":  "package main\nfunc main() {}\n",
		"nomain/cmd/d/d.go":  "package d\n",
		"nomain/cmd/e/e.txt": "",
	})
	code, _, stderr := kratos(t, dir, "run")
	if code != 1 || !strings.Contains(stderr, "several commands") || !strings.Contains(stderr, "cmd/a") || !strings.Contains(stderr, "cmd/b") || strings.Contains(stderr, "cmd/lib") {
		t.Errorf("kratos run with two mains, no terminal = %d, %q", code, stderr)
	}
	code, _, stderr = kratos(t, dir, "run", "nomain")
	if code != 1 || !strings.Contains(stderr, "no main package") {
		t.Errorf("kratos run nomain = %d, %q", code, stderr)
	}
	mains, err := findMains(filepath.Join(dir, "single"))
	if err != nil || len(mains) != 1 || filepath.Base(mains[0]) != "c" {
		t.Errorf("findMains(single) = %q, %v", mains, err)
	}
	code, _, stderr = kratos(t, dir, "run", "cmd/a", "-w", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "outside the module") {
		t.Errorf("kratos run -w outside = %d, %q", code, stderr)
	}
}

func TestChooseMainAsks(t *testing.T) {
	mains := []string{"/p/cmd/a", "/p/cmd/b"}
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader("x\n2\n"), stderr: &stderr}
	// A reader that is not a terminal makes chooseMain refuse to ask;
	// askMain is the asking part.
	got, err := askMain(mains, e)
	if err != nil || got != "/p/cmd/b" {
		t.Errorf("askMain() = %q, %v; want /p/cmd/b", got, err)
	}
	e.stdin = strings.NewReader("7\n")
	if _, err := askMain(mains, e); err == nil {
		t.Error("askMain() with no valid answer succeeded")
	}
}

func TestCompatAndMigrateBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"compat", "-o", "/abs"}, "must be relative"},
		{[]string{"migrate", "-C", dir}, "has no go.mod"},
	}
	for _, tt := range tests {
		code, _, stderr := kratos(t, "", tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("kratos %q = %d, stderr %q; want 1 and %q", tt.args, code, stderr, tt.want)
		}
	}
}
