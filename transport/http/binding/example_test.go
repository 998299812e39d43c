package binding_test

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

func ExampleEncodeURL() {
	in := &testpb.CreateBookRequest{Parent: "shelves/1", RequestId: "r-1"}
	fmt.Println(binding.EncodeURL("/v1/{parent:shelves/.*}/books", in, true))
	fmt.Println(binding.EncodeURL("/helloworld/{name}", &testpb.HelloRequest{Name: "a b"}, true))
	// Output:
	// /v1/shelves/1/books?requestId=r-1
	// /helloworld/a%20b
}
