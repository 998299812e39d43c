// Package project creates Kratos projects: `kratos new` lands here.
//
// New writes a project from the template embedded in the binary (package
// layout) or from a git repository, gives it a go.mod that reaches the
// framework (a replace directive to the framework's source when the
// framework is not published, see LocateFramework) and runs go mod tidy.
// Everything happens in a temporary directory next to the destination,
// which is renamed into place only at the end: a failed or interrupted
// run leaves nothing behind.
package project

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/apigen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/layout"
)

// Options configure New.
type Options struct {
	// Path is where the project goes: a name, a path below the working
	// directory, or an absolute path. Its last element is the project's
	// name.
	Path string
	// Module is the module path; empty means the name. With NoMod it is
	// derived from the enclosing module and must be empty.
	Module string
	// NoMod adds the project to the module enclosing Path instead of
	// giving it a go.mod of its own.
	NoMod bool
	// RepoURL, when set, is a git repository to clone as the template,
	// at Branch (empty: its default branch).
	RepoURL string
	Branch  string
	// FrameworkPath overrides where the framework's source is (see
	// LocateFramework).
	FrameworkPath string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Result describes a created project.
type Result struct {
	Dir    string // absolute path of the project
	Name   string
	Module string
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*([_-][a-z0-9]+)*$`)

// CheckName reports whether name can name a project: lower-case letters
// and digits, words joined by single "-" or "_", starting with a letter.
// It becomes the directory, the command under cmd/ and the binary.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("the project name is empty")
	case len(name) > 64:
		return fmt.Errorf("invalid project name %q: longer than 64 characters", name)
	case nameRE.MatchString(name):
		return nil
	case nameRE.MatchString(strings.ToLower(name)):
		return fmt.Errorf("invalid project name %q: use lower case (%q)", name, strings.ToLower(name))
	}
	return fmt.Errorf("invalid project name %q: use lower-case letters and digits, words joined by \"-\" or \"_\", starting with a letter", name)
}

var moduleElemRE = regexp.MustCompile(`^[A-Za-z0-9_~-]+(\.[A-Za-z0-9_~-]+)*$`)

// CheckModule reports whether path can be a module path.
func CheckModule(path string) error {
	if path == "" {
		return errors.New("the module path is empty")
	}
	for _, elem := range strings.Split(path, "/") {
		if !moduleElemRE.MatchString(elem) {
			return fmt.Errorf("invalid module path %q: element %q must be letters, digits, \"-\", \"_\", \"~\" and inner dots", path, elem)
		}
	}
	first, _, _ := strings.Cut(path, "/")
	if !strings.Contains(first, ".") {
		if p, err := build.Default.Import(first, "", build.FindOnly); err == nil && p.Goroot {
			return fmt.Errorf("invalid module path %q: %q is a standard library package; use a path such as example.com/%s", path, first, path)
		}
	}
	return nil
}

// New creates a project as opts say.
func New(ctx context.Context, opts Options) (*Result, error) {
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	if opts.Path == "" {
		return nil, errors.New("the project name is empty")
	}
	if !filepath.IsAbs(opts.Path) && !filepath.IsLocal(opts.Path) {
		return nil, fmt.Errorf("invalid project path %q: give a name, a path below the current directory or an absolute path", opts.Path)
	}
	dir, err := filepath.Abs(opts.Path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(dir)
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(dir); err == nil {
		return nil, fmt.Errorf("%s already exists; choose another name or remove it", opts.Path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	parent := filepath.Dir(dir)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("cannot create %s: the directory %s does not exist", opts.Path, parent)
	}

	module := opts.Module
	var parentRoot string
	if opts.NoMod {
		if module != "" {
			return nil, errors.New("--module and --nomod cannot be used together: with --nomod the module path comes from the enclosing go.mod")
		}
		root, parentModule, err := gomod.ModuleOf(parent)
		if err != nil {
			return nil, fmt.Errorf("--nomod needs an enclosing module: %w", err)
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		parentRoot = root
		module = parentModule + "/" + filepath.ToSlash(rel)
	} else if module == "" {
		module = name
	}
	if err := CheckModule(module); err != nil {
		return nil, err
	}

	// The framework is needed for the go.mod, unless the enclosing module
	// of --nomod has it already; a git template may not need it at all.
	fw, fwErr := LocateFramework(frameworkPath(opts.FrameworkPath))
	addFramework := !opts.NoMod || !requiresFramework(parentRoot)
	if fwErr != nil && addFramework && opts.RepoURL == "" {
		return nil, fwErr
	}

	tmp, err := os.MkdirTemp(parent, "."+name+".kratos-new-")
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes the directory private; the project is not.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}

	fmt.Fprintf(logw, "creating %s (module %s)\n", dir, module)
	if opts.RepoURL != "" {
		err = fromGit(ctx, tmp, name, module, opts, logw)
	} else {
		err = layout.Write(tmp, layout.Params{Name: name, Module: module})
		if err == nil {
			err = writeThirdParty(tmp)
		}
	}
	if err == nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, err
	}

	if !opts.NoMod {
		if opts.RepoURL == "" {
			if err := writeGoMod(tmp, module, fw); err != nil {
				return nil, err
			}
			if err := regenerate(ctx, tmp, module); err != nil {
				return nil, err
			}
		} else if err := adaptGoMod(ctx, tmp, fw, fwErr); err != nil {
			return nil, err
		}
		fmt.Fprintln(logw, "running go mod tidy")
		if err := goCmd(ctx, tmp, "mod", "tidy"); err != nil {
			return nil, err
		}
	}

	if _, err := os.Lstat(dir); err == nil {
		return nil, fmt.Errorf("%s already exists; choose another name or remove it", opts.Path)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	committed = true

	if opts.NoMod {
		// Generate in place, so that the proto names are relative to the
		// enclosing module's root, as kratos proto client will have them.
		err := func() error {
			if opts.RepoURL == "" {
				if err := regenerate(ctx, dir, module); err != nil {
					return err
				}
			}
			if addFramework && fwErr != nil {
				return fwErr
			}
			return addToModule(ctx, parentRoot, fw, addFramework, logw)
		}()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	return &Result{Dir: dir, Name: name, Module: module}, nil
}

func frameworkPath(explicit string) string {
	if explicit != "" {
		return explicit
	}
	return os.Getenv(EnvFrameworkPath)
}

// regenerate generates the API code of the embedded template's protos in
// the project at dir, unless the module is the template's own, for which
// the embedded generated code is already right. (The module path is in
// each proto's go_package, which the generated code embeds.)
func regenerate(ctx context.Context, dir, module string) error {
	if module == layout.Module {
		return nil
	}
	var protos []string
	for _, p := range layout.Protos {
		protos = append(protos, filepath.Join(dir, filepath.FromSlash(p)))
	}
	if _, err := apigen.Generate(ctx, protos, apigen.Options{}); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("generating the template's API code: %w", err)
	}
	return nil
}

// writeGoMod writes the go.mod of a new project.
func writeGoMod(dir, module string, fw Framework) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire %s %s\n", module, fw.GoVersion, FrameworkModule, fw.Requirement())
	if reps := fw.Replacements(); len(reps) > 0 {
		fmt.Fprintf(&b, "\n// The framework and its contrib modules are built from their source\n// here (kratos new --kratos-path).\nreplace (\n")
		for _, r := range reps {
			fmt.Fprintf(&b, "\t%s => %s\n", r.Module, r.Dir)
		}
		fmt.Fprintf(&b, ")\n")
	}
	return os.WriteFile(filepath.Join(dir, "go.mod"), b.Bytes(), 0o644)
}

// requiresFramework reports whether the go.mod in root already mentions
// the framework module.
func requiresFramework(root string) bool {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		for _, f := range strings.Fields(line) {
			if f == FrameworkModule {
				return true
			}
		}
	}
	return false
}

// addToModule makes the module in root able to build a project added with
// --nomod: it adds the framework when needed and runs go mod tidy. On
// failure go.mod and go.sum are restored.
func addToModule(ctx context.Context, root string, fw Framework, addFramework bool, logw io.Writer) error {
	saved := map[string][]byte{}
	for _, f := range []string{"go.mod", "go.sum"} {
		if data, err := os.ReadFile(filepath.Join(root, f)); err == nil {
			saved[f] = data
		}
	}
	restore := func() {
		for _, f := range []string{"go.mod", "go.sum"} {
			if data, ok := saved[f]; ok {
				os.WriteFile(filepath.Join(root, f), data, 0o644)
			} else {
				os.Remove(filepath.Join(root, f))
			}
		}
	}
	if addFramework {
		args := []string{"mod", "edit", "-require=" + FrameworkModule + "@" + fw.Requirement()}
		for _, r := range fw.Replacements() {
			args = append(args, "-replace="+r.Module+"="+r.Dir)
		}
		if err := goCmd(ctx, root, args...); err != nil {
			restore()
			return err
		}
	}
	fmt.Fprintf(logw, "running go mod tidy in %s\n", root)
	if err := goCmd(ctx, root, "mod", "tidy"); err != nil {
		restore()
		return err
	}
	return nil
}

// goCmd runs the go command in dir and returns its output in the error
// when it fails.
func goCmd(ctx context.Context, dir string, args ...string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not in PATH: %w", err)
	}
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), context.Cause(ctx))
	}
	if err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}
