package json_test

import (
	"fmt"
	"strings"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/json"
)

func Example() {
	codec := encoding.GetCodec(json.Name)

	b, err := codec.Marshal(&testpb.Inner{Name: "ann"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// protojson adds random spaces; drop them for a stable output.
	fmt.Println(strings.Join(strings.Fields(string(b)), ""))

	var in *testpb.Inner // allocated by Unmarshal
	if err := codec.Unmarshal([]byte(`{"name":"bob","unknown":true}`), &in); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(in.GetName())
	// Output:
	// {"name":"ann","level":0,"child":null,"tags":[]}
	// bob
}
