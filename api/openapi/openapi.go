// Package openapi serves the OpenAPI document of a service's HTTP API, as
// `kratos proto client` (or protoc-gen-openapi) writes it next to the
// service, on the service's HTTP server or its admin listener:
//
//	//go:embed openapi.yaml
//	var doc []byte
//
//	h, err := openapi.NewHandler(doc)
//	...
//	srv.Handle("/openapi.yaml", h) // transport/http
//	srv.Handle("/openapi.json", h)
//	admin.WithHandler("/openapi.yaml", h) // or on the admin listener
//
// The document is read once, when the handler is made; it describes the
// routes the generated code registers, with the JSON the framework's codec
// writes (see encoding/jsonschema).
package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Handler serves one OpenAPI document, in YAML and in JSON. It is safe for
// concurrent use.
type Handler struct {
	yaml, json []byte
	yamlTag    string // ETag of each form
	jsonTag    string
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a Handler serving doc, an OpenAPI document in YAML or
// JSON (a JSON document is YAML too). It fails when doc is not a YAML or
// JSON mapping.
func NewHandler(doc []byte) (*Handler, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return nil, fmt.Errorf("openapi: reading the document: %w", err)
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) != 1 || n.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("openapi: the document is not a YAML or JSON mapping")
	}
	var b bytes.Buffer
	if err := writeJSON(&b, n.Content[0], 0); err != nil {
		return nil, fmt.Errorf("openapi: converting the document to JSON: %w", err)
	}
	h := &Handler{yaml: bytes.Clone(doc), json: b.Bytes()}
	h.yamlTag, h.jsonTag = etag(h.yaml), etag(h.json)
	return h, nil
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// ServeHTTP answers GET and HEAD with the document: as JSON
// (application/json) when the path ends in ".json", or when the Accept
// header names application/json and not YAML; else as YAML
// (application/yaml). Responses carry an ETag and answer If-None-Match with
// 304. Other methods get 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, tag, ct := h.yaml, h.yamlTag, "application/yaml"
	if wantsJSON(r) {
		body, tag, ct = h.json, h.jsonTag, "application/json"
	}
	w.Header().Set("Vary", "Accept")
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func wantsJSON(r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, ".json") {
		return true
	}
	if strings.HasSuffix(r.URL.Path, ".yaml") || strings.HasSuffix(r.URL.Path, ".yml") {
		return false
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "yaml")
}

// writeJSON writes a YAML node as JSON, keeping the order of mappings.
func writeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 200 {
		return errors.New("nested too deeply")
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			key := n.Content[i]
			if key.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a key is not a scalar", key.Line)
			}
			k, _ := json.Marshal(key.Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		return writeScalar(b, n)
	case yaml.AliasNode:
		return writeJSON(b, n.Alias, depth+1)
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return fmt.Errorf("line %d: %s has no JSON form", n.Line, n.Value)
		}
		out, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(out)
	default:
		out, err := json.Marshal(n.Value)
		if err != nil {
			return err
		}
		b.Write(out)
	}
	return nil
}
