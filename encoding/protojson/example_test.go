package protojson_test

import (
	"fmt"
	"strings"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/protojson"
)

func Example() {
	codec := encoding.GetCodec(protojson.Name)

	b, err := codec.Marshal(&testpb.Inner{Name: "ann"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// protojson adds random spaces; drop them for a stable output.
	fmt.Println(strings.Join(strings.Fields(string(b)), ""))
	// Output:
	// {"name":"ann","level":0,"child":null,"tags":[]}
}
