package apigen

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateOpenAPI(t *testing.T) {
	const svc = `syntax = "proto3";
package a.v1;
option go_package = "example.com/m/a/v1;a";
import "google/api/annotations.proto";
service S { rpc M(R) returns (R) { option (google.api.http) = {get: "/m/{id}"}; } }
message R { string id = 1; }
`
	const msgs = `syntax = "proto3";
package b.v1;
option go_package = "example.com/m/b/v1;b";
message Only { string x = 1; }
`
	tests := []struct {
		name    string
		files   []string
		openapi string
		want    bool
	}{
		{"service", []string{"a/v1/s.proto", "b/v1/m.proto"}, "openapi.yaml", true},
		{"no service", []string{"b/v1/m.proto"}, "openapi.yaml", false},
		{"turned off", []string{"a/v1/s.proto"}, "", false},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		for name, src := range map[string]string{"go.mod": "module example.com/m\n", "a/v1/s.proto": svc, "b/v1/m.proto": msgs} {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var files []string
		for _, f := range tt.files {
			files = append(files, filepath.Join(dir, filepath.FromSlash(f)))
		}
		out := ""
		if tt.openapi != "" {
			out = filepath.Join(dir, tt.openapi)
		}
		written, err := Generate(context.Background(), files, Options{OpenAPI: out})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		doc, err := os.ReadFile(filepath.Join(dir, "openapi.yaml"))
		if got := err == nil; got != tt.want {
			t.Errorf("%s: openapi.yaml written = %v, want %v (wrote %v)", tt.name, got, tt.want, written)
		}
		if tt.want && !strings.Contains(string(doc), "/m/{id}:") {
			t.Errorf("%s: openapi.yaml lacks the route:\n%s", tt.name, doc)
		}
	}
}
