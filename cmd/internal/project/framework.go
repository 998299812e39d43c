package project

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
)

// FrameworkModule is the module path of the framework generated projects
// depend on.
const FrameworkModule = "github.com/seed6ad8aa6b/kratos"

// noVersion is the version a requirement carries when a replace directive
// points it at a directory.
const noVersion = "v0.0.0-00010101000000-000000000000"

// EnvFrameworkPath names the environment variable that overrides where the
// framework's source is (the --kratos-path flag wins over it).
const EnvFrameworkPath = "KRATOS_PATH"

// Framework says how a generated project reaches the framework module:
// through a replace directive to the source directory Dir, or, when Dir is
// empty, by requiring the published Version.
type Framework struct {
	Dir       string
	Version   string
	GoVersion string // the go directive to write, e.g. "1.26.0"
}

// Requirement returns the version to write in a require directive.
func (f Framework) Requirement() string {
	if f.Dir != "" {
		return noVersion
	}
	return f.Version
}

// Replacement is a module of the framework's source tree and the
// directory it is in.
type Replacement struct {
	Module string
	Dir    string
}

// Replacements returns the modules a project built from the framework's
// source needs replace directives for: the framework itself and each
// module under its contrib directory (such as
// FrameworkModule+"/contrib/metrics/prometheus", which the template
// imports), so that they build from the same source. It returns nothing
// for a published framework.
func (f Framework) Replacements() []Replacement {
	if f.Dir == "" {
		return nil
	}
	reps := []Replacement{{Module: FrameworkModule, Dir: f.Dir}}
	contrib := filepath.Join(f.Dir, "contrib")
	filepath.WalkDir(contrib, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable directory is left out
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != contrib {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "go.mod" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if mod, _ := gomod.Parse(data); strings.HasPrefix(mod, FrameworkModule+"/") {
			reps = append(reps, Replacement{Module: mod, Dir: filepath.Dir(p)})
		}
		return nil
	})
	return reps
}

// LocateFramework finds the framework. An explicit directory (from the
// --kratos-path flag or the KRATOS_PATH variable) wins; otherwise it
// takes the source tree this binary was built from, then looks above the
// executable and the working directory for a go.mod of the framework, and
// at last falls back to the framework version this binary was built with
// when that is a published one.
func LocateFramework(explicit string) (Framework, error) {
	if explicit != "" {
		dir, err := filepath.Abs(explicit)
		if err != nil {
			return Framework{}, err
		}
		gov, ok := frameworkGoVersion(dir)
		if !ok {
			return Framework{}, fmt.Errorf("%s is not the source of %s: no go.mod declaring that module there", explicit, FrameworkModule)
		}
		return Framework{Dir: dir, GoVersion: gov}, nil
	}
	for _, dir := range candidateDirs() {
		if gov, ok := frameworkGoVersion(dir); ok {
			return Framework{Dir: dir, GoVersion: gov}, nil
		}
	}
	if v := builtVersion(); v != "" {
		return Framework{Version: v, GoVersion: toolchainGoVersion()}, nil
	}
	return Framework{}, fmt.Errorf("cannot find the source of %s: set --kratos-path or %s to the directory of its go.mod",
		FrameworkModule, EnvFrameworkPath)
}

// candidateDirs lists the directories that may hold the framework's
// go.mod, best first.
func candidateDirs() []string {
	var dirs []string
	add := func(start string) {
		for d := start; ; {
			dirs = append(dirs, d)
			parent := filepath.Dir(d)
			if parent == d {
				return
			}
			d = parent
		}
	}
	// The directory of this source file, when the binary was built from a
	// checkout (not with -trimpath). A replace to a relative directory in
	// the build info is relative to the cmd module, which is above it too.
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		add(filepath.Dir(file))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == FrameworkModule && dep.Replace != nil && filepath.IsAbs(dep.Replace.Path) {
				dirs = append(dirs, dep.Replace.Path)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			add(filepath.Dir(exe))
		}
	}
	if wd, err := os.Getwd(); err == nil {
		add(wd)
	}
	return dirs
}

// builtVersion is the published framework version the binary was built
// with, or "" when it was built against a local copy.
func builtVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, dep := range bi.Deps {
		if dep.Path == FrameworkModule && dep.Replace == nil && dep.Version != "" && dep.Version != "(devel)" && dep.Version != noVersion {
			return dep.Version
		}
	}
	return ""
}

// frameworkGoVersion reports whether dir holds the framework's go.mod and
// returns that file's go directive.
func frameworkGoVersion(dir string) (string, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", false
	}
	mod, gov := gomod.Parse(data)
	if mod != FrameworkModule {
		return "", false
	}
	if gov == "" {
		gov = toolchainGoVersion()
	}
	return gov, true
}

// toolchainGoVersion is the go directive matching the running toolchain's
// language version, e.g. "1.26.0" for go1.26.8.
func toolchainGoVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return "1.26.0"
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	return parts[0] + "." + minor + ".0"
}
