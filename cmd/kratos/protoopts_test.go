package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const serviceProto = `syntax = "proto3";
package p.v1;
option go_package = "example.com/p/api/p/v1;v1";
message M {}
service S {
  rpc Get(M) returns (M);
}
`

func TestProtoClientPluginOptions(t *testing.T) {
	tests := []struct {
		name     string
		extra    []string
		wantCode int
		wantErr  string
		embed    bool // the server interface demands UnimplementedSServer
	}{
		{"defaults", nil, 0, "", true},
		{"go-grpc option", []string{"--", "--go-grpc_opt=require_unimplemented_servers=false"}, 0, "", false},
		{"repeated, last wins", []string{"--", "--go-grpc_opt=require_unimplemented_servers=false", "--go-grpc_opt=require_unimplemented_servers=true"}, 0, "", true},
		{"paths again", []string{"--", "--go_opt=paths=source_relative", "--go-http_opt=omitempty=false"}, 0, "", true},
		{"unknown parameter", []string{"--", "--go-grpc_opt=bogus=1"}, 1, "bogus", false},
		{"bad value", []string{"--", "--go-grpc_opt=require_unimplemented_servers=maybe"}, 1, "want true or false", false},
		{"output flag", []string{"--", "--go_out=."}, 2, "next to each .proto", false},
		{"unknown plugin", []string{"--", "--validate_opt=lang=go"}, 2, "go, go-grpc, go-http and go-errors", false},
		{"not a flag", []string{"--", "extra.proto"}, 2, "want --NAME_opt=VALUE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, map[string]string{"go.mod": module, "api/p/v1/p.proto": serviceProto})
			args := append([]string{"proto", "client", "--openapi=false", "api"}, tt.extra...)
			code, _, stderr := kratos(t, dir, args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("kratos %q = %d, stderr %q; want %d and %q", args, code, stderr, tt.wantCode, tt.wantErr)
			}
			if code != 0 {
				if got := listTree(t, dir); len(got) != 2 {
					t.Errorf("a failed run left %q", got)
				}
				return
			}
			grpc, err := os.ReadFile(filepath.Join(dir, "api/p/v1/p_grpc.pb.go"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(grpc), "func (UnimplementedSServer) mustEmbedUnimplementedSServer() {}"); got != tt.embed {
				t.Errorf("the server interface demands mustEmbedUnimplementedSServer: %v, want %v", got, tt.embed)
			}
		})
	}
}

func TestProtoPathFromEnv(t *testing.T) {
	shared := tree(t, map[string]string{"shared/v1/shared.proto": "syntax = \"proto3\";\npackage shared.v1;\noption go_package = \"example.com/shared/v1;v1\";\nmessage Id { string id = 1; }\n"})
	user := "syntax = \"proto3\";\npackage p.v1;\nimport \"shared/v1/shared.proto\";\noption go_package = \"example.com/p/api/p/v1;v1\";\nmessage M { shared.v1.Id id = 1; }\n"
	dir := tree(t, map[string]string{"go.mod": module, "api/p/v1/p.proto": user})

	code, _, stderr := kratos(t, dir, "proto", "client", "--openapi=false", "api")
	if code != 1 || !strings.Contains(stderr, "shared/v1/shared.proto") {
		t.Fatalf("without a proto path: %d %q; want a missing import", code, stderr)
	}
	t.Setenv("KRATOS_PROTO_PATH", filepath.Join(t.TempDir(), "none")+string(os.PathListSeparator)+shared)
	if code, _, stderr := kratos(t, dir, "proto", "client", "--openapi=false", "api"); code != 0 {
		t.Fatalf("with KRATOS_PROTO_PATH: %d %q", code, stderr)
	}
	// -p replaces the variable's list.
	if code, _, stderr := kratos(t, dir, "proto", "client", "--openapi=false", "-p", t.TempDir(), "api"); code != 1 {
		t.Errorf("-p with another directory: %d %q; want the import missing again", code, stderr)
	}
}

func TestProtoAddRefusesFlatPath(t *testing.T) {
	dir := tree(t, map[string]string{"go.mod": module})
	code, _, stderr := kratos(t, dir, "proto", "add", "demo.proto")
	if code != 1 || !strings.Contains(stderr, "api/demo/v1/demo.proto") {
		t.Errorf("kratos proto add demo.proto = %d, %q; want 1 and a hierarchical example", code, stderr)
	}
	if got := listTree(t, dir); len(got) != 1 {
		t.Errorf("a refused add left %q", got)
	}
}

func TestNewLayoutRepoFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KRATOS_LAYOUT_REPO", filepath.Join(dir, "no-such-repo"))
	code, _, stderr := kratos(t, dir, "new", "svc")
	if code != 1 || !strings.Contains(stderr, "git clone") || !strings.Contains(stderr, "no-such-repo") {
		t.Errorf("kratos new with KRATOS_LAYOUT_REPO set = %d, %q; want a clone of that repository", code, stderr)
	}
}
