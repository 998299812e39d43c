package project

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/apigen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/layout"
)

var update = flag.Bool("update", false, "regenerate the template's checked-in API code")

// TestTemplateAPIIsFresh regenerates the API code of the embedded template
// with the pipeline of kratos proto client and requires it to equal, byte
// for byte, the generated code the template ships. -update rewrites the
// template's files instead.
func TestTemplateAPIIsFresh(t *testing.T) {
	dir := t.TempDir()
	if err := layout.Write(dir, layout.Params{Name: layout.Name, Module: layout.Module}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+layout.Module+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// As kratos new does; the imports then come from third_party on disk.
	if err := writeThirdParty(dir); err != nil {
		t.Fatal(err)
	}
	var protos []string
	for _, p := range layout.Protos {
		protos = append(protos, filepath.Join(dir, filepath.FromSlash(p)))
	}
	written, err := apigen.Generate(context.Background(), protos, apigen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) == 0 {
		t.Fatal("nothing generated")
	}
	shipped := map[string]bool{}
	fs.WalkDir(layout.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".pb.go") {
			shipped[p] = true
		}
		return err
	})
	for _, w := range written {
		rel, err := filepath.Rel(dir, w)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		got, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			dst := filepath.Join("..", "layout", "_template", filepath.FromSlash(rel))
			if err := os.WriteFile(dst, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := fs.ReadFile(layout.FS(), rel)
		if err != nil {
			t.Errorf("the template does not ship %s, which kratos proto client generates", rel)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the template's %s differs from what kratos proto client generates; run go test ./internal/project -run TestTemplateAPIIsFresh -update", rel)
		}
		delete(shipped, rel)
	}
	if !*update {
		for p := range shipped {
			t.Errorf("the template ships %s, which kratos proto client does not generate", p)
		}
	}
}

func TestLayoutWriteForAnotherModule(t *testing.T) {
	dir := t.TempDir()
	if err := layout.Write(dir, layout.Params{Name: "shop", Module: "example.com/shop"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cmd", "helloworld")); err == nil {
		t.Error("cmd/helloworld was written; want cmd/shop")
	}
	app, err := os.ReadFile(filepath.Join(dir, "cmd", "shop", "app.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(app, []byte(`"example.com/shop/internal/server"`)) || bytes.Contains(app, []byte(`"helloworld/`)) {
		t.Errorf("cmd/shop/app.go imports were not rewritten:\n%s", app)
	}
	proto, err := os.ReadFile(filepath.Join(dir, "api", "helloworld", "v1", "greeter.proto"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(proto, []byte(`option go_package = "example.com/shop/api/helloworld/v1;v1";`)) {
		t.Errorf("go_package not rewritten:\n%s", proto)
	}
	mk, err := os.ReadFile(filepath.Join(dir, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mk, []byte("go run ./cmd/shop ")) {
		t.Errorf("Makefile not rendered for shop:\n%s", mk)
	}
	for _, name := range []string{"Makefile.tmpl", "README.md.tmpl"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was written as is", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".gitignore")); err != nil {
		t.Errorf(".gitignore missing: %v", err)
	}
}
