package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/seed6ad8aa6b/kratos/encoding"
)

// defaultDecoder implements the default Decoder.
func defaultDecoder(kv *KeyValue, target map[string]any) error {
	if kv.Format == "" {
		keys := strings.Split(kv.Key, ".")
		node := target
		for _, k := range keys[:len(keys)-1] {
			sub, ok := node[k].(map[string]any)
			if !ok {
				sub = make(map[string]any)
				node[k] = sub
			}
			node = sub
		}
		node[keys[len(keys)-1]] = string(kv.Value)
		return nil
	}
	name := strings.ToLower(kv.Format)
	if name == "yml" {
		name = "yaml"
	}
	codec := encoding.GetCodec(name)
	if codec == nil {
		return fmt.Errorf("config: no codec for format %q", kv.Format)
	}
	// Decode into a map of our own: a codec may replace the map it is given
	// instead of filling it.
	decoded := make(map[string]any)
	if err := codec.Unmarshal(kv.Value, &decoded); err != nil {
		if name != "xml" {
			return err
		}
		// encoding/xml cannot decode into a map; read the document as a tree.
		var xerr error
		if decoded, xerr = decodeXML(kv.Value); xerr != nil {
			return xerr
		}
	}
	for k, v := range decoded {
		target[k] = v
	}
	return nil
}

// decodeXML reads an XML document as a tree: the children of the root
// element become its keys, an element holding only text becomes a string,
// an element with children or attributes a map, and elements repeated
// under one parent a list. Attributes are keys like child elements.
func decodeXML(data []byte) (map[string]any, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, errors.New("config: xml: no root element")
		}
		if err != nil {
			return nil, fmt.Errorf("config: xml: %w", err)
		}
		if start, ok := tok.(xml.StartElement); ok {
			v, err := xmlElement(d, start, 0)
			if err != nil {
				return nil, err
			}
			if m, ok := v.(map[string]any); ok {
				return m, nil
			}
			return map[string]any{}, nil
		}
	}
}

// maxXMLDepth bounds nesting so hostile documents cannot exhaust the stack.
const maxXMLDepth = 100

func xmlElement(d *xml.Decoder, start xml.StartElement, depth int) (any, error) {
	if depth > maxXMLDepth {
		return nil, fmt.Errorf("config: xml: elements nested deeper than %d", maxXMLDepth)
	}
	m := make(map[string]any)
	add := func(k string, v any) {
		switch old := m[k].(type) {
		case nil:
			m[k] = v
		case []any:
			m[k] = append(old, v)
		default:
			m[k] = []any{old, v}
		}
	}
	for _, a := range start.Attr {
		add(a.Name.Local, a.Value)
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("config: xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := xmlElement(d, t, depth+1)
			if err != nil {
				return nil, err
			}
			add(t.Name.Local, v)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(m) == 0 {
				return strings.TrimSpace(text.String()), nil
			}
			return m, nil
		}
	}
}
