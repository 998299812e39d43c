package migrate

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/compat"
)

// newProject writes a Kratos v2 project that already runs on the compat
// module (requiring our module, replaced by this repository), plus the
// files named in extra, and returns its directory.
func newProject(t *testing.T, extra map[string]string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a project")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not in PATH")
	}
	repo, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../compat/testdata/app/main.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.26\n\nrequire (\n\tgithub.com/go-kratos/kratos/v2 v2.9.2\n\t" +
			compat.Ours + " v0.0.0-00010101000000-000000000000\n)\n\nreplace " + compat.Ours + " => " + repo + "\n",
		"go.sum":  string(sum),
		"main.go": string(src),
		"api/greeter.proto": `syntax = "proto3";
package api;
option go_package = "github.com/go-kratos/kratos/v2/api/greeter;greeter";
`,
		"api/other.proto": `syntax = "proto3";
package other;
option go_package = "example.com/app/api/other;other";
`,
	}
	for name, data := range extra {
		files[name] = data
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	if _, err := compat.Generate(context.Background(), dir, compat.Options{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func goRun(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.Bytes())
	}
	return string(out)
}

func TestMigrateDropsCompatWhenNothingNeedsIt(t *testing.T) {
	dir := newProject(t, nil)
	ctx := context.Background()
	mainBefore, _ := os.ReadFile(filepath.Join(dir, "main.go"))

	res, err := Plan(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	diff := res.Diff()
	for _, want := range []string{
		"--- a/main.go\n+++ b/main.go\n",
		"-\t\"github.com/go-kratos/kratos/v2/transport/http\"\n",
		"+\t\"" + compat.Ours + "/transport/http\"\n",
		`+option go_package = "` + compat.Ours + `/api/greeter;greeter";`,
		"-\tgithub.com/go-kratos/kratos/v2 v2.9.2\n",
		"-replace github.com/go-kratos/kratos/v2 => ./third_party/kratos\n",
		"# remove third_party/kratos",
	} {
		if !strings.Contains(diff, want) {
			t.Errorf("Diff() =\n%s\nwant it to contain %q", diff, want)
		}
	}
	if strings.Contains(diff, "other.proto") {
		t.Errorf("Diff() =\n%s\nwant api/other.proto (not naming Kratos) unchanged", diff)
	}
	// A dry run writes nothing.
	if mainAfter, _ := os.ReadFile(filepath.Join(dir, "main.go")); !bytes.Equal(mainAfter, mainBefore) {
		t.Error("Plan() changed main.go")
	}

	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "third_party", "kratos")); !os.IsNotExist(err) {
		t.Errorf("compat module after Write(): stat error %v, want it removed", err)
	}
	if out := goRun(t, dir); !strings.Contains(out, "INFO msg=hello") || !strings.Contains(out, `"reason":"USER_NOT_FOUND"`) {
		t.Errorf("go run after migrating =\n%s", out)
	}
	// Migrating again changes nothing.
	again, err := Plan(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := again.Diff(); d != "" {
		t.Errorf("second Plan().Diff() =\n%s\nwant empty", d)
	}
}

func TestMigrateKeepsCompatForADependency(t *testing.T) {
	dir := newProject(t, map[string]string{
		// A third-party module written for Kratos, as go-kratos/contrib modules are.
		"dep/go.mod": "module example.com/dep\n\ngo 1.26\n\nrequire github.com/go-kratos/kratos/v2 v2.9.2\n",
		"dep/dep.go": "package dep\n\nimport \"github.com/go-kratos/kratos/v2/log\"\n\nfunc Hello(l log.Logger) { log.NewHelper(l).Info(\"from dep\") }\n",
		"use.go":     "package main\n\nimport (\n\t\"os\"\n\n\t\"example.com/dep\"\n\t\"github.com/go-kratos/kratos/v2/log\"\n)\n\nfunc init() { dep.Hello(log.NewStdLogger(os.Stdout)) }\n",
	})
	gomod := filepath.Join(dir, "go.mod")
	data, _ := os.ReadFile(gomod)
	data = append(data, "\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ./dep\n"...)
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		t.Fatal(err)
	}

	res, err := Plan(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"example.com/dep"}; strings.Join(res.NeededBy, ",") != strings.Join(want, ",") {
		t.Errorf("NeededBy = %q, want %q", res.NeededBy, want)
	}
	if res.RemoveDir != "" || strings.Contains(res.Diff(), "-replace github.com/go-kratos/kratos/v2") {
		t.Errorf("Diff() =\n%s\nwant the compat module and its replace kept", res.Diff())
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	// Our log and Kratos's (through compat) are one package: dep's Logger is ours.
	if out := goRun(t, dir); !strings.Contains(out, "INFO msg=from dep") || !strings.Contains(out, "INFO msg=hello") {
		t.Errorf("go run after migrating =\n%s", out)
	}
}

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		a, b, want string
	}{
		{"x\n", "x\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "new\n", "--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+new\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\nX\n", "--- a/f\n+++ b/f\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+X\n"},
	}
	for _, tt := range tests {
		if got := unifiedDiff("f", []byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("unifiedDiff(%q, %q) =\n%s\nwant\n%s", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestRewriteGoKeepsAegisTakingImports: in a file that imports aegis, the
// imports of Kratos's ratelimit and circuitbreaker stay (only the compat
// module's take aegis types); everywhere else every Kratos import moves.
func TestRewriteGoKeepsAegisTakingImports(t *testing.T) {
	const k = compat.Kratos
	tests := []struct {
		name, src, want string
		kept            []string
	}{
		{
			name: "aegis",
			src:  "package p\n\nimport (\n\t\"github.com/go-kratos/aegis/ratelimit/bbr\"\n\t\"" + k + "/middleware/ratelimit\"\n\tcb \"" + k + "/middleware/circuitbreaker\"\n\t\"" + k + "/log\"\n)\n",
			want: "package p\n\nimport (\n\t\"github.com/go-kratos/aegis/ratelimit/bbr\"\n\t\"" + k + "/middleware/ratelimit\"\n\tcb \"" + k + "/middleware/circuitbreaker\"\n\t\"" + compat.Ours + "/log\"\n)\n",
			kept: []string{k + "/middleware/ratelimit", k + "/middleware/circuitbreaker"},
		},
		{
			name: "no aegis",
			src:  "package p\n\nimport \"" + k + "/middleware/ratelimit\"\n",
			want: "package p\n\nimport \"" + compat.Ours + "/middleware/ratelimit\"\n",
		},
	}
	for _, tt := range tests {
		got, kept, err := rewriteGo("p.go", []byte(tt.src))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != tt.want {
			t.Errorf("%s: rewriteGo() =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
		if strings.Join(kept, ",") != strings.Join(tt.kept, ",") {
			t.Errorf("%s: kept = %q, want %q", tt.name, kept, tt.kept)
		}
	}
}
