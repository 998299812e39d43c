package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"

	v1 "github.com/seed6ad8aa6b/kratos/conformance/internal/gen/greeterv1"
)

// TestConnectWeb calls the Greeter from Node with @connectrpc/connect-web
// (web/greeter.mjs), over its Connect (JSON and binary) and gRPC-Web
// transports. It installs the npm packages of web/package.json when
// web/node_modules is missing, and, running as root where apt-get is, the
// Debian packages nodejs and npm when node or npm is missing. Without
// node and npm it skips, except in CI (CI=true), where it fails.
func TestConnectWeb(t *testing.T) {
	node, nerr := exec.LookPath("node")
	npm, perr := exec.LookPath("npm")
	if (nerr != nil || perr != nil) && installNode(t) {
		node, nerr = exec.LookPath("node")
		npm, perr = exec.LookPath("npm")
	}
	if nerr != nil || perr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node and npm are needed for the connect-web test (node: %v, npm: %v)", nerr, perr)
		}
		t.Skipf("skipping the connect-web test: node and npm are needed (node: %v, npm: %v)", nerr, perr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join("web", "node_modules", "@connectrpc", "connect-web")); err != nil {
		cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = "web"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install: %v\n%s", err, out)
		}
	}

	base := startGreeter(t)
	cmd := exec.CommandContext(ctx, node, "greeter.mjs")
	cmd.Dir = "web"
	cmd.Env = append(os.Environ(),
		"BASE_URL="+base,
		"GREETER_DESC="+descriptor(t, v1.File_greeter_v1_greeter_proto),
		"ERRDETAILS_DESC="+descriptor(t, errdetails.File_google_rpc_error_details_proto),
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node greeter.mjs: %v\n%s", err, stderr.Bytes())
	}

	type webError struct {
		Code     int               `json:"code"`
		Message  string            `json:"message"`
		Reason   string            `json:"reason"`
		Metadata map[string]string `json:"metadata"`
	}
	type result struct {
		Transport string    `json:"transport"`
		Hello     string    `json:"hello"`
		Stream    []string  `json:"stream"`
		Error     *webError `json:"error"`
	}
	wantErr := &webError{Code: 5, Message: "no such user", Reason: "USER_NOT_FOUND", Metadata: map[string]string{"user": "missing"}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var got result
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("output line %q: %v", sc.Bytes(), err)
		}
		seen[got.Transport] = true
		want := result{Transport: got.Transport, Hello: "Hello web", Stream: []string{"Hello stream", "Hello stream", "Hello stream"}, Error: wantErr}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v (error %+v), want %+v (error %+v)", got.Transport, got, got.Error, want, want.Error)
		}
	}
	for _, tr := range []string{"connect", "connect-binary", "grpc-web"} {
		if !seen[tr] {
			t.Errorf("no result for the %s transport; output:\n%s", tr, out)
		}
	}
}

// installNode installs Debian's nodejs and npm, as root with apt-get, and
// reports whether it ran.
func installNode(t *testing.T) bool {
	apt, err := exec.LookPath("apt-get")
	if err != nil || os.Getuid() != 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "nodejs", "npm"}} {
		cmd := exec.CommandContext(ctx, apt, args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("apt-get %v: %v\n%s", args, err, out)
			return false
		}
	}
	return true
}

// descriptor returns fd as a base64 FileDescriptorProto.
func descriptor(t *testing.T, fd protoreflect.FileDescriptor) string {
	t.Helper()
	b, err := proto.Marshal(protodesc.ToFileDescriptorProto(fd))
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}
