package admin_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport/admin"
)

// An App runs the admin server next to its API servers:
//
//	app := kratos.New(kratos.Server(httpSrv, grpcSrv, adm))
//
// Here its handler is called directly.
func ExampleNew() {
	var level log.LevelVar // the App's logger filters with log.FilterLeveler(&level)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "server_requests_code_total 3\n")
	})
	adm := admin.New(
		admin.WithAddress("127.0.0.1:6060"),
		admin.WithMetrics(metrics),
		admin.WithLogLevel(&level),
		admin.WithLogger(log.NewStdLogger(os.Stdout)),
	)

	call := func(method, target string) {
		rec := httptest.NewRecorder()
		adm.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
		fmt.Printf("%s %s: %d %s\n", method, target, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	call("GET", "/healthz")
	call("GET", "/readyz") // not started: an App has not run it
	call("GET", "/metrics")
	call("PUT", "/loglevel?level=debug")
	// Output:
	// GET /healthz: 200 ok
	// GET /readyz: 503 admin: not started
	// GET /metrics: 200 server_requests_code_total 3
	// WARN msg=[admin] log level changed from INFO to DEBUG
	// PUT /loglevel?level=debug: 200 {"level":"DEBUG"}
}
