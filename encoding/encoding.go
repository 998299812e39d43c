package encoding

import (
	"strings"
	"sync"
)

// Codec encodes values to bytes and decodes bytes to values for one content
// type. Implementations must be safe for concurrent use.
type Codec interface {
	// Marshal returns the wire format of v.
	Marshal(v any) ([]byte, error)
	// Unmarshal parses the wire format into v, which must be a pointer.
	Unmarshal(data []byte, v any) error
	// Name returns the content subtype the codec is registered under,
	// for example "json".
	Name() string
}

// registry holds the codecs registered with RegisterCodec, keyed by their
// lower-cased name. The built-in codecs are not stored here; GetCodec falls
// back to them.
var registry = struct {
	mu     sync.RWMutex
	codecs map[string]Codec
}{codecs: make(map[string]Codec)}

// RegisterCodec makes codec available under the lower-cased result of its
// Name method, replacing any codec registered under that name before,
// including a built-in one.
//
// Register at init time; last registration wins. RegisterCodec is safe for
// concurrent use, but a codec registered while requests are being served is
// picked up by some requests and not others.
//
// RegisterCodec panics if codec is nil or its Name is empty.
func RegisterCodec(codec Codec) {
	if codec == nil {
		panic("encoding: RegisterCodec called with a nil Codec")
	}
	name := strings.ToLower(codec.Name())
	if name == "" {
		panic("encoding: RegisterCodec called with a Codec whose Name is empty")
	}
	registry.mu.Lock()
	registry.codecs[name] = codec
	registry.mu.Unlock()
}

// GetCodec returns the codec for the content subtype name, matched
// case-insensitively: the one registered last under that name, else the
// built-in codec of that name ("json", "protojson", "proto", "xml", "yaml" or
// "x-www-form-urlencoded"), else nil.
//
// GetCodec is safe for concurrent use.
func GetCodec(name string) Codec {
	name = strings.ToLower(name)
	registry.mu.RLock()
	c, ok := registry.codecs[name]
	registry.mu.RUnlock()
	if ok {
		return c
	}
	return builtin(name)
}
