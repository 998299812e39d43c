package compat

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needGenproto skips the test when GenprotoPin is not in the module cache
// (tests do not reach the network; a Kratos project has it already, since
// Kratos requires it; go mod download google.golang.org/genproto@<pin>).
func needGenproto(t *testing.T) {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", Genproto+"@"+GenprotoPin)
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("%s@%s is not in the module cache: %v\n%s", Genproto, GenprotoPin, err, out)
	}
}

// TestGenerateKeepsGenprotoPastTheSplit: a dependency requiring the old
// monolithic genproto makes googleapis/api/annotations ambiguous unless
// the compat module lifts genproto past the split, as Kratos's go.mod
// does. The old genproto is a local stand-in for that version (a
// version-specific replace), so the test needs no network.
func TestGenerateKeepsGenprotoPastTheSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := newProject(t, "testdata/genproto/main.go.txt")
	// No checksum database offline: the stand-ins are local anyway.
	t.Setenv("GONOSUMDB", Genproto)

	const old = "v0.0.0-20200526211855-cb27e3aa2013" // before the split
	for name, src := range map[string]string{
		"legacy/go.mod":      "module example.com/legacy\n\ngo 1.21\n\nrequire " + Genproto + " " + old + "\n",
		"legacy/legacy.go":   "package legacy\n\nimport _ \"google.golang.org/genproto/googleapis/api/annotations\"\n\nfunc Name() string { return \"legacy\" }\n",
		"oldgenproto/go.mod": "module " + Genproto + "\n\ngo 1.21\n",
		"oldgenproto/googleapis/api/annotations/annotations.go": "// Package annotations stands in for the package the old genproto held.\npackage annotations\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gomod = append(gomod, []byte("require example.com/legacy v0.0.0-00010101000000-000000000000\n"+
		"replace example.com/legacy => ./legacy\n"+
		"replace "+Genproto+" "+old+" => ./oldgenproto\n")...)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}

	res, err := Generate(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	compatMod, err := os.ReadFile(filepath.Join(res.Dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\t" + Genproto + " " + GenprotoPin + "\n"; !strings.Contains(string(compatMod), want) {
		t.Fatalf("compat go.mod =\n%s\nwant a line %q", compatMod, want)
	}
	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// Without the requirement go mod tidy, which loads the whole module
	// graph, finds the import ambiguous: the failure the pin is there for.
	without := strings.Replace(string(compatMod), "\t"+Genproto+" "+GenprotoPin+"\n", "", 1)
	if err := os.WriteFile(filepath.Join(res.Dir, "go.mod"), []byte(without), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := goCmd("mod", "tidy"); err == nil || !strings.Contains(out, "ambiguous import") {
		t.Errorf("go mod tidy without the pin = %v, %q; want an ambiguous import", err, out)
	}
	if err := os.WriteFile(filepath.Join(res.Dir, "go.mod"), compatMod, 0o644); err != nil {
		t.Fatal(err)
	}

	// With it, go mod tidy settles on the split modules and the program
	// builds and runs.
	if out, err := goCmd("mod", "tidy"); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	if out, err := goCmd("run", "."); err != nil || out != "legacy google.api.http 404\n" {
		t.Errorf("go run = %q, %v; want %q", out, err, "legacy google.api.http 404\n")
	}
}
