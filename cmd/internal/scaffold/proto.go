// Package scaffold writes starting points for a developer to fill in: a
// service definition (.proto) with CRUD methods for `kratos proto add`,
// and Go implementations of the services of a .proto for
// `kratos proto server`.
package scaffold

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"text/template"
	"unicode"
)

// ProtoParams describe the service definition Proto writes.
type ProtoParams struct {
	// Package is the proto package, e.g. "helloworld.v1".
	Package string
	// GoPackage is the go_package option, e.g.
	// "example.com/app/api/helloworld/v1;v1".
	GoPackage string
	// Service is the service name, e.g. "Demo".
	Service string
	// HTTP adds google.api.http annotations to every method.
	HTTP bool
}

// ProtoParamsFor derives the parameters for a .proto file at rel, a
// slash-separated path relative to the root of the Go module modulePath:
// the package is rel's directory with a leading "api/" dropped, the Go
// package that directory in the module, and the service the file's base
// name in CamelCase.
func ProtoParamsFor(modulePath, rel string, withHTTP bool) (ProtoParams, error) {
	if path.Ext(rel) != ".proto" {
		return ProtoParams{}, fmt.Errorf("%s: the file name must end in .proto", rel)
	}
	dir, file := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	service := camelCase(strings.TrimSuffix(file, ".proto"))
	if service == "" || !unicode.IsLetter(rune(service[0])) {
		return ProtoParams{}, fmt.Errorf("%s: the file name must start with a letter; it names the service", rel)
	}

	var pkgParts []string
	for _, p := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(dir, "api"), "/"), "/") {
		if p = identifier(p); p != "" {
			if p[0] >= '0' && p[0] <= '9' {
				p = "p" + p // proto names start with a letter
			}
			pkgParts = append(pkgParts, p)
		}
	}
	if len(pkgParts) == 0 {
		pkgParts = []string{identifier(strings.ToLower(service))}
	}

	importPath := modulePath
	if dir != "" && dir != "." {
		importPath += "/" + dir
	}
	goName := identifier(path.Base(importPath))
	if goName == "" || goName[0] >= '0' && goName[0] <= '9' {
		goName = "pb" + goName
	}
	return ProtoParams{
		Package:   strings.Join(pkgParts, "."),
		GoPackage: importPath + ";" + goName,
		Service:   service,
		HTTP:      withHTTP,
	}, nil
}

// identifier turns s into a lower-case identifier: letters, digits and
// underscores.
func identifier(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '-' || r == '.':
			b.WriteRune('_')
		}
	}
	return b.String()
}

// camelCase turns "user_account" or "user-account" into "UserAccount".
func camelCase(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			up = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if r > unicode.MaxASCII {
				continue
			}
			if up {
				r = unicode.ToUpper(r)
				up = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// snakeCase turns "UserAccount" into "user_account".
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(s[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

var protoTemplate = template.Must(template.New("proto").Parse(`syntax = "proto3";

package {{.Package}};
{{if .HTTP}}
import "google/api/annotations.proto";
{{end}}
option go_package = "{{.GoPackage}}";

// {{.Service}} creates, reads, updates and deletes {{.Service}} items.
service {{.Service}} {
{{- range $i, $m := .Methods}}
{{- if $i}}
{{end}}
  // {{$m.Doc}}
  rpc {{$m.Name}}({{$m.Name}}Request) returns ({{$m.Name}}Reply){{if $.HTTP}} {
    option (google.api.http) = {
      {{$m.Verb}}: "{{$m.Path}}"{{if $m.Body}}
      body: "*"{{end}}
    };
  }{{else}};{{end}}
{{- end}}
}
{{range .Methods}}
message {{.Name}}Request {
{{- range .Request}}
  {{.}}
{{- end}}
}

message {{.Name}}Reply {
{{- range .Reply}}
  {{.}}
{{- end}}
}
{{end -}}
`))

type protoMethod struct {
	Name, Doc  string
	Verb, Path string
	Body       bool
	Request    []string
	Reply      []string
}

// Proto returns the text of a service definition with Create, Update,
// Delete, Get and List methods.
func Proto(p ProtoParams) ([]byte, error) {
	s := p.Service
	plural := snakeCase(s) + "s"
	collection := "/v1/" + plural
	item := collection + "/{id}"
	data := struct {
		ProtoParams
		Methods []protoMethod
	}{
		ProtoParams: p,
		Methods: []protoMethod{
			{Name: "Create" + s, Doc: "Create" + s + " adds one " + s + ".", Verb: "post", Path: collection, Body: true,
				Request: []string{"string name = 1;"}, Reply: []string{"int64 id = 1;"}},
			{Name: "Update" + s, Doc: "Update" + s + " changes one " + s + ".", Verb: "put", Path: item, Body: true,
				Request: []string{"int64 id = 1;", "string name = 2;"}},
			{Name: "Delete" + s, Doc: "Delete" + s + " removes one " + s + ".", Verb: "delete", Path: item,
				Request: []string{"int64 id = 1;"}},
			{Name: "Get" + s, Doc: "Get" + s + " returns one " + s + ".", Verb: "get", Path: item,
				Request: []string{"int64 id = 1;"}, Reply: []string{"int64 id = 1;", "string name = 2;"}},
			{Name: "List" + s, Doc: "List" + s + " returns a page of " + s + " items.", Verb: "get", Path: collection,
				Request: []string{"int32 page_size = 1;", "string page_token = 2;"},
				Reply:   []string{"repeated Get" + s + "Reply items = 1;", "string next_page_token = 2;"}},
		},
	}
	var b bytes.Buffer
	if err := protoTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
