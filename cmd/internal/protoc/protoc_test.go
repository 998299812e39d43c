package protoc

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// writeTree writes files (slash-separated name -> content) under a new
// temporary directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const greeter = `syntax = "proto3";
package a.v1;
import "google/api/annotations.proto";
import "errors/errors.proto";
import "google/protobuf/empty.proto";
import "b/v1/b.proto";
option go_package = "example.com/a/v1;v1";
service S {
  rpc M(b.v1.Req) returns (google.protobuf.Empty) {
    option (google.api.http) = { get: "/m/{name}" };
  }
}
enum Reason {
  option (errors.default_code) = 500;
  R_UNSPECIFIED = 0;
}
`

const imported = `syntax = "proto3";
package b.v1;
option go_package = "example.com/b/v1;v1";
message Req { string name = 1; }
`

func TestCompileResolvesUserAndBuiltInImports(t *testing.T) {
	dir := writeTree(t, map[string]string{"a/v1/a.proto": greeter, "b/v1/b.proto": imported})
	c := &Compiler{ImportPaths: []string{dir}}
	req, err := c.Compile(context.Background(), []string{"a/v1/a.proto"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range req.GetProtoFile() {
		names = append(names, f.GetName())
	}
	// Dependencies come before the files that import them.
	last := names[len(names)-1]
	if last != "a/v1/a.proto" {
		t.Errorf("last file = %q, want the file to generate; order %q", last, names)
	}
	for _, want := range []string{"google/api/annotations.proto", "google/api/http.proto", "errors/errors.proto",
		"google/protobuf/empty.proto", "google/protobuf/descriptor.proto", "b/v1/b.proto"} {
		if !slices.Contains(names, want) {
			t.Errorf("request files %q lack %q", names, want)
		}
	}
	if got := req.GetFileToGenerate(); !slices.Equal(got, []string{"a/v1/a.proto"}) {
		t.Errorf("FileToGenerate = %q, want [a/v1/a.proto]", got)
	}
	// The http rule arrives as the Go type a generator reads.
	a := req.GetProtoFile()[len(names)-1]
	rule, ok := proto.GetExtension(a.GetService()[0].GetMethod()[0].GetOptions(), annotations.E_Http).(*annotations.HttpRule)
	if !ok || rule.GetGet() != "/m/{name}" {
		t.Errorf("http rule = %v, want get /m/{name}", rule)
	}
	if a.GetSourceCodeInfo() == nil {
		t.Error("the file to generate has no source code info (comments would be lost)")
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings, in order, of the error
	}{
		{
			name:  "syntax error",
			files: map[string]string{"x/bad.proto": "syntax = \"proto3\";\npackage x;\nmessage M {\n  string name = 1\n}\n"},
			want:  []string{"x/bad.proto:5:1: syntax error"},
		},
		{
			name:  "missing import",
			files: map[string]string{"x/bad.proto": "syntax = \"proto3\";\npackage x;\nimport \"nope/missing.proto\";\n"},
			want:  []string{"x/bad.proto:3:8:", "nope/missing.proto", "not found"},
		},
		{
			name:  "two problems",
			files: map[string]string{"x/bad.proto": "syntax = \"proto3\";\npackage x;\nmessage M {\n  Unknown a = 1;\n  Other b = 2;\n}\n"},
			want:  []string{"x/bad.proto:4:3:", "Unknown", "\n", "x/bad.proto:5:3:", "Other"},
		},
		{
			name:  "duplicate field number",
			files: map[string]string{"x/bad.proto": "syntax = \"proto3\";\npackage x;\nmessage M {\n  string a = 1;\n  string b = 1;\n}\n"},
			want:  []string{"x/bad.proto:5:14:", "same tag"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			c := &Compiler{ImportPaths: []string{dir}}
			_, err := c.Compile(context.Background(), []string{"x/bad.proto"})
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Compile() error = %v, want *Error", err)
			}
			msg := err.Error()
			// Problems name the file on disk.
			msg = strings.ReplaceAll(msg, dir+string(filepath.Separator), "")
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Compile() error =\n%s\nwant, in order, %q", msg, tt.want)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestCompileFileNotFound(t *testing.T) {
	c := &Compiler{ImportPaths: []string{t.TempDir()}}
	_, err := c.Compile(context.Background(), []string{"none.proto"})
	if err == nil || !strings.Contains(err.Error(), "none.proto") {
		t.Errorf("Compile() error = %v, want one naming none.proto", err)
	}
	if _, err := c.Compile(context.Background(), nil); err == nil {
		t.Error("Compile(nil) succeeded")
	}
}

func TestImportName(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	c := &Compiler{ImportPaths: []string{a, b}}
	name, root, err := c.ImportName(filepath.Join(b, "x", "y.proto"))
	if err != nil || name != "x/y.proto" || root != b {
		t.Errorf("ImportName() = %q, %q, %v; want x/y.proto, %q", name, root, err, b)
	}
	if _, _, err := c.ImportName(filepath.Join(os.TempDir(), "elsewhere.proto")); err == nil {
		t.Error("ImportName() of a file outside the import paths succeeded")
	}
}

func TestGenerateReportsPluginErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"b/v1/b.proto": imported, "nogo.proto": "syntax = \"proto3\";\npackage n;\n"})
	c := &Compiler{ImportPaths: []string{dir}}
	req, err := c.Compile(context.Background(), []string{"b/v1/b.proto"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		plugin Plugin
		want   string
	}{
		{"error", Plugin{Name: "p", Run: func(*protogen.Plugin) error { return errors.New("boom") }}, "p: boom"},
		{"panic", Plugin{Name: "p", Run: func(*protogen.Plugin) error { panic("kaput") }}, "kaput"},
		{"bad param", Plugin{Name: "p", Param: "what=ever", Run: func(*protogen.Plugin) error { return nil }}, "what"},
	}
	for _, tt := range tests {
		_, err := Generate(req, tt.plugin)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Generate() error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}

	// A file without go_package cannot be generated for.
	req, err = c.Compile(context.Background(), []string{"nogo.proto"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Generate(req, Plugin{Name: "p", Run: func(*protogen.Plugin) error { return nil }})
	if err == nil || !strings.Contains(err.Error(), "Go import path") {
		t.Errorf("Generate() without go_package error = %v", err)
	}
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	files := []File{{Name: "a/x.go", Content: []byte("x")}, {Name: "b/c/y.go", Content: []byte("y")}}
	if err := WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil || string(got) != string(f.Content) {
			t.Errorf("%s = %q, %v; want %q", f.Name, got, err, f.Content)
		}
	}

	// A name leaving dir fails before anything is written.
	bad := []File{{Name: "ok.go", Content: []byte("ok")}, {Name: "../escape.go", Content: []byte("no")}}
	if err := WriteFiles(dir, bad); err == nil {
		t.Fatal("WriteFiles() with ../ succeeded")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("after a failed WriteFiles, %s holds %q, want [a b]", dir, names)
	}
}

// The descriptor of built-in imports is the one linked into the binary.
func TestBuiltInDescriptorsAreTheLinkedOnes(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.proto": "syntax = \"proto3\";\npackage a;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions { string tag = 50000; }\noption go_package = \"example.com/a\";\n"})
	c := &Compiler{ImportPaths: []string{dir}}
	req, err := c.Compile(context.Background(), []string{"a.proto"})
	if err != nil {
		t.Fatal(err)
	}
	first := req.GetProtoFile()[0]
	want := descriptorpb.File_google_protobuf_descriptor_proto.Path()
	if first.GetName() != want {
		t.Errorf("first file = %q, want %q", first.GetName(), want)
	}
}
