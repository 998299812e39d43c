package yaml_test

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/encoding/yaml"
)

func Example() {
	codec := encoding.GetCodec(yaml.Name)

	// Protobuf messages go through their JSON mapping.
	var msg testpb.Everything
	doc := "userName: ann\ntimeout: 1.5s\nlabels:\n  env: prod\n"
	if err := codec.Unmarshal([]byte(doc), &msg); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.GetUserName(), msg.GetTimeout().AsDuration(), msg.GetLabels())

	b, err := codec.Marshal(&testpb.Inner{Name: "x", Tags: []string{"a", "b"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(b))
	// Output:
	// ann 1.5s map[env:prod]
	// name: x
	// level: 0
	// child: null
	// tags:
	//     - a
	//     - b
}
