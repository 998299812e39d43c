// Package migrate moves a Kratos v2 project to this framework for good: it
// rewrites the project's imports of github.com/go-kratos/kratos/v2 to
// github.com/seed6ad8aa6b/kratos (Go files, and the go_package options of
// .proto files that name Kratos), and updates go.mod. When a dependency
// outside the project still imports Kratos, the Kratos requirement and its
// replace by the compat module (see package compat) stay; otherwise they are
// dropped and the generated compat module is removed.
//
// One kind of import is not rewritten: in a file that imports
// github.com/go-kratos/aegis, the imports of middleware/ratelimit and
// middleware/circuitbreaker keep Kratos's path. Kratos's WithLimiter and
// WithCircuitBreaker take aegis's limiter and breaker, which only the compat
// module generated with --aegis accepts (ours take our own types), so
// rewriting them would break the build; the compat module then stays too.
//
// Plan computes the changes without touching anything; Plan.Diff shows them
// and Plan.Write applies them.
package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/compat"
)

// Change is one file's old and new content; New is nil for a removal.
type Change struct {
	Path     string // relative to the project root, slash-separated
	Old, New []byte
}

// Result is a migration computed by Plan.
type Result struct {
	Root    string
	Changes []Change
	// NeededBy lists the packages that still import Kratos after the
	// migration: packages of other modules, and the project's own packages
	// that keep an import (see Kept). When it is not empty the compat module
	// is kept.
	NeededBy []string
	// Kept lists the imports left on Kratos's path, as "file: import path"
	// (see the package documentation).
	Kept []string
	// RemoveDir is the compat module directory (relative) that Write
	// removes because nothing needs it any more; empty when none.
	RemoveDir string
}

// Plan computes the migration of the project whose go.mod is in dir.
// version is the version of our module to require when go.mod does not
// require it yet.
func Plan(ctx context.Context, dir, version string) (*Result, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return nil, fmt.Errorf("migrate: %s has no go.mod: %w", root, err)
	}
	res := &Result{Root: root}
	// Who outside the project imports Kratos is read before anything changes.
	var mainMod string
	res.NeededBy, mainMod, err = dependentsOfKratos(ctx, root)
	if err != nil {
		return nil, err
	}
	keptBy := map[string]bool{} // project packages keeping an import
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); p != root && err == nil {
				return filepath.SkipDir // another module (the compat module among them)
			}
			return nil
		}
		var rewrite func([]byte) ([]byte, error)
		switch filepath.Ext(p) {
		case ".go":
			rewrite = func(src []byte) ([]byte, error) {
				nw, kept, err := rewriteGo(p, src)
				for _, imp := range kept {
					res.Kept = append(res.Kept, filepath.ToSlash(rel)+": "+imp)
					pkg := mainMod
					if d := filepath.ToSlash(filepath.Dir(rel)); d != "." {
						pkg += "/" + d
					}
					keptBy[pkg] = true
				}
				return nw, err
			}
		case ".proto":
			rewrite = func(src []byte) ([]byte, error) { return rewriteProto(src), nil }
		default:
			return nil
		}
		old, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		nw, err := rewrite(old)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, nw) {
			res.Changes = append(res.Changes, Change{Path: filepath.ToSlash(rel), Old: old, New: nw})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for pkg := range keptBy {
		res.NeededBy = append(res.NeededBy, pkg)
	}
	sort.Strings(res.NeededBy)
	sort.Strings(res.Kept)
	if err := res.planGoMod(ctx, version); err != nil {
		return nil, err
	}
	sort.Slice(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	return res, nil
}

// newPath maps a Kratos import path to ours; ok is false for other paths.
func newPath(p string) (string, bool) {
	if p == compat.Kratos {
		return compat.Ours, true
	}
	if rest, ok := strings.CutPrefix(p, compat.Kratos+"/"); ok {
		return compat.Ours + "/" + rest, true
	}
	return "", false
}

// takesAegis holds the Kratos packages whose options take aegis types,
// which ours do not (see the package documentation).
var takesAegis = map[string]bool{
	compat.Kratos + "/middleware/ratelimit":      true,
	compat.Kratos + "/middleware/circuitbreaker": true,
}

// rewriteGo replaces the import paths naming Kratos and nothing else, so
// the rest of the file keeps its bytes. kept lists the Kratos imports left
// as they are.
func rewriteGo(name string, src []byte) (out []byte, kept []string, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	usesAegis := false
	for _, spec := range f.Imports {
		p, _ := strconv.Unquote(spec.Path.Value)
		usesAegis = usesAegis || p == compat.Aegis || strings.HasPrefix(p, compat.Aegis+"/")
	}
	var b bytes.Buffer
	last := 0
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		np, ok := newPath(p)
		if !ok {
			continue
		}
		if usesAegis && takesAegis[p] {
			kept = append(kept, p)
			continue
		}
		start, end := fset.Position(spec.Path.Pos()).Offset, fset.Position(spec.Path.End()).Offset
		b.Write(src[last:start])
		b.WriteString(strconv.Quote(np))
		last = end
	}
	b.Write(src[last:])
	return b.Bytes(), kept, nil
}

var goPackageRE = regexp.MustCompile(`(option\s+go_package\s*=\s*")` + regexp.QuoteMeta(compat.Kratos) + `([/;"])`)

// rewriteProto rewrites go_package options that name Kratos.
func rewriteProto(src []byte) []byte {
	return goPackageRE.ReplaceAll(src, []byte("${1}"+compat.Ours+"${2}"))
}

type goModJSON struct {
	Require []struct{ Path, Version string }
	Replace []struct {
		Old struct{ Path string }
		New struct{ Path, Version string }
	}
}

// planGoMod adds the go.mod change: require ours, and drop Kratos with its
// replace unless a dependency still needs it. go mod edit does the editing
// (on a copy), so the result is formatted as the go command would.
func (r *Result) planGoMod(ctx context.Context, version string) error {
	gomod := filepath.Join(r.Root, "go.mod")
	old, err := os.ReadFile(gomod)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := runGo(ctx, r.Root, &out, "mod", "edit", "-json"); err != nil {
		return err
	}
	var m goModJSON
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		return fmt.Errorf("migrate: go mod edit -json: %w", err)
	}
	var args []string
	hasOurs := false
	for _, req := range m.Require {
		hasOurs = hasOurs || req.Path == compat.Ours
	}
	if !hasOurs {
		if version == "" {
			return fmt.Errorf("migrate: go.mod does not require %s; give the version to require", compat.Ours)
		}
		args = append(args, "-require="+compat.Ours+"@"+version)
	}
	if len(r.NeededBy) == 0 {
		args = append(args, "-droprequire="+compat.Kratos)
		for _, rep := range m.Replace {
			if rep.Old.Path != compat.Kratos {
				continue
			}
			args = append(args, "-dropreplace="+compat.Kratos)
			if rep.New.Version == "" && isCompatModule(filepath.Join(r.Root, rep.New.Path)) {
				dir := filepath.Join(r.Root, rep.New.Path)
				if rel, err := filepath.Rel(r.Root, dir); err == nil && !strings.HasPrefix(rel, "..") {
					r.RemoveDir = filepath.ToSlash(rel)
				}
			}
		}
	}
	if len(args) == 0 {
		return nil
	}
	tmp, err := os.CreateTemp("", "migrate-*.mod")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(old); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := runGo(ctx, r.Root, nil, append(append([]string{"mod", "edit"}, args...), tmp.Name())...); err != nil {
		return err
	}
	nw, err := os.ReadFile(tmp.Name())
	if err != nil {
		return err
	}
	if !bytes.Equal(old, nw) {
		r.Changes = append(r.Changes, Change{Path: "go.mod", Old: old, New: nw})
	}
	return nil
}

func isCompatModule(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && bytes.Contains(data, []byte("module "+compat.Kratos+"\n"))
}

// dependentsOfKratos lists the packages of other modules, in the project's
// build, that import a Kratos package; mainMod is the project's module path.
func dependentsOfKratos(ctx context.Context, root string) (needed []string, mainMod string, err error) {
	var out bytes.Buffer
	if err := runGo(ctx, root, &out, "list", "-e", "-deps", "-test", "-json=ImportPath,Imports,Module", "./..."); err != nil {
		return nil, "", fmt.Errorf("migrate: find the dependencies that import Kratos: %w", err)
	}
	if err := runGoString(ctx, root, &mainMod, "list", "-m"); err != nil {
		return nil, "", err
	}
	seen := map[string]bool{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
			Module     *struct{ Path string }
		}
		if err := dec.Decode(&p); err != nil {
			return nil, "", fmt.Errorf("migrate: go list: %w", err)
		}
		if p.Module == nil || p.Module.Path == mainMod || p.Module.Path == compat.Kratos || seen[p.ImportPath] {
			continue
		}
		for _, imp := range p.Imports {
			if _, ok := newPath(imp); ok {
				seen[p.ImportPath] = true
				needed = append(needed, p.ImportPath)
				break
			}
		}
	}
	sort.Strings(needed)
	return needed, mainMod, nil
}

func runGoString(ctx context.Context, dir string, s *string, args ...string) error {
	var out bytes.Buffer
	if err := runGo(ctx, dir, &out, args...); err != nil {
		return err
	}
	*s = strings.TrimSpace(out.String())
	return nil
}

func runGo(ctx context.Context, dir string, stdout *bytes.Buffer, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return nil
}

// Diff returns the changes as a unified diff.
func (r *Result) Diff() string {
	var b strings.Builder
	for _, c := range r.Changes {
		b.WriteString(unifiedDiff(c.Path, c.Old, c.New))
	}
	for _, k := range r.Kept {
		fmt.Fprintf(&b, "# kept %s (it takes aegis types; ours does not)\n", k)
	}
	if r.RemoveDir != "" {
		fmt.Fprintf(&b, "# remove %s (the compat module; no dependency imports Kratos any more)\n", r.RemoveDir)
	}
	return b.String()
}

// Write applies the changes. It refuses to overwrite a file that changed
// since Plan read it.
func (r *Result) Write() error {
	for _, c := range r.Changes {
		p := filepath.Join(r.Root, filepath.FromSlash(c.Path))
		cur, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(cur, c.Old) {
			return fmt.Errorf("migrate: %s changed since the migration was planned", c.Path)
		}
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, c.New, info.Mode().Perm()); err != nil {
			return err
		}
	}
	if r.RemoveDir != "" {
		dir := filepath.Join(r.Root, filepath.FromSlash(r.RemoveDir))
		if !isCompatModule(dir) {
			return errors.New("migrate: " + r.RemoveDir + " is no longer a compat module; not removing it")
		}
		return os.RemoveAll(dir)
	}
	return nil
}
