package httpgen_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
)

// fixtures is where examples/helloworld keeps generated files written by
// hand in the exact shape Kratos v2.9.2's generators emit.
const fixtures = "../../../examples/helloworld/api/helloworld/v1/"

// decls returns the top-level declarations of a Go file, one per spec,
// printed without comments and with interface{} written as any, and the
// import paths.
func decls(t *testing.T, name string, src []byte) (map[string]bool, []string) {
	t.Helper()
	src = bytes.ReplaceAll(src, []byte("interface{}"), []byte("any"))
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	out := make(map[string]bool)
	var imports []string
	print := func(node any) {
		var b bytes.Buffer
		if err := printer.Fprint(&b, fset, node); err != nil {
			t.Fatal(err)
		}
		out[b.String()] = true
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			print(d)
			continue
		}
		for _, spec := range gd.Specs {
			if is, ok := spec.(*ast.ImportSpec); ok {
				imports = append(imports, is.Path.Value)
				continue
			}
			print(&ast.GenDecl{Tok: gd.Tok, Specs: []ast.Spec{spec}})
		}
	}
	sort.Strings(imports)
	return out, imports
}

// TestKratosShape generates the helloworld API and checks that it declares
// what the hand-written fixtures of Kratos's generated code declare, with
// the same bodies: the HTTP file exactly, the errors file at least (our
// generator also writes the helpers of GREETER_UNSPECIFIED, which the
// default code gives a code, as Kratos's does).
func TestKratosShape(t *testing.T) {
	req, err := gentest.Compile([]string{"testdata"}, "helloworld/v1/greeter.proto")
	if err != nil {
		t.Fatal(err)
	}
	files, err := gentest.Run(req, httpPlugin("paths=source_relative"), errorsPlugin("paths=source_relative"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		exact bool
	}{
		{"greeter_http.pb.go", true},
		{"greeter_errors.pb.go", false},
	} {
		fixture, err := os.ReadFile(fixtures + tt.name)
		if err != nil {
			t.Skipf("fixture not found: %v", err)
		}
		gen, ok := files["helloworld/v1/"+tt.name]
		if !ok {
			t.Fatalf("%s not generated", tt.name)
		}
		want, wantImports := decls(t, tt.name, fixture)
		got, gotImports := decls(t, tt.name, gen)
		if strings.Join(wantImports, " ") != strings.Join(gotImports, " ") {
			t.Errorf("%s imports %v, want %v", tt.name, gotImports, wantImports)
		}
		for d := range want {
			if !got[d] {
				t.Errorf("%s lacks the fixture's declaration\n%s", tt.name, d)
			}
		}
		if tt.exact {
			for d := range got {
				if !want[d] {
					t.Errorf("%s has a declaration the fixture lacks\n%s", tt.name, d)
				}
			}
		}
	}
}
