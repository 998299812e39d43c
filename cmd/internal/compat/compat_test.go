package compat

import (
	"bufio"
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// newProject writes a Kratos v2 project requiring our module (replaced by
// this repository) and returns its directory.
func newProject(t *testing.T, program string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not in PATH")
	}
	repo, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := `module example.com/app

go 1.26

require (
	github.com/go-kratos/kratos/v2 v2.9.2
	` + Ours + ` v0.0.0-00010101000000-000000000000
)

replace ` + Ours + ` => ` + repo + "\n"
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(program)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum, "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Everything comes from the module cache and this repository.
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	// The compat module requires it (see GenprotoPin).
	needGenproto(t)
	return dir
}

func TestGenerateBuildsAndRunsAKratosProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	dir := newProject(t, "testdata/app/main.go.txt")
	ctx := context.Background()
	res, err := Generate(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) > 0 {
		t.Errorf("Generate() skipped %q, want every name forwarded", res.Skipped)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "replace " + Kratos + " => ./" + DefaultDir; !strings.Contains(string(gomod), want) {
		t.Errorf("go.mod = %s, want a line %q", gomod, want)
	}

	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.Bytes())
	}
	// protojson adds random spaces; drop them for a stable output.
	out = regexp.MustCompile(`([,:]) +`).ReplaceAll(out, []byte("$1"))
	for _, want := range []string{
		"INFO msg=hello\n",
		`default options={"services":[],"methods":[]}` + "\n",
		"assigned options={}\n",
		`GET /missing -> 404 {"code":404,"reason":"USER_NOT_FOUND","message":"no such user"`,
		`GET /panic -> 500 {"code":500,"reason":"UNKNOWN","message":"unknown request error"}`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go run output =\n%s\nwant it to contain %q", out, want)
		}
	}

	// Regenerating (after an upgrade) replaces the module with the same files.
	before := readTree(t, res.Dir)
	if _, err := Generate(ctx, dir, Options{}); err != nil {
		t.Fatalf("second Generate() = %v", err)
	}
	after := readTree(t, res.Dir)
	if len(before) != len(after) {
		t.Errorf("regenerated %d files, want %d", len(after), len(before))
	}
	for name, data := range before {
		if !bytes.Equal(after[name], data) {
			t.Errorf("regenerated %s differs", name)
		}
	}

	t.Run("reference", func(t *testing.T) { checkReference(t, dir, res.Dir) })
	t.Run("hooks", func(t *testing.T) { checkHooks(t, dir) })
}

func TestGenerateAegis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	const version = "v0.2.0"
	dir := newProject(t, "testdata/aegis/main.go.txt")
	// Tests do not reach the network: this one runs when aegis is in the
	// module cache (go mod download github.com/go-kratos/aegis@v0.2.0).
	if err := exec.Command("go", "mod", "download", Aegis+"@"+version).Run(); err != nil {
		t.Skipf("%s@%s is not in the module cache", Aegis, version)
	}
	t.Setenv("GONOSUMDB", Aegis)
	t.Setenv("GOFLAGS", "-mod=mod")
	if _, err := Generate(context.Background(), dir, Options{Aegis: version}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go run (aegis's own dependencies may not be cached): %v\n%s", err, stderr.Bytes())
	}
	want := "ratelimit: error: code = 429 reason = RATELIMIT message = service unavailable due to rate limit exceeded metadata = map[] cause = <nil>\nbreaker: ok <nil>\n"
	if string(out) != want {
		t.Errorf("go run output =\n%s\nwant\n%s", out, want)
	}
}

// checkHooks: every hooked variable is still a variable of ours, so no
// hook silently stops applying.
func checkHooks(t *testing.T, project string) {
	pkgs, _, err := load(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	for key := range hooks {
		i := strings.LastIndex(key, ".")
		pkgPath, name := key[:i], key[i+1:]
		found := false
		for _, p := range pkgs {
			if p.Path() == pkgPath {
				_, found = p.Scope().Lookup(name).(*types.Var)
			}
		}
		if !found {
			t.Errorf("hook %s: ours has no such variable", key)
		}
	}
}

// checkReference: every reference API line whose name our module has is
// declared by the compat module (methods and fields come with the aliased
// type, so their type must be declared).
func checkReference(t *testing.T, project, modDir string) {
	pkgs, _, err := load(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]map[string]bool{}
	for _, p := range pkgs {
		names := map[string]bool{}
		for _, n := range p.Scope().Names() {
			names[n] = true
		}
		ours[p.Path()] = names
	}
	// The listing sits next to the repository, as in DESIGN.md.
	f, err := os.Open(filepath.Join("..", "..", "..", "..", "shared", "api", "kratos-v2.9.2-api.tsv"))
	if err != nil {
		t.Skipf("reference API listing: %v", err)
	}
	defer f.Close()
	generated := map[string]map[string]bool{}
	lines, covered := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 3 {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(fields[0], "MOD"), "/")
		name := fields[2]
		switch fields[1] {
		case "method", "field", "imethod":
			name = strings.TrimPrefix(name, "(*")
			name = strings.TrimPrefix(name, "(")
			name, _, _ = strings.Cut(name, ")")
			name, _, _ = strings.Cut(name, ".")
		}
		lines++
		if !ours[path.Join(Ours, rel)][name] {
			continue // a gap of our module, measured by apicompat
		}
		decls, ok := generated[rel]
		if !ok {
			decls = declared(t, filepath.Join(modDir, filepath.FromSlash(rel)))
			generated[rel] = decls
		}
		if !decls[name] {
			t.Errorf("%s: %s %s is ours but not in the compat module", path.Join(Kratos, rel), fields[1], fields[2])
			continue
		}
		covered++
	}
	t.Logf("compat module covers %d of %d reference lines", covered, lines)
}

// declared returns the top-level names declared by the Go files in dir.
func declared(t *testing.T, dir string) map[string]bool {
	names := map[string]bool{}
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, nil, 0)
	if err != nil {
		t.Errorf("parse %s: %v", dir, err)
		return names
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil {
						names[d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							names[s.Name.Name] = true
						case *ast.ValueSpec:
							for _, n := range s.Names {
								names[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return names
}

func readTree(t *testing.T, dir string) map[string][]byte {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGenerateRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "third_party", "kratos")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a compat module") {
		t.Errorf("Generate() into a foreign directory = %v, want a refusal", err)
	}
	if _, err := Generate(context.Background(), dir, Options{Out: "/abs"}); err == nil {
		t.Error("Generate() with an absolute output directory = nil error, want one")
	}
}
