package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Protos annotated with the rules of protovalidate and of
// protoc-gen-validate compile with no protoc, no proto path and no
// network, and the generated code builds and carries the rules.
const (
	protovalidateProto = `syntax = "proto3";
package users.v1;
import "buf/validate/validate.proto";
import "google/api/annotations.proto";
option go_package = "example.com/p/api/users/v1;v1";
service Users {
  rpc CreateUser(CreateUserRequest) returns (CreateUserRequest) {
    option (google.api.http) = {post: "/v1/users" body: "*"};
  }
}
message CreateUserRequest {
  string email = 1 [(buf.validate.field).string.email = true];
  int32 age = 2 [(buf.validate.field).int32 = {gte: 0, lt: 150}];
}
`
	pgvProto = `syntax = "proto3";
package orders.v1;
import "google/api/annotations.proto";
import "validate/validate.proto";
option go_package = "example.com/p/api/orders/v1;v1";
service Orders {
  rpc GetOrder(GetOrderRequest) returns (GetOrderRequest) {
    option (google.api.http) = {get: "/v1/orders/{id}"};
  }
}
message GetOrderRequest {
  string id = 1 [(validate.rules).string = {min_len: 1, max_len: 64}];
}
`
	// readRules prints the rules as the Go packages of the two
	// validators read them from the generated descriptors.
	readRules = `package main

import (
	"fmt"

	bufvalidate "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	pgv "github.com/envoyproxy/protoc-gen-validate/validate"
	"google.golang.org/protobuf/proto"

	orders "example.com/p/api/orders/v1"
	users "example.com/p/api/users/v1"
)

func main() {
	age := (&users.CreateUserRequest{}).ProtoReflect().Descriptor().Fields().ByName("age")
	rule := proto.GetExtension(age.Options(), bufvalidate.E_Field).(*bufvalidate.FieldRules)
	fmt.Println("age lt", rule.GetInt32().GetLt())
	id := (&orders.GetOrderRequest{}).ProtoReflect().Descriptor().Fields().ByName("id")
	rules := proto.GetExtension(id.Options(), pgv.E_Rules).(*pgv.FieldRules)
	fmt.Println("id max_len", rules.GetString_().GetMaxLen())
}
`
)

func TestProtoClientValidateImports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generated code")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	// The project requires what this module requires (the validators' Go
	// packages among them), so it builds from the module cache alone.
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module example.com/p")
	mod = regexp.MustCompile(`(?m)^replace (\S+) => \S+$`).ReplaceAllString(mod, "replace $1 => "+root)
	dir := tree(t, map[string]string{
		"go.mod":                     mod,
		"go.sum":                     string(gosum),
		"api/users/v1/users.proto":   protovalidateProto,
		"api/orders/v1/orders.proto": pgvProto,
		"cmd/rules/main.go":          readRules,
	})

	code, _, stderr := kratos(t, dir, "proto", "client", "api")
	if code != 0 {
		t.Fatalf("kratos proto client api = %d, stderr:\n%s", code, stderr)
	}
	for file, imp := range map[string]string{
		"api/users/v1/users.pb.go":   `"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"`,
		"api/orders/v1/orders.pb.go": `"github.com/envoyproxy/protoc-gen-validate/validate"`,
	} {
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), imp) {
			t.Errorf("%s does not import %s", file, imp)
		}
	}

	cmd := exec.Command(goBin, "run", "./cmd/rules")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./cmd/rules: %v\n%s", err, out)
	}
	if got, want := string(out), "age lt 150\nid max_len 64\n"; got != want {
		t.Errorf("go run ./cmd/rules printed %q, want %q", got, want)
	}
	build := exec.Command(goBin, "build", "./...")
	build.Dir = dir
	build.Env = cmd.Env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./...: %v\n%s", err, out)
	}
}
