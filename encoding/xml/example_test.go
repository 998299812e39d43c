package xml_test

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/xml"
)

func Example() {
	type point struct {
		X int `xml:"x,attr"`
		Y int `xml:"y,attr"`
	}
	codec := encoding.GetCodec(xml.Name)
	b, err := codec.Marshal(point{X: 1, Y: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output: <point x="1" y="2"></point>
}
