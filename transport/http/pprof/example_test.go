package pprof_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/pprof"
)

// Mount the profiles on a kratos HTTP server.
func ExampleNewHandler() {
	srv := khttp.NewServer()
	srv.HandlePrefix("/debug/pprof", pprof.NewHandler())

	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/goroutine?debug=1", nil))
	fmt.Println(rec.Code, strings.HasPrefix(rec.Body.String(), "goroutine profile:"))
	// Output: 200 true
}
