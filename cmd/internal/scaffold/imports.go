package scaffold

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var versionRE = regexp.MustCompile(`^v[0-9]+$`)

// TidyImports rewrites the import block of the Go source src the way a
// person writes it: no alias that only repeats the last element of the
// path, standard library packages first, then the rest, each group
// sorted. Code generated with protogen names every import; stubs meant
// for editing read better without that.
func TidyImports(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments|parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var decls []*ast.GenDecl
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			decls = append(decls, g)
		}
	}
	if len(decls) == 0 {
		return src, nil
	}
	var std, other []string
	for _, g := range decls {
		for _, s := range g.Specs {
			spec := s.(*ast.ImportSpec)
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, err
			}
			line := strconv.Quote(p)
			// Keep the name of a path ending in a version ("v1"), which
			// readers and tools would otherwise take for a major version
			// suffix rather than the package name.
			if spec.Name != nil && (spec.Name.Name != path.Base(p) || versionRE.MatchString(spec.Name.Name)) {
				line = spec.Name.Name + " " + line
			}
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				other = append(other, line)
			} else {
				std = append(std, line)
			}
		}
	}
	byPath := func(list []string) func(i, j int) bool {
		key := func(s string) string { return s[strings.Index(s, `"`):] }
		return func(i, j int) bool { return key(list[i]) < key(list[j]) }
	}
	sort.Slice(std, byPath(std))
	sort.Slice(other, byPath(other))
	var b bytes.Buffer
	b.WriteString("import (\n")
	for _, l := range std {
		fmt.Fprintf(&b, "\t%s\n", l)
	}
	if len(std) > 0 && len(other) > 0 {
		b.WriteString("\n")
	}
	for _, l := range other {
		fmt.Fprintf(&b, "\t%s\n", l)
	}
	b.WriteString(")")

	start := fset.Position(decls[0].Pos()).Offset
	end := fset.Position(decls[len(decls)-1].End()).Offset
	out := append(append(append([]byte{}, src[:start]...), b.Bytes()...), src[end:]...)
	return format.Source(out)
}
