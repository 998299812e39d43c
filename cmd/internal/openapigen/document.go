package openapigen

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

// The OpenAPI 3.0 objects the generator writes. Fields marshal in the
// order declared, so documents are stable and read top-down.
type (
	document struct {
		OpenAPI    string             `json:"openapi"`
		Info       info               `json:"info"`
		Paths      ordered[*pathItem] `json:"paths"`
		Components components         `json:"components"`
		Tags       []tag              `json:"tags,omitempty"`
		schemas    map[string]*jsonschema.Schema
		ids        map[string]bool // operationIds in use
		tagNames   map[string]string
		errorCodes map[int32]bool
	}

	info struct {
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
		Version     string `json:"version"`
	}

	tag struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
	}

	components struct {
		Schemas   ordered[*jsonschema.Schema] `json:"schemas,omitzero"`
		Responses ordered[*response]          `json:"responses,omitzero"`
	}

	pathItem struct {
		Get     *operation `json:"get,omitempty"`
		Put     *operation `json:"put,omitempty"`
		Post    *operation `json:"post,omitempty"`
		Delete  *operation `json:"delete,omitempty"`
		Options *operation `json:"options,omitempty"`
		Head    *operation `json:"head,omitempty"`
		Patch   *operation `json:"patch,omitempty"`
		Trace   *operation `json:"trace,omitempty"`
	}

	operation struct {
		Tags        []string            `json:"tags,omitempty"`
		Description string              `json:"description,omitempty"`
		OperationID string              `json:"operationId"`
		Parameters  []*parameter        `json:"parameters,omitempty"`
		RequestBody *requestBody        `json:"requestBody,omitempty"`
		Responses   ordered[*response]  `json:"responses"`
		Deprecated  bool                `json:"deprecated,omitempty"`
		Streaming   string              `json:"x-kratos-streaming,omitempty"`
		WebSocket   *webSocketExtension `json:"x-kratos-websocket,omitempty"`
	}

	parameter struct {
		Name        string `json:"name"`
		In          string `json:"in"`
		Description string `json:"description,omitempty"`
		Required    bool   `json:"required,omitempty"`
		Deprecated  bool   `json:"deprecated,omitempty"`
		Style       string `json:"style,omitempty"`
		Explode     *bool  `json:"explode,omitempty"`
		// AllowReserved, which OpenAPI 3.0 defines for the query, is set
		// on path parameters whose value spans slashes: the server's route
		// matches them only when the slashes are sent as they are.
		AllowReserved bool               `json:"allowReserved,omitempty"`
		Schema        *jsonschema.Schema `json:"schema"`
		Oneof         *oneofExtension    `json:"x-kratos-oneof,omitempty"`
	}

	// oneofExtension marks a query parameter of a oneof member: at most
	// one member of a oneof may be sent.
	oneofExtension struct {
		Oneof string `json:"oneof"`
		Field string `json:"field"`
	}

	requestBody struct {
		Description string              `json:"description,omitempty"`
		Content     ordered[*mediaType] `json:"content"`
		Required    bool                `json:"required,omitempty"`
	}

	response struct {
		Ref         string              `json:"$ref,omitempty"`
		Description string              `json:"description,omitempty"`
		Content     ordered[*mediaType] `json:"content,omitzero"`
	}

	mediaType struct {
		Schema   *jsonschema.Schema `json:"schema,omitempty"`
		Examples ordered[*example]  `json:"examples,omitzero"`
	}

	example struct {
		Summary string `json:"summary,omitempty"`
		Value   any    `json:"value"`
	}

	// webSocketExtension names the messages of a WebSocket stream: what
	// the client sends and what it receives, one per message.
	webSocketExtension struct {
		Send    *jsonschema.Schema `json:"send"`
		Receive *jsonschema.Schema `json:"receive"`
	}
)

// ordered is a JSON object whose keys keep the order they were added in.
type ordered[V any] struct {
	keys   []string
	values map[string]V
}

func (o *ordered[V]) get(key string) (V, bool) {
	v, ok := o.values[key]
	return v, ok
}

func (o *ordered[V]) set(key string, v V) {
	if o.values == nil {
		o.values = map[string]V{}
	}
	if _, ok := o.values[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.values[key] = v
}

func (o *ordered[V]) len() int { return len(o.keys) }

func (o ordered[V]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		v, err := json.Marshal(o.values[k])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// IsZero reports whether o has no keys, for the omitzero option.
func (o ordered[V]) IsZero() bool { return len(o.keys) == 0 }

// toYAML writes v, marshaled as JSON, as YAML with the keys in the same
// order, after header.
func toYAML(header string, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(j, &node); err != nil {
		return nil, fmt.Errorf("openapigen: converting to YAML: %w", err)
	}
	plain(&node)
	var b bytes.Buffer
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, fmt.Errorf("openapigen: writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// plain drops the JSON styles (quoted strings, flow collections) that
// decoding JSON as YAML keeps, so the encoder writes block YAML and
// quotes only what needs quoting. Empty collections stay in flow style.
func plain(n *yaml.Node) {
	n.Style = 0
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		plain(c)
	}
}
