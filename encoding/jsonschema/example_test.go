package jsonschema_test

import (
	"encoding/json"
	"fmt"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

// The output schema of a reply, as an MCP tool declares it: every field
// the codec always writes is required, and the recursive field refers to
// the message's own definition.
func ExampleFor() {
	md := (&testpb.Inner{}).ProtoReflect().Descriptor()
	s := jsonschema.For(md, jsonschema.WithDirection(jsonschema.Output))
	fmt.Println(s.Schema)
	fmt.Println(s.Type, s.Required)
	for _, p := range s.Properties {
		b, err := json.Marshal(p.Schema)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s\n", p.Name, b)
	}
	for name := range s.Defs {
		fmt.Println("$defs:", name)
	}
	// Output:
	// https://json-schema.org/draft/2020-12/schema
	// object [name level child tags]
	// name: {"type":"string"}
	// level: {"type":"integer","format":"int32"}
	// child: {"anyOf":[{"$ref":"#/$defs/kratos.encoding.testpb.Inner"},{"type":"null"}]}
	// tags: {"type":"array","items":{"type":"string"}}
	// $defs: kratos.encoding.testpb.Inner
}

// A Generator shares definitions between schemas, as the components of
// an OpenAPI document do.
func ExampleGenerator() {
	g := jsonschema.NewGenerator(jsonschema.WithDialect(jsonschema.OpenAPI30))
	everything := (&testpb.Everything{}).ProtoReflect().Descriptor()
	body := g.Message(everything)
	query := g.Field(everything.Fields().ByName("colors"))
	b, err := json.Marshal([]*jsonschema.Schema{body, query})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	for _, name := range []string{"kratos.encoding.testpb.Color", "kratos.encoding.testpb.Everything", "kratos.encoding.testpb.Inner"} {
		_, ok := g.Defs()[name]
		fmt.Println(name, ok)
	}
	// Output:
	// [{"$ref":"#/components/schemas/kratos.encoding.testpb.Everything"},{"type":"array","items":{"$ref":"#/components/schemas/kratos.encoding.testpb.Color"}}]
	// kratos.encoding.testpb.Color true
	// kratos.encoding.testpb.Everything true
	// kratos.encoding.testpb.Inner true
}
