package openapi_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/seed6ad8aa6b/kratos/api/openapi"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// The document kratos proto client wrote, usually embedded with
// //go:embed openapi.yaml, served on the service's HTTP server.
func ExampleNewHandler() {
	doc := []byte("openapi: 3.0.3\ninfo:\n  title: Greeter API\n  version: 0.0.1\npaths: {}\n")
	h, err := openapi.NewHandler(doc)
	if err != nil {
		panic(err)
	}
	srv := http.NewServer()
	srv.Handle("/openapi.yaml", h)
	srv.Handle("/openapi.json", h)

	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(rec.Body)
	// Output:
	// 200 application/json
	// {"openapi":"3.0.3","info":{"title":"Greeter API","version":"0.0.1"},"paths":{}}
}
