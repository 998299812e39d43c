package encoding

import (
	"github.com/seed6ad8aa6b/kratos/encoding/internal/formcodec"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/jsoncodec"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/protocodec"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/protojsoncodec"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/xmlcodec"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/yamlcodec"
)

// builtin returns the built-in codec called name, or nil. The codecs are
// stateless values, so nothing is created or stored here: the fallback costs
// one switch and never changes the registry.
func builtin(name string) Codec {
	switch name {
	case jsoncodec.Name:
		return jsoncodec.Default
	case protocodec.Name:
		return protocodec.Codec{}
	case protojsoncodec.Name:
		return protojsoncodec.Default
	case xmlcodec.Name:
		return xmlcodec.Codec{}
	case yamlcodec.Name:
		return yamlcodec.Codec{}
	case formcodec.Name:
		return formcodec.Codec{}
	}
	return nil
}
