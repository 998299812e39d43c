package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestNewThenProtoClientOpenAPI: kratos new, then kratos proto client in
// the project, writes openapi.yaml for the template's proto: a valid
// OpenAPI 3.0 document with the error body on every operation.
// --openapi=false writes none.
func TestNewThenProtoClientOpenAPI(t *testing.T) {
	oas30, err := os.ReadFile(filepath.Join("..", "internal", "openapigen", "testdata", "oas3.0-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if code, _, stderr := kratos(t, work, "new", "shop", "--module", "example.com/shop"); code != 0 {
		t.Fatalf("kratos new = %d, %s", code, stderr)
	}
	proj := filepath.Join(work, "shop")
	if _, err := os.Stat(filepath.Join(proj, "openapi.yaml")); err == nil {
		os.Remove(filepath.Join(proj, "openapi.yaml"))
	}
	code, out, stderr := kratos(t, proj, "proto", "client", "api")
	if code != 0 {
		t.Fatalf("kratos proto client = %d, %s", code, stderr)
	}
	if !strings.Contains(out, "wrote openapi.yaml") {
		t.Errorf("proto client printed %q, want it to name openapi.yaml", out)
	}
	doc, err := os.ReadFile(filepath.Join(proj, "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec := validOpenAPI(t, oas30, doc)
	ops := 0
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			def := op.Responses.Default()
			if def == nil || def.Value == nil {
				t.Errorf("%s %s has no default (error) response", method, path)
				continue
			}
			schema := def.Value.Content.Get("application/json").Schema.Value
			for _, p := range []string{"code", "reason", "message", "metadata"} {
				if schema.Properties[p] == nil {
					t.Errorf("%s %s: the error body lacks %s", method, path, p)
				}
			}
			if bad := op.Responses.Status(400); bad == nil || bad.Value.Content.Get("application/json").Examples["NAME_INVALID"] == nil {
				t.Errorf("%s %s: no 400 response with the reason NAME_INVALID of greeter.proto", method, path)
			}
		}
	}
	if ops == 0 {
		t.Error("openapi.yaml has no operation")
	}
	if g := spec.Paths.Find("/helloworld/{name}"); g == nil || g.Get == nil {
		t.Errorf("openapi.yaml lacks GET /helloworld/{name}:\n%s", doc)
	}

	os.Remove(filepath.Join(proj, "openapi.yaml"))
	if code, _, stderr := kratos(t, proj, "proto", "client", "api", "--openapi=false"); code != 0 {
		t.Fatalf("kratos proto client --openapi=false = %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(proj, "openapi.yaml")); err == nil {
		t.Error("--openapi=false wrote openapi.yaml")
	}
}

// validOpenAPI checks doc against the OpenAPI 3.0 JSON Schema oas30 (kept
// by the openapigen tests) and with kin-openapi.
func validOpenAPI(t *testing.T, oas30, doc []byte) *openapi3.T {
	t.Helper()
	meta, err := jsonschema.UnmarshalJSON(bytes.NewReader(oas30))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("oas30.json", meta); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("oas30.json")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("openapi.yaml is not a valid OpenAPI 3.0 document: %v", err)
	}
	spec, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		t.Errorf("kin-openapi: %v", err)
	}
	return spec
}
