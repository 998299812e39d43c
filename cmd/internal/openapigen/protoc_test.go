package openapigen_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
)

// TestProtoc runs the protoc-gen-openapi binary under protoc, with
// third_party as the include path for the google/api and errors protos,
// and checks that it writes what the in-process run writes.
func TestProtoc(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Skip("protoc is not installed (Debian: apt-get install protobuf-compiler); skipping the protoc comparison")
	}
	if testing.Short() {
		t.Skip("builds the plugin; skipped with -short")
	}
	bin := t.TempDir()
	plugin := filepath.Join(bin, "protoc-gen-openapi")
	build := exec.Command("go", "build", "-o", plugin, "./protoc-gen-openapi")
	build.Dir = cmdRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, err := exec.Command(plugin, "--version").Output(); err != nil || !strings.HasPrefix(string(out), "protoc-gen-openapi v") {
		t.Errorf("protoc-gen-openapi --version = %q, %v", out, err)
	}
	thirdParty, err := filepath.Abs("../../../third_party")
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := documents(t)
	for _, d := range goldenDocs {
		if d.proto != "library.proto" {
			continue // the validation protos are not in third_party
		}
		out := t.TempDir()
		cmd := exec.Command(protoc, "-I", "testdata", "-I", thirdParty,
			"--plugin=protoc-gen-openapi="+plugin,
			"--openapi_out="+d.param+":"+out, d.proto)
		msg, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, msg)
		}
		if !strings.Contains(string(msg), "warning:") {
			t.Errorf("%s printed no warning for the SEARCH rule: %q", cmd, msg)
		}
		got, err := os.ReadFile(filepath.Join(out, "openapi.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if want := docs[golden+d.name]; string(got) != string(want) {
			t.Errorf("%s from protoc differs from the in-process output:\n%s", d.name, gentest.Diff(want, got))
		}
	}
}
