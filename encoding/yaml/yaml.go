// Package yaml is the "yaml" codec, backed by go.yaml.in/yaml/v3.
//
// Protobuf messages go through their JSON mapping, since yaml has none of
// its own: Marshal writes the protojson form of the message (unpopulated
// fields included, JSON field names) as block yaml, and Unmarshal reads
// yaml into generic values and parses their JSON form with protojson
// (unknown fields ignored). Well-known types therefore take their JSON
// spellings, for example a Duration is "1.5s" and a Timestamp an RFC 3339
// string. An empty document leaves the message unchanged. Other values use
// yaml.Marshal and yaml.Unmarshal directly.
//
// Importing the package registers the codec; encoding.GetCodec("yaml")
// returns the same codec without the import.
package yaml

import (
	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/yamlcodec"
)

// Name is the name the yaml codec is registered under.
const Name = "yaml"

func init() {
	encoding.RegisterCodec(yamlcodec.Codec{})
}
