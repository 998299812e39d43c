package proto_test

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	codecproto "github.com/seed6ad8aa6b/kratos/encoding/proto"
)

func Example() {
	codec := encoding.GetCodec(codecproto.Name)
	b, err := codec.Marshal(&testpb.Inner{Name: "ann"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", b)

	var out testpb.Inner
	if err := codec.Unmarshal(b, &out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.GetName())

	_, err = codec.Marshal("not a message")
	fmt.Println(err)
	// Output:
	// 0a 03 61 6e 6e
	// ann
	// proto: cannot marshal string: not a proto.Message
}
