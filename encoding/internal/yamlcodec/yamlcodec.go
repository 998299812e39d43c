// Package yamlcodec implements the yaml codec with go.yaml.in/yaml/v3.
//
// Protobuf messages have no yaml mapping of their own, so they are mapped
// through their JSON form: a message is written as protojson (unpopulated
// fields included) and that document is re-emitted as block-style yaml;
// yaml input is decoded to generic values, written as JSON and parsed with
// protojson (unknown fields ignored). Field names are therefore the JSON
// names, and yaml and JSON accept the same spellings of well-known types.
package yamlcodec

import (
	"encoding/json"
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/protoval"
)

// Name is the content subtype of the codec.
const Name = "yaml"

var (
	marshalOptions   = protojson.MarshalOptions{EmitUnpopulated: true}
	unmarshalOptions = protojson.UnmarshalOptions{DiscardUnknown: true, RecursionLimit: protoval.RecursionLimit}
)

// Codec is the yaml codec.
type Codec struct{}

// Name returns "yaml".
func (Codec) Name() string { return Name }

// Marshal encodes v with yaml.Marshal, or through protojson when v is a
// protobuf message or a pointer to one.
func (Codec) Marshal(v any) ([]byte, error) {
	if m, ok := protoval.Message(v); ok {
		return marshalMessage(m)
	}
	return yaml.Marshal(v)
}

// Unmarshal decodes data into v with yaml.Unmarshal, or through protojson
// when v is a protobuf message or a pointer to a message pointer.
func (Codec) Unmarshal(data []byte, v any) error {
	m, err := protoval.Target(v)
	if err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	if m != nil {
		if flowDepth(data) > protoval.RecursionLimit {
			return fmt.Errorf("yaml: collections nested deeper than %d", protoval.RecursionLimit)
		}
		return unmarshalMessage(data, m)
	}
	return yaml.Unmarshal(data, v)
}

// flowDepth returns how deep the flow collections ([...] and {...}) of a
// yaml document nest, skipping quoted scalars and comments. Each level
// becomes at least one message level in protojson, so a document nested
// deeper than the recursion limit is refused before the yaml parser,
// which is far slower than protojson, builds its tree.
func flowDepth(data []byte) int {
	depth, deepest := 0, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '[', '{':
			if depth++; depth > deepest {
				deepest = depth
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '\'':
			// '' inside a single-quoted scalar is an escaped quote: it
			// ends and reopens the scalar, which scans the same.
			for i++; i < len(data) && data[i] != '\''; i++ {
			}
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		}
	}
	return deepest
}

func marshalMessage(m proto.Message) ([]byte, error) {
	js, err := marshalOptions.Marshal(m)
	if err != nil {
		return nil, err
	}
	// JSON is valid yaml, so the yaml parser reads protojson output; resetting
	// the styles turns its flow collections and quoted keys into plain block
	// yaml, while the scalar tags keep strings that look like numbers quoted.
	var doc yaml.Node
	if err := yaml.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("yaml: converting protojson output: %w", err)
	}
	plain(&doc)
	return yaml.Marshal(&doc)
}

func plain(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plain(c)
	}
}

func unmarshalMessage(data []byte, m proto.Message) error {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if doc == nil {
		// An empty document (or a bare null) leaves the message as it is.
		return nil
	}
	norm, err := jsonValue(doc)
	if err != nil {
		return err
	}
	js, err := json.Marshal(norm)
	if err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	return unmarshalOptions.Unmarshal(js, m)
}

// jsonValue converts a value decoded by yaml into one encoding/json can
// write the way protojson reads it: mapping keys become strings and
// non-finite floats become the strings protojson accepts for them.
func jsonValue(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			ev, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			v[k] = ev
		}
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			ks, ok := scalarKey(k)
			if !ok {
				return nil, fmt.Errorf("yaml: unsupported mapping key of type %T", k)
			}
			ev, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			out[ks] = ev
		}
		return out, nil
	case []any:
		for i, e := range v {
			ev, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			v[i] = ev
		}
		return v, nil
	case float64:
		switch {
		case math.IsNaN(v):
			return "NaN", nil
		case math.IsInf(v, 1):
			return "Infinity", nil
		case math.IsInf(v, -1):
			return "-Infinity", nil
		}
		return v, nil
	}
	return v, nil
}

func scalarKey(k any) (string, bool) {
	switch k := k.(type) {
	case string:
		return k, true
	case bool, int, int64, uint64, float64:
		return fmt.Sprint(k), true
	case nil:
		return "null", true
	}
	return "", false
}
