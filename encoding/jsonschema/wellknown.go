package jsonschema

import "google.golang.org/protobuf/reflect/protoreflect"

// wellKnown returns the inline schema of a well-known type as protojson
// writes it, or nil for other messages.
func (g *Generator) wellKnown(md protoreflect.MessageDescriptor) *Schema {
	if md.ParentFile() == nil || md.ParentFile().Package() != "google.protobuf" {
		return nil
	}
	switch md.Name() {
	case "Timestamp":
		return &Schema{Type: "string", Format: "date-time"}
	case "Duration":
		return &Schema{Type: "string", Pattern: `^-?[0-9]+(\.[0-9]+)?s$`,
			Description: "Seconds with the suffix \"s\", such as \"1.5s\"."}
	case "FieldMask":
		return &Schema{Type: "string",
			Description: "Field paths in lowerCamelCase separated by commas, such as \"title,author.name\"."}
	case "Struct":
		return &Schema{Type: "object", AdditionalProperties: g.anyValue()}
	case "Value":
		return g.anyValue()
	case "ListValue":
		return &Schema{Type: "array", Items: g.anyValue()}
	case "Empty":
		return &Schema{Type: "object"}
	case "Any":
		return &Schema{
			Type:                 "object",
			Description:          "A message of any type: \"@type\" names it (type.googleapis.com/FULL.NAME) and the other properties are its fields, or \"value\" its JSON when it is itself a well-known type.",
			Properties:           Properties{{Name: "@type", Schema: &Schema{Type: "string"}}},
			Required:             []string{"@type"},
			AdditionalProperties: g.anyValue(),
		}
	case "DoubleValue":
		return &Schema{Type: "number", Format: "double"}
	case "FloatValue":
		return &Schema{Type: "number", Format: "float"}
	case "Int64Value":
		return &Schema{Type: "string", Format: "int64"}
	case "UInt64Value":
		return &Schema{Type: "string", Format: "uint64"}
	case "Int32Value":
		return &Schema{Type: "integer", Format: "int32"}
	case "UInt32Value":
		return &Schema{Type: "integer", Format: "uint32"}
	case "BoolValue":
		return &Schema{Type: "boolean"}
	case "StringValue":
		return &Schema{Type: "string"}
	case "BytesValue":
		return g.bytes()
	}
	return nil
}

// anyValue is the schema of any JSON value, null included.
func (g *Generator) anyValue() *Schema {
	if g.opts.dialect == OpenAPI30 {
		return &Schema{Nullable: true}
	}
	return &Schema{}
}
