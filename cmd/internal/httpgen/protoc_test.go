package httpgen_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
)

// protocVersionLine matches the header lines that name the compiler, the
// only lines allowed to differ between protoc and the in-process compiler.
var protocVersionLine = regexp.MustCompile(`(?m)^//[ \t-]*protoc\s+\S+$`)

func normalizeVersion(b []byte) []byte {
	return protocVersionLine.ReplaceAll(b, []byte("// protoc VERSION"))
}

// TestProtoc runs the real plugins under protoc, with third_party as the
// include path for google/api and errors protos, and checks that they
// write what the in-process run writes.
func TestProtoc(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Skip("protoc is not installed (Debian: apt-get install protobuf-compiler); skipping the protoc comparison")
	}
	if testing.Short() {
		t.Skip("builds the plugins; skipped with -short")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator),
		"./protoc-gen-go-http", "./protoc-gen-go-errors", "google.golang.org/protobuf/cmd/protoc-gen-go")
	build.Dir = cmdRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build plugins: %v\n%s", err, out)
	}
	for _, name := range []string{"protoc-gen-go-http", "protoc-gen-go-errors"} {
		out, err := exec.Command(filepath.Join(bin, name), "--version").Output()
		if err != nil || !strings.HasPrefix(string(out), name+" v") {
			t.Errorf("%s --version = %q, %v", name, out, err)
		}
	}

	thirdParty, err := filepath.Abs("../../../third_party")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, api := range testAPIs {
		cmd := exec.Command(protoc,
			"-I", "testdata", "-I", thirdParty,
			"--plugin=protoc-gen-go="+filepath.Join(bin, "protoc-gen-go"),
			"--plugin=protoc-gen-go-http="+filepath.Join(bin, "protoc-gen-go-http"),
			"--plugin=protoc-gen-go-errors="+filepath.Join(bin, "protoc-gen-go-errors"),
			"--go_out="+module+":"+out,
			"--go-http_out="+api.httpParam+":"+out,
			"--go-errors_out="+module+":"+out,
			api.proto)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, msg)
		}
	}

	want := generate(t, nil, false)
	var got []string
	err = filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		got = append(got, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	var wantNames []string
	for name := range want {
		wantNames = append(wantNames, name)
	}
	sort.Strings(wantNames)
	if strings.Join(got, "\n") != strings.Join(wantNames, "\n") {
		t.Fatalf("protoc wrote\n%s\nin-process wrote\n%s", strings.Join(got, "\n"), strings.Join(wantNames, "\n"))
	}
	for _, name := range got {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if g, w := normalizeVersion(data), normalizeVersion(want[name]); string(g) != string(w) {
			t.Errorf("%s from protoc differs from the in-process output:\n%s", name, gentest.Diff(w, g))
		}
	}

	// protoc accepts every third_party file.
	var protos []string
	err = filepath.WalkDir(thirdParty, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".proto") {
			rel, _ := filepath.Rel(thirdParty, path)
			protos = append(protos, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(protoc, append([]string{"-I", thirdParty, "--descriptor_set_out=" + filepath.Join(out, "all.pb")}, protos...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("protoc on third_party: %v\n%s", err, msg)
	}
}
