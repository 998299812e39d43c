package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// A gRPC service registered on the HTTP server answers Connect requests:
// here a unary call with JSON, as curl or a browser's fetch would send it.
// Generated code registers with pb.RegisterGreeterServer(srv, impl).
func ExampleServer_RegisterService() {
	srv := khttp.NewServer()
	srv.RegisterService(&greeterDesc, rpcGreeter{})

	req := httptest.NewRequest("POST", "/testpb.v1.Greeter/SayHello", strings.NewReader(`{"name":"kratos"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)

	var body bytes.Buffer
	_ = json.Compact(&body, w.Body.Bytes())
	fmt.Println(w.Code, w.Header().Get("Content-Type"), body.String())
	// Output: 200 application/json {"message":"Hello kratos"}
}
