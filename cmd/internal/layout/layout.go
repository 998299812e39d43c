// Package layout is the project template that `kratos new` writes,
// embedded in the binary so that creating a project needs no network.
//
// The template under _template is a complete service whose module path
// and command name are both "helloworld" (Module and Name): Go files
// import "helloworld/internal/...", the proto's go_package starts with
// "helloworld/", and main lives in cmd/helloworld. Write copies it for
// another name and module: it renames cmd/helloworld, rewrites those
// import paths and the go_package, and renders the files ending in .tmpl
// with text/template (fields of Params). The code generated from Protos
// (under api/ and internal/conf) is checked in for the module
// "helloworld"; for another module the caller regenerates it (package
// apigen), since the go_package is part of the descriptor embedded in it.
package layout

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

//go:embed all:_template
var embedded embed.FS

// Module and Name are the module path and command name the template is
// written for.
const (
	Module = "helloworld"
	Name   = "helloworld"
)

// Protos are the template's .proto files, relative to the project root.
var Protos = []string{"api/helloworld/v1/greeter.proto", "internal/conf/conf.proto"}

// FS returns the template's files, rooted at the project root, as they
// are embedded (before Write's rewriting).
func FS() fs.FS {
	sub, err := fs.Sub(embedded, "_template")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}

// Params are what Write fills in.
type Params struct {
	// Name is the command's name: main goes to cmd/<Name>.
	Name string
	// Module is the module path the Go files import each other with.
	Module string
}

// Write writes the template into dir, which must exist; files already in
// dir with the same names are replaced.
func Write(dir string, p Params) error {
	if p.Name == "" || p.Module == "" {
		return fmt.Errorf("layout: name and module must not be empty")
	}
	src := FS()
	return fs.WalkDir(src, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return err
		}
		out, data, err := render(name, data, p)
		if err != nil {
			return fmt.Errorf("layout: %s: %w", name, err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(out))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

var goPackage = regexp.MustCompile(`(?m)^(option\s+go_package\s*=\s*")` + regexp.QuoteMeta(Module) + `/`)

// render returns the output path and content of the template file name.
func render(name string, data []byte, p Params) (string, []byte, error) {
	out := name
	if rest, ok := strings.CutPrefix(name, "cmd/"+Name+"/"); ok {
		out = path.Join("cmd", p.Name, rest)
	}
	switch {
	case strings.HasSuffix(name, ".tmpl"):
		out = strings.TrimSuffix(out, ".tmpl")
		t, err := template.New(name).Option("missingkey=error").Parse(string(data))
		if err != nil {
			return "", nil, err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, p); err != nil {
			return "", nil, err
		}
		data = b.Bytes()
	case strings.HasSuffix(name, ".go") && p.Module != Module:
		data = bytes.ReplaceAll(data, []byte(`"`+Module+`/`), []byte(`"`+p.Module+`/`))
		formatted, err := format.Source(data)
		if err != nil {
			return "", nil, err
		}
		data = formatted
	case strings.HasSuffix(name, ".proto") && p.Module != Module:
		data = goPackage.ReplaceAll(data, []byte("${1}"+p.Module+"/"))
	}
	return out, data, nil
}
