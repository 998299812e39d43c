package encoding_test

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/encoding"
)

func ExampleGetCodec() {
	// The built-in codecs need no import of their packages.
	codec := encoding.GetCodec("json")
	b, err := codec.Marshal(map[string]int{"answer": 42})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(codec.Name(), string(b))

	fmt.Println(encoding.GetCodec("msgpack") == nil)
	// Output:
	// json {"answer":42}
	// true
}

// upper is a toy codec registered under a new name.
type upper struct{}

func (upper) Name() string { return "upper" }

func (upper) Marshal(v any) ([]byte, error) { return fmt.Appendf(nil, "%v", v), nil }

func (upper) Unmarshal(data []byte, v any) error {
	p, ok := v.(*string)
	if !ok {
		return fmt.Errorf("upper: cannot unmarshal into %T", v)
	}
	*p = string(data)
	return nil
}

func ExampleRegisterCodec() {
	// Register at init time; last registration wins.
	encoding.RegisterCodec(upper{})

	b, _ := encoding.GetCodec("UPPER").Marshal("hello")
	fmt.Println(string(b))
	// Output: hello
}
