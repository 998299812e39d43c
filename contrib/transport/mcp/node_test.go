package mcp_test

import (
	"bufio"
	"bytes"
	"context"
	encjson "encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestNodeClient calls the tools with the MCP TypeScript SDK
// (@modelcontextprotocol/sdk) from Node, over Streamable HTTP and SSE:
// initialize, tools/list (every schema compiled by Ajv as JSON Schema
// 2020-12), a call that succeeds (the SDK checks its structured content
// against the output schema), a validation error, a Kratos error and a
// call without a token. It installs the npm packages of
// testdata/node/package.json when node_modules is missing. Without node
// and npm it skips, except in CI (CI=true), where it fails.
func TestNodeClient(t *testing.T) {
	node, nerr := exec.LookPath("node")
	npm, perr := exec.LookPath("npm")
	if nerr != nil || perr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node and npm are needed for the Node MCP client test (node: %v, npm: %v)", nerr, perr)
		}
		t.Skipf("skipping the Node MCP client test: node and npm are needed (node: %v, npm: %v)", nerr, perr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := filepath.Join("testdata", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk")); err != nil {
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}

	url := startServer(t, newServer(t, &recorder{}))
	cmd := exec.CommandContext(ctx, node, "client.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MCP_URL="+url, "TOKEN="+token(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\n%s", err, stderr.Bytes())
	}

	type toolError struct {
		Code     int               `json:"code"`
		Reason   string            `json:"reason"`
		Message  string            `json:"message"`
		Metadata map[string]string `json:"metadata"`
	}
	type result struct {
		Transport      string            `json:"transport"`
		Server         string            `json:"server"`
		Tools          []string          `json:"tools"`
		InvalidSchemas []string          `json:"invalidSchemas"`
		Success        map[string]string `json:"success"`
		Validation     *toolError        `json:"validation"`
		KratosError    *toolError        `json:"kratosError"`
		Unauthorized   *toolError        `json:"unauthorized"`
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var got result
		if err := encjson.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("output line %q: %v", sc.Bytes(), err)
		}
		seen[got.Transport] = true
		// The messages of validation and auth errors are the validator's
		// and the jwt middleware's; only their presence is checked.
		if got.Validation != nil && got.Validation.Message != "" {
			got.Validation.Message = "set"
		}
		if got.Unauthorized != nil && got.Unauthorized.Message != "" {
			got.Unauthorized.Message = "set"
		}
		want := result{
			Transport:      got.Transport,
			Server:         "kratos",
			Tools:          []string{"Greeter_SayGoodbye", "Greeter_SayHello"},
			InvalidSchemas: []string{},
			Success:        map[string]string{"message": "Hello node", "count": "3"},
			Validation:     &toolError{Code: 400, Reason: "VALIDATOR", Message: "set"},
			KratosError:    &toolError{Code: 404, Reason: "USER_NOT_FOUND", Message: "no such user", Metadata: map[string]string{"name": "missing"}},
			Unauthorized:   &toolError{Code: 401, Reason: "UNAUTHORIZED", Message: "set"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %s\nwant %+v", got.Transport, sc.Bytes(), want)
		}
	}
	for _, tr := range []string{"streamable", "sse"} {
		if !seen[tr] {
			t.Errorf("no result for the %s transport; output:\n%s\nstderr:\n%s", tr, out, stderr.Bytes())
		}
	}
}
