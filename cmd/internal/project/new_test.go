package project

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/apigen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/layout"
)

// goRun runs the go command in dir and fails the test if it fails.
func goRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestNewNoMod(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy and go build")
	}
	mono := t.TempDir()
	if err := os.WriteFile(filepath.Join(mono, "go.mod"), []byte("module example.com/mono\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mono, "services"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := New(context.Background(), Options{Path: filepath.Join(mono, "services", "billing"), NoMod: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Module != "example.com/mono/services/billing" || res.Name != "billing" {
		t.Errorf("New() = %+v", res)
	}
	if _, err := os.Stat(filepath.Join(res.Dir, "go.mod")); err == nil {
		t.Error("--nomod wrote a go.mod")
	}
	if st, err := os.Stat(res.Dir); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("project directory mode = %v, %v; want 0755", st.Mode().Perm(), err)
	}
	app := readFile(t, filepath.Join(res.Dir, "cmd", "billing", "app.go"))
	if !strings.Contains(app, `"example.com/mono/services/billing/internal/server"`) {
		t.Errorf("app.go does not import through the enclosing module:\n%s", app)
	}
	if gomod := readFile(t, filepath.Join(mono, "go.mod")); !strings.Contains(gomod, FrameworkModule+" => ") {
		t.Errorf("the enclosing go.mod did not get the framework:\n%s", gomod)
	}
	goRun(t, mono, "build", "./...")

	// What kratos proto client generates from the enclosing module equals
	// what new wrote.
	shipped := readFile(t, filepath.Join(res.Dir, "api/helloworld/v1/greeter.pb.go"))
	if _, err := apigen.Generate(context.Background(), []string{filepath.Join(res.Dir, "api/helloworld/v1/greeter.proto")}, apigen.Options{}); err != nil {
		t.Fatal(err)
	}
	if again := readFile(t, filepath.Join(res.Dir, "api/helloworld/v1/greeter.pb.go")); again != shipped {
		t.Error("regenerating greeter.pb.go of a --nomod project changed it")
	}
}

// A failing --nomod run restores the enclosing go.mod and removes the
// service.
func TestNewNoModFailureRestores(t *testing.T) {
	mono := t.TempDir()
	// A go.mod that go mod tidy rejects.
	orig := "module example.com/mono\n\ngo 1.26.0\n\nrequire example.invalid/nothing v1.0.0\n"
	if err := os.WriteFile(filepath.Join(mono, "go.mod"), []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	_, err := New(context.Background(), Options{Path: filepath.Join(mono, "svc"), NoMod: true})
	if err == nil {
		t.Fatal("New() succeeded with a broken enclosing module")
	}
	if got := readFile(t, filepath.Join(mono, "go.mod")); got != orig {
		t.Errorf("go.mod after the failure =\n%s\nwant\n%s", got, orig)
	}
	if got := entries(t, mono); len(got) != 1 {
		t.Errorf("after the failure %s holds %q, want only go.mod", mono, got)
	}
}

func TestNewFromGit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git, go mod tidy and go build")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git in PATH")
	}
	fw, err := LocateFramework("")
	if err != nil {
		t.Fatal(err)
	}
	// A template repository: the built-in layout for the module example.com/tpl.
	repo := t.TempDir()
	if err := layout.Write(repo, layout.Params{Name: "tpl", Module: "example.com/tpl"}); err != nil {
		t.Fatal(err)
	}
	if err := writeGoMod(repo, "example.com/tpl", fw); err != nil {
		t.Fatal(err)
	}
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command(git, append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	gitRun("init", "-q")
	gitRun("add", ".")
	gitRun("commit", "-q", "-m", "template")
	gitRun("branch", "stable")

	work := t.TempDir()
	t.Chdir(work)
	res, err := New(context.Background(), Options{Path: "orders", RepoURL: repo, Branch: "stable", Module: "example.com/orders"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(res.Dir, ".git")); err == nil {
		t.Error("the clone's .git was kept")
	}
	main := readFile(t, filepath.Join(res.Dir, "cmd", "orders", "main.go"))
	if !strings.Contains(main, `"example.com/orders/internal/conf"`) || strings.Contains(main, "example.com/tpl") {
		t.Errorf("main.go was not moved to the new module:\n%s", main)
	}
	gomod := readFile(t, filepath.Join(res.Dir, "go.mod"))
	if !strings.HasPrefix(gomod, "module example.com/orders\n") || !strings.Contains(gomod, "=> "+fw.Dir) {
		t.Errorf("go.mod =\n%s", gomod)
	}
	goRun(t, res.Dir, "build", "./...")

	// Bad repositories and branches fail cleanly.
	for _, opts := range []Options{
		{Path: "a", RepoURL: filepath.Join(work, "no-such-repo")},
		{Path: "b", RepoURL: repo, Branch: "no-such-branch"},
	} {
		_, err := New(context.Background(), opts)
		if err == nil || !strings.Contains(err.Error(), "git clone") {
			t.Errorf("New(%+v) = %v, want a git clone error", opts, err)
		}
	}
	if got := entries(t, work); len(got) != 1 {
		t.Errorf("failed clones left %q in %s", got, work)
	}
}
