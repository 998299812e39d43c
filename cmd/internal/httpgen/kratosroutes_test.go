package httpgen

import (
	"fmt"
	nethttp "net/http"
	"net/http/httptest"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// kratosRoutes are the route strings Kratos v2.9.2's protoc-gen-go-http
// writes for google.api.http paths (read from its source: a {name=pattern}
// variable whose name is longer than one character becomes
// {name:pattern} with every * replaced by .*; other variables are copied
// as they are), and the HTTP method it registers them under (the rule's
// method; a custom rule's kind as written).
var kratosRoutes = []struct {
	method, rule string // the google.api.http rule
	kratos       string // the route Kratos registers
}{
	{"GET", "/v1/shelves/{shelf}", "/v1/shelves/{shelf}"},
	{"GET", "/v1/{name=shelves/*}", "/v1/{name:shelves/.*}"},
	{"GET", "/v1/{name=shelves/*/books/*}", "/v1/{name:shelves/.*/books/.*}"},
	{"GET", "/v1/files/{name=**}", "/v1/files/{name:.*.*}"},
	{"GET", "/v1/{name=files/**}", "/v1/{name:files/.*.*}"},
	{"GET", "/v2/{name=*}", "/v2/{name:.*}"},
	{"POST", "/v1/{name=*}:cancel", "/v1/{name:.*}:cancel"},
	{"POST", "/v3/{name}:cancel", "/v3/{name}:cancel"},
	{"POST", "/v1/{name=shelves/*/books/*}:archive", "/v1/{name:shelves/.*/books/.*}:archive"},
	{"PUT", "/v1/{book.name=shelves/*}", "/v1/{book.name:shelves/.*}"},
	{"HEAD", "/v1/heads/{shelf}", "/v1/heads/{shelf}"},
	{"SEARCH", "/v1/search/{shelf}", "/v1/search/{shelf}"},
}

// probeURLs are requested on both routers.
var probeURLs = []string{
	"/v1/shelves/s1",
	"/v1/shelves/s1/books/b1",
	"/v1/shelves/s1/x/books/b1/y",
	"/v1/shelves/a/b",
	"/v1/shelves/",
	"/v1/shelves/s%2F1",
	"/v1/shelves/s1/books/b1:archive",
	"/v1/shelves/s1/books/b1/c:archive",
	"/v1/files/a",
	"/v1/files/a/b/c",
	"/v1/files/",
	"/v1/files",
	"/v2/a",
	"/v2/a/b",
	"/v2/a:b",
	"/v1/a:cancel",
	"/v1/a/b:cancel",
	"/v1/:cancel",
	"/v3/a:cancel",
	"/v3/a/b:cancel",
	"/v3/a:b:cancel",
	"/v1/heads/s1",
	"/v1/search/s1",
}

// kratosRouter registers the route on gorilla/mux as Kratos v2.9.2's
// server does: its Route("/") joins the path with path.Join and restricts
// the route to the method, on a router with StrictSlash(true). The handler
// writes the variables.
func kratosRouter(method, route string) nethttp.Handler {
	r := mux.NewRouter()
	r.StrictSlash(true)
	r.HandleFunc(path.Join("/", route), func(w nethttp.ResponseWriter, req *nethttp.Request) {
		fmt.Fprint(w, sortedVars(mux.Vars(req)))
	}).Methods(method)
	return r
}

// ourRouter registers the route on our server the way generated code does.
func ourRouter(method, route string) nethttp.Handler {
	srv := khttp.NewServer()
	srv.Route("/").Handle(method, route, func(ctx khttp.Context) error {
		vars := map[string]string{}
		for k, v := range ctx.Vars() {
			vars[k] = v[0]
		}
		_, err := fmt.Fprint(ctx.Response(), sortedVars(vars))
		return err
	})
	return srv
}

func sortedVars(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s;", k, vars[k])
	}
	return b.String()
}

// serve returns the variables the route saw, or "no route".
func serve(h nethttp.Handler, method, url string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
	if rec.Code != nethttp.StatusOK {
		return "no route"
	}
	return rec.Body.String()
}

// oursOnly are the requests that our route takes and Kratos's does not:
// a pattern ending in * or ** matched by an empty rest after a trailing
// slash (Kratos's router redirects to the path without the slash
// instead), and an escaped slash, which our router keeps inside its
// segment where Kratos's router decodes it into a separator first.
var oursOnly = map[string]bool{
	"GET /v1/shelves/ /v1/{name=shelves/*}":      true,
	"PUT /v1/shelves/ /v1/{book.name=shelves/*}": true,
	"GET /v1/files/ /v1/files/{name=**}":         true,
	"GET /v1/files/ /v1/{name=files/**}":         true,
	"GET /v1/shelves/s%2F1 /v1/shelves/{shelf}":  true,
}

// TestRoutesMatchKratosURLs: every request that reaches a route written
// by Kratos v2.9.2's plugin, on Kratos's router, reaches the route our
// generator writes for the same rule, on our router, with the same
// variables; and the other way round, but for oursOnly.
func TestRoutesMatchKratosURLs(t *testing.T) {
	methods := []string{"GET", "POST", "PUT", "HEAD", "SEARCH"}
	for _, kr := range kratosRoutes {
		ours, _, err := routeTemplate(kr.rule)
		if err != nil {
			t.Fatalf("routeTemplate(%q) error = %v", kr.rule, err)
		}
		kh, oh := kratosRouter(kr.method, kr.kratos), ourRouter(kr.method, ours)
		matched := 0
		for _, url := range probeURLs {
			for _, method := range methods {
				want, got := serve(kh, method, url), serve(oh, method, url)
				if want != "no route" {
					matched++
				}
				if got == want {
					continue
				}
				if want == "no route" && oursOnly[method+" "+url+" "+kr.rule] {
					continue
				}
				t.Errorf("%s %s on %s %q: ours (%q) = %s, Kratos (%q) = %s", method, url, kr.method, kr.rule, ours, got, kr.kratos, want)
			}
		}
		if matched == 0 {
			t.Errorf("no probe URL reaches Kratos's route %s %q", kr.method, kr.kratos)
		}
	}
}
