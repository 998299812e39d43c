// Package xml is the "xml" codec, backed by encoding/xml.
//
// Importing the package registers the codec; encoding.GetCodec("xml")
// returns the same codec without the import.
package xml

import (
	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/xmlcodec"
)

// Name is the name the xml codec is registered under.
const Name = "xml"

func init() {
	encoding.RegisterCodec(xmlcodec.Codec{})
}
