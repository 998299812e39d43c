package project

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
)

// fromGit clones opts.RepoURL into dir (which exists and is empty) and
// turns the clone into a project named name with the given module: the
// template's module path is replaced in its Go, proto and go.mod files;
// imports of Kratos (github.com/go-kratos/kratos/v2) become imports of this
// framework (see useFramework); and the template's command,
// cmd/<last element of the template's module> or else the only directory
// under cmd (kratos-layout's cmd/server), becomes cmd/<name>.
func fromGit(ctx context.Context, dir, name, module string, opts Options, logw io.Writer) error {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		return fmt.Errorf("--repo-url needs git in PATH: %w", err)
	}
	args := []string{"clone", "--quiet", "--depth", "1"}
	if opts.Branch != "" {
		args = append(args, "--branch", opts.Branch)
	}
	args = append(args, "--", opts.RepoURL, dir)
	fmt.Fprintf(logw, "cloning %s\n", opts.RepoURL)
	cmd := exec.CommandContext(ctx, gitBin, args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("git clone %s: %w", opts.RepoURL, context.Cause(ctx))
	}
	if err != nil {
		return fmt.Errorf("git clone %s: %w\n%s", opts.RepoURL, err, bytes.TrimSpace(out))
	}
	if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
		return err
	}

	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("the template %s has no go.mod at its root", opts.RepoURL)
	}
	old, _ := gomod.Parse(data)
	if old == "" {
		return fmt.Errorf("the template's go.mod declares no module")
	}
	if err := replaceModule(dir, old, module); err != nil {
		return err
	}
	if err := useFramework(dir); err != nil {
		return err
	}
	if err := renameCommand(dir, path.Base(old), name); err != nil {
		return err
	}
	if opts.NoMod {
		for _, f := range []string{"go.mod", "go.sum"} {
			if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// renameCommand moves the template's command to cmd/<name>: cmd/<old>
// when it exists, else the only directory under cmd. It leaves things as
// they are when cmd/<name> exists or no single command is found.
func renameCommand(dir, old, name string) error {
	newCmd := filepath.Join(dir, "cmd", name)
	if _, err := os.Stat(newCmd); err == nil {
		return nil
	}
	oldCmd := filepath.Join(dir, "cmd", old)
	if _, err := os.Stat(oldCmd); err != nil {
		entries, err := os.ReadDir(filepath.Join(dir, "cmd"))
		if err != nil {
			return nil // no cmd directory: nothing to rename
		}
		var dirs []string
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, e.Name())
			}
		}
		if len(dirs) != 1 {
			return nil
		}
		oldCmd = filepath.Join(dir, "cmd", dirs[0])
	}
	return os.Rename(oldCmd, newCmd)
}

// kratosModule is the module path of Kratos v2, whose templates (such as
// kratos-layout) import it.
const kratosModule = "github.com/go-kratos/kratos/v2"

// useFramework makes a template written for Kratos v2 use this framework:
// in Go files, imports of kratosModule and its packages become imports of
// FrameworkModule (which has the same packages), and in go.mod the
// requirement on kratosModule becomes one on FrameworkModule (adaptGoMod
// then sets its version and replace). Kratos's own contrib modules
// (github.com/go-kratos/kratos/contrib/...) are left as they are.
func useFramework(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "vendor" || d.Name() == "third_party" {
				return filepath.SkipDir
			}
			return nil
		}
		var data []byte
		switch {
		case p == filepath.Join(dir, "go.mod"):
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
			lines := strings.Split(string(data), "\n")
			// Kratos's version means nothing for this framework:
			// adaptGoMod sets the right one.
			for i, l := range lines {
				f := strings.Fields(l)
				indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
				if len(f) >= 2 && f[0] == kratosModule {
					lines[i] = indent + FrameworkModule + " " + noVersion
				} else if len(f) >= 3 && f[0] == "require" && f[1] == kratosModule {
					lines[i] = indent + "require " + FrameworkModule + " " + noVersion
				}
			}
			data = []byte(strings.Join(lines, "\n"))
		case strings.HasSuffix(p, ".go"):
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
			if !bytes.Contains(data, []byte(kratosModule)) {
				return nil
			}
			data = bytes.ReplaceAll(data, []byte(`"`+kratosModule+`/`), []byte(`"`+FrameworkModule+`/`))
			data = bytes.ReplaceAll(data, []byte(`"`+kratosModule+`"`), []byte(`"`+FrameworkModule+`"`))
		default:
			return nil
		}
		return os.WriteFile(p, data, 0o644)
	})
}

// replaceModule rewrites the module path old to new in the go.mod and in
// the import paths and go_package options of the files under dir.
func replaceModule(dir, old, new string) error {
	if old == new {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "vendor" || d.Name() == "third_party" {
				return filepath.SkipDir
			}
			return nil
		}
		var data []byte
		switch {
		case p == filepath.Join(dir, "go.mod"):
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
			lines := strings.Split(string(data), "\n")
			for i, l := range lines {
				if f := strings.Fields(l); len(f) == 2 && f[0] == "module" {
					lines[i] = "module " + new
					break
				}
			}
			data = []byte(strings.Join(lines, "\n"))
		case strings.HasSuffix(p, ".go"), strings.HasSuffix(p, ".proto"):
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
			data = bytes.ReplaceAll(data, []byte(`"`+old+`/`), []byte(`"`+new+`/`))
			data = bytes.ReplaceAll(data, []byte(`"`+old+`"`), []byte(`"`+new+`"`))
			data = bytes.ReplaceAll(data, []byte(`"`+old+`;`), []byte(`"`+new+`;`))
		default:
			return nil
		}
		return os.WriteFile(p, data, 0o644)
	})
}

// adaptGoMod points a cloned template's requirement on the framework, when
// it has one, at this kratos's framework: its published version, or its
// source with replace directives for it and its contrib modules.
func adaptGoMod(ctx context.Context, dir string, fw Framework, fwErr error) error {
	if !requiresFramework(dir) {
		return nil
	}
	if fwErr != nil {
		return fwErr
	}
	args := []string{"mod", "edit", "-require=" + FrameworkModule + "@" + fw.Requirement()}
	for _, r := range fw.Replacements() {
		args = append(args, "-replace="+r.Module+"="+r.Dir)
	}
	return goCmd(ctx, dir, args...)
}
