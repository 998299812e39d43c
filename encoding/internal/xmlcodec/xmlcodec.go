// Package xmlcodec implements the xml codec with encoding/xml.
package xmlcodec

import "encoding/xml"

// Name is the content subtype of the codec.
const Name = "xml"

// Codec is the xml codec.
type Codec struct{}

// Name returns "xml".
func (Codec) Name() string { return Name }

// Marshal encodes v with xml.Marshal.
func (Codec) Marshal(v any) ([]byte, error) { return xml.Marshal(v) }

// Unmarshal decodes data into v with xml.Unmarshal.
func (Codec) Unmarshal(data []byte, v any) error { return xml.Unmarshal(data, v) }
