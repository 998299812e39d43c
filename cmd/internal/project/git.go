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
// template's module path is replaced in its Go, proto and go.mod files,
// and cmd/<last element of the template's module> becomes cmd/<name>.
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
	oldCmd := filepath.Join(dir, "cmd", path.Base(old))
	newCmd := filepath.Join(dir, "cmd", name)
	if oldCmd != newCmd {
		if _, err := os.Stat(oldCmd); err == nil {
			if _, err := os.Stat(newCmd); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(oldCmd, newCmd); err != nil {
					return err
				}
			}
		}
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

// adaptGoMod points a cloned template's requirement on the framework at
// the framework's source, when the template has one and the framework is
// not published.
func adaptGoMod(ctx context.Context, dir string, fw Framework, fwErr error) error {
	if !requiresFramework(dir) {
		return nil
	}
	if fwErr != nil {
		return fwErr
	}
	if fw.Dir == "" {
		return nil
	}
	args := []string{"mod", "edit"}
	for _, r := range fw.Replacements() {
		args = append(args, "-replace="+r.Module+"="+r.Dir)
	}
	return goCmd(ctx, dir, args...)
}
