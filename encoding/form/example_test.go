package form_test

import (
	"fmt"
	"net/url"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/form"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

func ExampleEncodeValues() {
	req := &testpb.Everything{
		UserName: "ann",
		Numbers:  []int32{1, 2},
		Inner:    &testpb.Inner{Name: "x"},
		Labels:   map[string]string{"env": "prod"},
	}
	vs, err := form.EncodeValues(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(vs.Encode())
	// Output: inner.name=x&labels%5Benv%5D=prod&numbers=1&numbers=2&userName=ann
}

func ExampleDecodeValues() {
	// What the HTTP transport does with a query string and path variables.
	query, err := url.ParseQuery("user_name=ann&numbers=1&numbers=2&timeout=1.5s&color=RED")
	if err != nil {
		fmt.Println(err)
		return
	}
	query.Set("id", "42") // a path variable such as /users/{id}
	var req testpb.Everything
	if err := form.DecodeValues(&req, query); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.GetId(), req.GetUserName(), req.GetNumbers(), req.GetTimeout().AsDuration(), req.GetColor())

	err = form.DecodeValues(&req, url.Values{"age": {"abc"}})
	fmt.Println(err)
	// Output:
	// 42 ann [1 2] 1.5s RED
	// form: key "age": field age: strconv.ParseInt: parsing "abc": invalid syntax
}

func Example_structs() {
	type login struct {
		Username string `json:"username,omitempty"`
		Password string `json:"password,omitempty"`
		Remember bool   `form:"remember_me"`
	}
	codec := encoding.GetCodec(form.Name)
	b, err := codec.Marshal(login{Username: "kratos", Password: "secret", Remember: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))

	var got login
	if err := codec.Unmarshal([]byte("username=ann&remember_me=on"), &got); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", got)
	// Output:
	// password=secret&remember_me=true&username=kratos
	// {Username:ann Password: Remember:true}
}
