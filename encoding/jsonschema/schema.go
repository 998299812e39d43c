package jsonschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Schema is one JSON Schema, or one OpenAPI 3.0 Schema Object: the
// keywords a Generator writes, each a field that is left out of the JSON
// when it has its zero value. Marshal it with encoding/json; fields come
// out in the order below, properties in the order of the message's fields.
type Schema struct {
	// Schema is "$schema", set on the root of a schema made by For.
	Schema string `json:"$schema,omitempty"`
	// Ref is "$ref": "#/$defs/NAME" in JSON Schema, or
	// "#/components/schemas/NAME" in OpenAPI 3.0.
	Ref         string `json:"$ref,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is one of "object", "array", "string", "integer", "number",
	// "boolean", or "null" (JSON Schema only).
	Type   string `json:"type,omitempty"`
	Format string `json:"format,omitempty"`
	// Nullable is OpenAPI 3.0's way of allowing null; JSON Schema says
	// it with AnyOf and a schema of Type "null".
	Nullable bool  `json:"nullable,omitempty"`
	Enum     []any `json:"enum,omitempty"`

	// Strings.
	Pattern         string  `json:"pattern,omitempty"`
	MinLength       *uint64 `json:"minLength,omitempty"`
	MaxLength       *uint64 `json:"maxLength,omitempty"`
	ContentEncoding string  `json:"contentEncoding,omitempty"`

	// Numbers. ExclusiveMinimum and ExclusiveMaximum are the JSON Schema
	// (numeric) form; OpenAPI 3.0 documents do not use them.
	Minimum          *float64 `json:"minimum,omitempty"`
	ExclusiveMinimum *float64 `json:"exclusiveMinimum,omitempty"`
	Maximum          *float64 `json:"maximum,omitempty"`
	ExclusiveMaximum *float64 `json:"exclusiveMaximum,omitempty"`

	// Arrays.
	Items       *Schema `json:"items,omitempty"`
	MinItems    *uint64 `json:"minItems,omitempty"`
	MaxItems    *uint64 `json:"maxItems,omitempty"`
	UniqueItems bool    `json:"uniqueItems,omitempty"`

	// Objects. An AdditionalProperties of &Schema{} allows any value.
	// PropertyNames is JSON Schema only.
	Properties           Properties `json:"properties,omitempty"`
	Required             []string   `json:"required,omitempty"`
	AdditionalProperties *Schema    `json:"additionalProperties,omitempty"`
	PropertyNames        *Schema    `json:"propertyNames,omitempty"`
	MinProperties        *uint64    `json:"minProperties,omitempty"`
	MaxProperties        *uint64    `json:"maxProperties,omitempty"`

	// Combinations.
	AllOf []*Schema `json:"allOf,omitempty"`
	AnyOf []*Schema `json:"anyOf,omitempty"`
	OneOf []*Schema `json:"oneOf,omitempty"`
	Not   *Schema   `json:"not,omitempty"`

	// Annotations.
	ReadOnly   bool `json:"readOnly,omitempty"`
	WriteOnly  bool `json:"writeOnly,omitempty"`
	Deprecated bool `json:"deprecated,omitempty"`

	// Defs is "$defs": the definitions the schema refers to, set on the
	// root of a schema made by For.
	Defs map[string]*Schema `json:"$defs,omitempty"`
}

// Property is one named property of an object schema.
type Property struct {
	Name   string
	Schema *Schema
}

// Properties are the properties of an object schema, in order. They
// marshal as a JSON object.
type Properties []Property

// Get returns the schema of the property name, or nil.
func (ps Properties) Get(name string) *Schema {
	for _, p := range ps {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// MarshalJSON writes the properties as one JSON object, in order.
func (ps Properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(p.Name)
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		s, err := json.Marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		b.Write(s)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object of schemas, keeping its order.
func (ps *Properties) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*ps = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("jsonschema: properties must be an object")
	}
	var out Properties
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, ok := tok.(string)
		if !ok {
			return fmt.Errorf("jsonschema: property name %v is not a string", tok)
		}
		var s *Schema
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("jsonschema: property %q: %w", name, err)
		}
		out = append(out, Property{Name: name, Schema: s})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*ps = out
	return nil
}
