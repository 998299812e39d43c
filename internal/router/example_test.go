package router_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/seed6ad8aa6b/kratos/internal/router"
)

func ExampleRouter_Lookup() {
	r := router.New(router.WithStrictSlash(true))
	hello := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if err := r.Handle("GET", "/helloworld/{name}", hello); err != nil {
		panic(err)
	}
	if err := r.Handle("GET", "/v1/{name=shelves/*}/books/{book}", hello); err != nil {
		panic(err)
	}

	m, status, _, _ := r.Lookup(httptest.NewRequest("GET", "/helloworld/kratos", nil))
	fmt.Println(status, m.Template, m.Vars)

	m, status, _, _ = r.Lookup(httptest.NewRequest("GET", "/v1/shelves/s1/books/b%2F2", nil))
	fmt.Println(status, m.Vars["name"], m.Vars["book"])

	_, status, allow, _ := r.Lookup(httptest.NewRequest("POST", "/helloworld/kratos", nil))
	fmt.Println(status, allow)

	_, status, _, redirect := r.Lookup(httptest.NewRequest("GET", "/helloworld/kratos/?x=1", nil))
	fmt.Println(status, redirect)
	// Output:
	// 200 /helloworld/{name} map[name:kratos]
	// 200 shelves/s1 b/2
	// 405 GET
	// 301 /helloworld/kratos?x=1
}
