package openapigen

import (
	"reflect"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in       string
		wantPath string
		wantVars []pathVar
	}{
		{"/v1/shelves/{shelf}", "/v1/shelves/{shelf}", []pathVar{{name: "shelf"}}},
		{"/v1/{name=shelves/*}", "/v1/{name}", []pathVar{{name: "name", pattern: "^shelves/[^/]+$"}}},
		{"/v1/{name=shelves/*/books/*}:archive", "/v1/{name}:archive", []pathVar{{name: "name", pattern: "^shelves/[^/]+/books/[^/]+$"}}},
		{"/v1/{book.name=*}", "/v1/{book.name}", []pathVar{{name: "book.name"}}},
		{"/files/{path=**}", "/files/{path}", []pathVar{{name: "path", pattern: "^.*$"}}},
		{"/v1/{a.b}/{c}", "/v1/{a.b}/{c}", []pathVar{{name: "a.b"}, {name: "c"}}},
		{"/v1/{id:[0-9]{3}}", "/v1/{id}", []pathVar{{name: "id", pattern: "^[0-9]{3}$"}}},
		{"/v1/{v=a.b/*}", "/v1/{v}", []pathVar{{name: "v", pattern: `^a\.b/[^/]+$`}}},
	}
	for _, tt := range tests {
		gotPath, gotVars, err := parseTemplate(tt.in)
		if err != nil {
			t.Errorf("parseTemplate(%q) error = %v", tt.in, err)
			continue
		}
		if gotPath != tt.wantPath || !reflect.DeepEqual(gotVars, tt.wantVars) {
			t.Errorf("parseTemplate(%q) = %q, %+v, want %q, %+v", tt.in, gotPath, gotVars, tt.wantPath, tt.wantVars)
		}
	}
}

func TestParseTemplateBad(t *testing.T) {
	for _, in := range []string{
		"", "v1/x", "/v1/{", "/v1/}", "/v1/{}", "/v1/{a}/{a}", "/v1/{a=}", "/v1/{a=b/**c}",
		"/v1/{a:(}", "/v1/{1a}", "/v1/\xff", "/v1/{a=*/{b}}",
	} {
		if p, vars, err := parseTemplate(in); err == nil {
			t.Errorf("parseTemplate(%q) = %q, %v, want an error", in, p, vars)
		}
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"/v1/{name=shelves/*}:archive", "/a/{b:[0-9]{2}}", "/{a.b}/{c=**}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, vars, err := parseTemplate(in)
		if err != nil {
			return
		}
		if got := varNames(p); len(got) != len(vars) {
			t.Fatalf("parseTemplate(%q) = %q with %d variables, but the path names %d", in, p, len(vars), len(got))
		}
		if shape(p) == "" {
			t.Fatalf("shape(%q) is empty", p)
		}
	})
}

func TestShape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/v1/{name}", "/v1/{}"},
		{"/v1/{book.name}:archive", "/v1/{}:archive"},
		{"/a/b", "/a/b"},
	} {
		if got := shape(tt.in); got != tt.want {
			t.Errorf("shape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSetParam(t *testing.T) {
	tests := []struct {
		name, value string
		want        func(Options) bool
	}{
		{"title", "T", func(o Options) bool { return o.Title == "T" }},
		{"version", "2", func(o Options) bool { return o.Version == "2" }},
		{"description", "D", func(o Options) bool { return o.Description == "D" }},
		{"fq_schema_naming", "false", func(o Options) bool { return o.ShortNames }},
		{"fq_schema_naming", "true", func(o Options) bool { return !o.ShortNames }},
		{"depth", "0", func(o Options) bool { return o.Depth == 0 }},
		{"output_mode", "source_relative", func(o Options) bool { return o.SourceRelative }},
		{"omitempty", "false", func(o Options) bool { return !o.OmitEmpty }},
		{"omitempty_prefix", "/x", func(o Options) bool { return o.OmitEmptyPrefix == "/x" }},
		{"naming", "json", func(o Options) bool { return true }},
		{"enum_type", "string", func(o Options) bool { return true }},
		{"default_response", "false", func(o Options) bool { return true }},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		if err := o.SetParam(tt.name, tt.value); err != nil {
			t.Errorf("SetParam(%s, %s) error = %v", tt.name, tt.value, err)
			continue
		}
		if !tt.want(o) {
			t.Errorf("SetParam(%s, %s) = %+v", tt.name, tt.value, o)
		}
	}
	for _, bad := range [][2]string{{"depth", "-1"}, {"depth", "x"}, {"output_mode", "x"}, {"omitempty", "x"}, {"fq_schema_naming", "x"}, {"default_response", "x"}, {"nope", "1"}} {
		o := DefaultOptions()
		if err := o.SetParam(bad[0], bad[1]); err == nil {
			t.Errorf("SetParam(%s, %s) = nil error, want one", bad[0], bad[1])
		}
	}
	var warned []string
	o := DefaultOptions()
	o.Warn = func(err error) { warned = append(warned, err.Error()) }
	for _, p := range [][2]string{{"naming", "proto"}, {"enum_type", "integer"}} {
		if err := o.SetParam(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if len(warned) != 2 {
		t.Errorf("warnings = %q, want one for naming=proto and one for enum_type=integer", warned)
	}
}

func TestResponseName(t *testing.T) {
	for _, tt := range []struct {
		code int32
		want string
	}{{404, "NotFound"}, {500, "InternalServerError"}, {418, "Imateapot"}, {499, "Error499"}} {
		if got := responseName(tt.code); got != tt.want {
			t.Errorf("responseName(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
}
