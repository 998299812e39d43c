package router

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// named is a handler that is told apart by its name.
type named string

func (named) ServeHTTP(http.ResponseWriter, *http.Request) {}

type reg struct {
	method, template, name string
	headers                []string
	prefix                 bool
}

func mustRouter(t testing.TB, regs []reg, opts ...Option) *Router {
	t.Helper()
	r := New(opts...)
	for _, g := range regs {
		var err error
		if g.prefix {
			err = r.HandlePrefix(g.method, g.template, named(g.name))
		} else {
			err = r.Handle(g.method, g.template, named(g.name), g.headers...)
		}
		if err != nil {
			t.Fatalf("register %s %q: %v", g.method, g.template, err)
		}
	}
	return r
}

var serviceRoutes = []reg{
	{method: "GET", template: "/", name: "root"},
	{method: "GET", template: "/helloworld/{name}", name: "hello"},
	{method: "POST", template: "/helloworld/{name}", name: "hello-post"},
	{template: "/static/path", name: "static"},
	{method: "GET", template: "/users/me", name: "me"},
	{method: "GET", template: "/users/{id}", name: "user"},
	{method: "GET", template: "/users/{id:[0-9]+}/posts", name: "user-posts-re"},
	{method: "GET", template: "/users/{id}/posts/{post}", name: "user-post"},
	{method: "GET", template: "/v1/{name:shelves/[^/]+}", name: "shelf"},
	{method: "GET", template: "/v1/{name=shelves/*}/books/{book}", name: "book"},
	{method: "GET", template: "/v1/{a}.{b}", name: "dot"},
	{method: "GET", template: "/files/{path:.*}", name: "files"},
	{method: "GET", template: "/x/{x=a/*/b/**}", name: "xab"},
	{method: "GET", template: "/trailing/", name: "trailing"},
	{method: "GET", template: "/h", name: "h2", headers: []string{"x-version", "2"}},
	{method: "GET", template: "/h", name: "h-any"},
	{method: "GET", template: "/honly", name: "honly", headers: []string{"X-Token", ""}},
	{template: "/both", name: "both-any"},
	{method: "GET", template: "/both", name: "both-get"},
	{method: "GET", template: "/p/{x:.*}", name: "p-re"},
	{method: "GET", template: "/p/{y}", name: "p-param"},
	{method: "GET", template: "/p/fixed", name: "p-static"},
	{method: "GET", template: "/q/{a}/x", name: "q-ax"},
	{method: "GET", template: "/q/{b:[a-z]+}/{c}", name: "q-re"},
	{method: "get", template: "/lower", name: "lower"},
	{method: "PUT", template: "/dup", name: "dup-first"},
	{method: "PUT", template: "/dup", name: "dup-second"},
	{method: "GET", template: "/c/{id:[0-9]{3}}", name: "nested-braces"},
	{method: "GET", template: "/sp ace/{v}", name: "space"},
	{method: "GET", template: "/lit/{v:[a-z]+} x", name: "lit-space"},
	{method: "GET", prefix: true, template: "/api/", name: "api"},
	{prefix: true, template: "/assets/", name: "assets"},
	{method: "DELETE", prefix: true, template: "/files/", name: "files-delete"},
}

func TestLookup(t *testing.T) {
	r := mustRouter(t, serviceRoutes)
	tests := []struct {
		method, target string
		header         map[string]string
		name           string
		vars           map[string]string
		template       string
		status         int
		allow          string
	}{
		{method: "GET", target: "/", name: "root", template: "/", status: 200},
		{method: "GET", target: "/helloworld/kratos", name: "hello", vars: map[string]string{"name": "kratos"}, template: "/helloworld/{name}", status: 200},
		{method: "POST", target: "/helloworld/kratos", name: "hello-post", vars: map[string]string{"name": "kratos"}, status: 200},
		{method: "DELETE", target: "/helloworld/kratos", status: 405, allow: "GET, POST"},
		{method: "GET", target: "/helloworld/", status: 404},
		{method: "GET", target: "/helloworld", status: 404},
		{method: "GET", target: "/helloworld/a/b", status: 404},
		{method: "GET", target: "/helloworld/a%2Fb", name: "hello", vars: map[string]string{"name": "a/b"}, status: 200},
		{method: "GET", target: "/helloworld/a%20b", name: "hello", vars: map[string]string{"name": "a b"}, status: 200},
		{method: "GET", target: "/helloworld/%E4%B8%96", name: "hello", vars: map[string]string{"name": "世"}, status: 200},
		{method: "PATCH", target: "/static/path", name: "static", template: "/static/path", status: 200},
		{method: "GET", target: "/static/pa%74h", name: "static", status: 200},
		{method: "GET", target: "/static%2Fpath", status: 404},
		{method: "GET", target: "/static/path/", status: 404},
		{method: "GET", target: "/static//path", status: 404},
		{method: "GET", target: "/static/./path", status: 404},
		{method: "GET", target: "/users/me", name: "me", status: 200},
		{method: "GET", target: "/users/42", name: "user", vars: map[string]string{"id": "42"}, status: 200},
		{method: "GET", target: "/users/42/posts", name: "user-posts-re", vars: map[string]string{"id": "42"}, status: 200},
		{method: "GET", target: "/users/abc/posts", status: 404},
		{method: "GET", target: "/users/abc/posts/7", name: "user-post", vars: map[string]string{"id": "abc", "post": "7"}, status: 200},
		{method: "GET", target: "/users/me/posts/7", name: "user-post", vars: map[string]string{"id": "me", "post": "7"}, status: 200},
		{method: "GET", target: "/v1/shelves/s1", name: "shelf", vars: map[string]string{"name": "shelves/s1"}, template: "/v1/{name:shelves/[^/]+}", status: 200},
		{method: "GET", target: "/v1/shelves/s%2F1", name: "shelf", vars: map[string]string{"name": "shelves/s/1"}, status: 200},
		{method: "GET", target: "/v1/shelves/s1/books/b1", name: "book", vars: map[string]string{"name": "shelves/s1", "book": "b1"}, status: 200},
		{method: "GET", target: "/v1/shelves/s1/books/", status: 404},
		{method: "GET", target: "/v1/x.y.z", name: "dot", vars: map[string]string{"a": "x.y", "b": "z"}, status: 200},
		{method: "GET", target: "/v1/xyz", status: 404},
		{method: "GET", target: "/v1/x%2Ey", name: "dot", vars: map[string]string{"a": "x", "b": "y"}, status: 200},
		{method: "GET", target: "/v1/x%2Ey.z", name: "dot", vars: map[string]string{"a": "x.y", "b": "z"}, status: 200},
		{method: "GET", target: "/files/", name: "files", vars: map[string]string{"path": ""}, status: 200},
		{method: "GET", target: "/files/a/b/c.txt", name: "files", vars: map[string]string{"path": "a/b/c.txt"}, status: 200},
		{method: "DELETE", target: "/files/a", name: "files-delete", template: "/files/", status: 200},
		{method: "PUT", target: "/files/a", status: 405, allow: "DELETE, GET"},
		{method: "GET", target: "/x/a/1/b", status: 404},
		{method: "GET", target: "/x/a/1/b/", name: "xab", vars: map[string]string{"x": "a/1/b/"}, status: 200},
		{method: "GET", target: "/x/a/1/b/c/d", name: "xab", vars: map[string]string{"x": "a/1/b/c/d"}, status: 200},
		{method: "GET", target: "/x/a//b/c", status: 404},
		{method: "GET", target: "/trailing/", name: "trailing", status: 200},
		{method: "GET", target: "/trailing", status: 404},
		{method: "GET", target: "/h", name: "h-any", status: 200},
		{method: "GET", target: "/h", header: map[string]string{"X-Version": "2"}, name: "h2", status: 200},
		{method: "GET", target: "/h", header: map[string]string{"X-Version": "3"}, name: "h-any", status: 200},
		{method: "GET", target: "/honly", status: 404},
		{method: "POST", target: "/honly", status: 404},
		{method: "POST", target: "/honly", header: map[string]string{"X-Token": "t"}, status: 405, allow: "GET"},
		{method: "GET", target: "/honly", header: map[string]string{"X-Token": "t"}, name: "honly", status: 200},
		{method: "GET", target: "/both", name: "both-get", status: 200},
		{method: "PUT", target: "/both", name: "both-any", status: 200},
		{method: "GET", target: "/p/fixed", name: "p-static", status: 200},
		{method: "GET", target: "/p/other", name: "p-param", vars: map[string]string{"y": "other"}, status: 200},
		{method: "GET", target: "/p/a/b", name: "p-re", vars: map[string]string{"x": "a/b"}, status: 200},
		{method: "GET", target: "/p/", name: "p-re", vars: map[string]string{"x": ""}, status: 200},
		{method: "GET", target: "/q/abc/x", name: "q-ax", vars: map[string]string{"a": "abc"}, status: 200},
		{method: "GET", target: "/q/abc/y", name: "q-re", vars: map[string]string{"b": "abc", "c": "y"}, status: 200},
		{method: "GET", target: "/q/123/y", status: 404},
		{method: "GET", target: "/lower", name: "lower", status: 200},
		{method: "PUT", target: "/dup", name: "dup-first", status: 200},
		{method: "GET", target: "/c/123", name: "nested-braces", vars: map[string]string{"id": "123"}, status: 200},
		{method: "GET", target: "/c/1234", status: 404},
		{method: "GET", target: "/sp%20ace/v", name: "space", vars: map[string]string{"v": "v"}, status: 200},
		{method: "GET", target: "/lit/abc%20x", name: "lit-space", vars: map[string]string{"v": "abc"}, status: 200},
		{method: "GET", target: "/api/v1/anything", name: "api", template: "/api/", status: 200},
		{method: "POST", target: "/api/v1/anything", status: 405, allow: "GET"},
		{method: "POST", target: "/assets/app.js", name: "assets", status: 200},
		{method: "GET", target: "/nowhere", status: 404},
		{method: "GET", target: "/" + strings.Repeat("a", MaxPathLen), status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			m, status, allow, redirect := r.Lookup(req)
			if status != tt.status || allow != tt.allow || redirect != "" {
				t.Fatalf("Lookup() status, allow, redirect = %d, %q, %q, want %d, %q, %q", status, allow, redirect, tt.status, tt.allow, "")
			}
			var got string
			if m.Handler != nil {
				got = string(m.Handler.(named))
			}
			if got != tt.name {
				t.Errorf("Lookup() handler = %q, want %q", got, tt.name)
			}
			if !maps.Equal(m.Vars, tt.vars) || (m.Vars == nil) != (tt.vars == nil) {
				t.Errorf("Lookup() vars = %v, want %v", m.Vars, tt.vars)
			}
			if tt.template != "" && m.Template != tt.template {
				t.Errorf("Lookup() template = %q, want %q", m.Template, tt.template)
			}
		})
	}
}

// TestLookupRawPath covers paths that a parsed request cannot carry, such
// as bad escapes.
func TestLookupRawPath(t *testing.T) {
	r := mustRouter(t, serviceRoutes)
	tests := []struct {
		path   string
		status int
	}{
		{"/helloworld/%zz", 400},
		{"/helloworld/%", 400},
		{"/helloworld/a%2", 400},
		{"/static/%", 400},
		{"/helloworld/a%2f", 200},
		{"", 200},
		{"*", 404},
		{"helloworld/x", 404},
	}
	long := func(unit string, n int) string { return strings.Repeat(unit, n/len(unit)+1)[:n] }
	tests = append(tests, []struct {
		path   string
		status int
	}{
		{long("/", MaxPathLen), 404},
		{long("/", MaxPathLen+1), 400},
		{"/files/" + long("a/", MaxPathLen-7), 200},
		{"/files/" + long("a/", MaxPathLen-6), 400},
		{long("/%41", MaxPathLen), 404},
		{long("/helloworld", MaxPathLen), 404},
		{"/v1/" + long("x.", MaxPathLen-5) + "y", 200},
	}...)
	for _, tt := range tests {
		_, status, _, _ := r.lookup("GET", tt.path, "", nil, nil)
		if status != tt.status {
			name := tt.path
			if len(name) > 40 {
				name = fmt.Sprintf("%s... (%d bytes)", name[:40], len(name))
			}
			t.Errorf("lookup(%q) status = %d, want %d", name, status, tt.status)
		}
	}
}

func TestStrictSlash(t *testing.T) {
	regs := []reg{
		{method: "GET", template: "/a/", name: "a"},
		{method: "GET", template: "/b", name: "b"},
		{template: "/c/", name: "c"},
		{method: "GET", template: "/d/{id}", name: "d"},
		{method: "POST", template: "/e", name: "e"},
		{method: "GET", prefix: true, template: "/pre/", name: "pre"},
	}
	tests := []struct {
		method, target string
		status         int
		redirect       string
		name           string
	}{
		{"GET", "/a/", 200, "", "a"},
		{"GET", "/a", 301, "/a/", ""},
		{"HEAD", "/a", 405, "", ""},
		{"GET", "/b", 200, "", "b"},
		{"GET", "/b/?q=1&r=2", 301, "/b?q=1&r=2", ""},
		{"POST", "/c", 308, "/c/", ""},
		{"GET", "/c", 301, "/c/", ""},
		{"GET", "/d/x/", 301, "/d/x", ""},
		{"GET", "/d/x%2Fy/", 301, "/d/x%2Fy", ""},
		{"POST", "/e/", 308, "/e", ""},
		{"GET", "/e/", 405, "", ""},
		{"GET", "/", 404, "", ""},
		{"GET", "/pre", 404, "", ""},
	}
	r := mustRouter(t, regs, WithStrictSlash(true))
	for _, tt := range tests {
		m, status, _, redirect := r.Lookup(httptest.NewRequest(tt.method, tt.target, nil))
		var name string
		if m.Handler != nil {
			name = string(m.Handler.(named))
		}
		if status != tt.status || redirect != tt.redirect || name != tt.name {
			t.Errorf("Lookup(%s %s) = %d, %q, %q, want %d, %q, %q", tt.method, tt.target, status, redirect, name, tt.status, tt.redirect, tt.name)
		}
	}

	off := mustRouter(t, regs)
	for _, target := range []string{"/a", "/b/", "/c"} {
		_, status, _, redirect := off.Lookup(httptest.NewRequest("GET", target, nil))
		if status != 404 || redirect != "" {
			t.Errorf("without strict slash: Lookup(GET %s) = %d, %q, want 404, \"\"", target, status, redirect)
		}
	}
}

func TestInvalidTemplates(t *testing.T) {
	tests := []struct {
		template string
		headers  []string
		want     string // substring of the error
	}{
		{"", nil, "must start with /"},
		{"users", nil, "must start with /"},
		{"/{", nil, "unbalanced braces"},
		{"/a/{b", nil, "unbalanced braces"},
		{"/a}", nil, "unbalanced braces"},
		{"/{a}}", nil, "unbalanced braces"},
		{"/{}", nil, "empty variable name"},
		{"/{:[0-9]+}", nil, "empty variable name"},
		{"/{=*}", nil, "empty variable name"},
		{"/{a b}", nil, "bad variable name"},
		{"/{a}/{a}", nil, `duplicate variable name "a"`},
		{"/{a}/{a:.*}", nil, `duplicate variable name "a"`},
		{"/{a:}", nil, "empty pattern"},
		{"/{a:[}", nil, "bad regexp"},
		{"/{a:(}", nil, "bad regexp"},
		{"/{a:)}", nil, "bad regexp"},
		{"/{a=}", nil, "empty pattern"},
		{"/{a=b*}", nil, "must be whole segments"},
		{"/{a=b//c}", nil, "empty segment"},
		{"/a\x81/{b:.*}", nil, "not valid UTF-8"},
		{"/{a}", []string{"X-Key"}, "odd number of header arguments"},
		{"/{a}", []string{"", "v"}, "empty header name"},
	}
	for _, tt := range tests {
		err := New().Handle("GET", tt.template, named("x"), tt.headers...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Handle(%q, %q) error = %v, want it to contain %q", tt.template, tt.headers, err, tt.want)
		}
	}
	if err := New().Handle("GET", "/a", nil); err == nil {
		t.Error("Handle(nil handler) error = nil, want an error")
	}
	if err := New().HandlePrefix("GET", "a", named("x")); err == nil {
		t.Error(`HandlePrefix("a") error = nil, want an error`)
	}
}

func TestValidTemplates(t *testing.T) {
	for _, tpl := range []string{
		"/", "//", "/a//b", "/{a}{b}", "/{a:x}{b:y}", "/{a=*}", "/{a=**}", "/{a=x/*/y/**}",
		"/{a.b}", "/{a-b}", "/{a:[0-9]{1,3}}", "/{a:(?i)abc}", "/v1/{a}:get", "/%", "/{a}%",
	} {
		if err := New().Handle("", tpl, named("x")); err != nil {
			t.Errorf("Handle(%q) error = %v, want nil", tpl, err)
		}
	}
}

func TestMultipleVarsInSegment(t *testing.T) {
	r := mustRouter(t, []reg{
		{method: "POST", template: "/v1/{name}:cancel", name: "cancel"},
		{method: "GET", template: "/img/{w:[0-9]+}x{h:[0-9]+}.{ext}", name: "img"},
		{method: "GET", template: "/pair/{a}{b:[0-9]}", name: "pair"},
	})
	tests := []struct {
		method, target, name string
		vars                 map[string]string
	}{
		{"POST", "/v1/op1:cancel", "cancel", map[string]string{"name": "op1"}},
		{"POST", "/v1/op1%3Acancel", "cancel", map[string]string{"name": "op1"}},
		{"GET", "/img/640x480.png", "img", map[string]string{"w": "640", "h": "480", "ext": "png"}},
		{"GET", "/pair/ab7", "pair", map[string]string{"a": "ab", "b": "7"}},
	}
	for _, tt := range tests {
		m, status, _, _ := r.Lookup(httptest.NewRequest(tt.method, tt.target, nil))
		if status != 200 || m.Handler != named(tt.name) || !maps.Equal(m.Vars, tt.vars) {
			t.Errorf("Lookup(%s %s) = %d, %v, %v, want 200, %v, %v", tt.method, tt.target, status, m.Handler, m.Vars, tt.name, tt.vars)
		}
	}
}

func TestPrecedence(t *testing.T) {
	// Registration order must not matter across specificity levels.
	regs := []reg{
		{method: "GET", prefix: true, template: "/a/", name: "prefix"},
		{method: "GET", template: "/a/{x:.+}", name: "regex"},
		{method: "GET", template: "/a/{x}", name: "param"},
		{method: "GET", template: "/a/b", name: "static"},
	}
	paths := map[string]string{"/a/b": "static", "/a/c": "param", "/a/c/d": "regex", "/a/": "prefix"}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}} {
		var rs []reg
		for _, i := range order {
			rs = append(rs, regs[i])
		}
		r := mustRouter(t, rs)
		for path, want := range paths {
			m, _, _, _ := r.Lookup(httptest.NewRequest("GET", path, nil))
			if m.Handler != named(want) {
				t.Errorf("order %v: Lookup(%s) handler = %v, want %s", order, path, m.Handler, want)
			}
		}
	}
}

func TestWalk(t *testing.T) {
	r := mustRouter(t, serviceRoutes)
	var got []string
	err := r.Walk(func(method, template string) error {
		got = append(got, method+" "+template)
		return nil
	})
	if err != nil {
		t.Fatalf("Walk() error = %v", err)
	}
	if len(got) != len(serviceRoutes) {
		t.Fatalf("Walk() visited %d routes, want %d", len(got), len(serviceRoutes))
	}
	for i, g := range serviceRoutes {
		if want := strings.ToUpper(g.method) + " " + g.template; got[i] != want {
			t.Errorf("Walk() route %d = %q, want %q", i, got[i], want)
		}
	}
	stop := errors.New("stop")
	n := 0
	err = r.Walk(func(string, string) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("Walk() with failing fn = %v after %d calls, want %v after 1", err, n, stop)
	}
}

func TestLookupNil(t *testing.T) {
	if _, status, _, _ := New().Lookup(nil); status != 400 {
		t.Errorf("Lookup(nil) status = %d, want 400", status)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Method = ""
	r := mustRouter(t, []reg{{method: "GET", template: "/", name: "root"}})
	if m, status, _, _ := r.Lookup(req); status != 200 || m.Handler != named("root") {
		t.Errorf("Lookup(empty method) = %d, %v, want 200, root", status, m.Handler)
	}
}

func TestConcurrentLookup(t *testing.T) {
	r := mustRouter(t, serviceRoutes)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				path := fmt.Sprintf("/helloworld/n%d", i)
				m, status, _, _ := r.Lookup(httptest.NewRequest("GET", path, nil))
				if status != 200 || m.Vars["name"] != fmt.Sprintf("n%d", i) {
					t.Errorf("goroutine %d: Lookup(%s) = %d, %v", g, path, status, m.Vars)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			if err := r.Handle("GET", fmt.Sprintf("/late/%d", i), named("late")); err != nil {
				t.Errorf("Handle() error = %v", err)
			}
		}
	}()
	wg.Wait()
	if _, status, _, _ := r.Lookup(httptest.NewRequest("GET", "/late/49", nil)); status != 200 {
		t.Errorf("Lookup(/late/49) status = %d, want 200", status)
	}
}

func TestNoRedirectToOtherHost(t *testing.T) {
	r := mustRouter(t, []reg{{method: "GET", template: "//evil.com", name: "odd"}, {method: "GET", template: "/\\evil.com", name: "odd2"}}, WithStrictSlash(true))
	for _, path := range []string{"//evil.com/", "/\\evil.com/"} {
		_, status, _, redirect := r.lookup("GET", path, "", nil, nil)
		if status == 301 || redirect != "" {
			t.Errorf("lookup(%q) = %d, %q, want no redirect", path, status, redirect)
		}
	}
	if _, status, _, _ := r.lookup("GET", "//evil.com", "", nil, nil); status != 200 {
		t.Errorf("lookup(//evil.com) status = %d, want 200", status)
	}
}

func TestEscapedPath(t *testing.T) {
	for _, u := range []*url.URL{
		{Path: "/a b"},
		{Path: "/a/b", RawPath: "/a%2Fb"},
		{Path: "/a/b", RawPath: "/a%2fb"},
		{Path: "/a b", RawPath: "/a%20b"},
		{Path: "/a b", RawPath: "/a b"},
		{Path: "/a/c", RawPath: "/a%2Fb"},
		{Path: "/a/b", RawPath: "/a%2Fbc"},
		{Path: "/a/bc", RawPath: "/a%2Fb"},
		{Path: "/a", RawPath: "/a%2"},
		{Path: "/a", RawPath: "/%61"},
		{Path: "/é", RawPath: "/%C3%A9"},
		{Path: "/!$&'()*+,;=:@[]", RawPath: "/!$&'()*+,;=:@[]"},
		{Path: "/a?", RawPath: "/a?"},
		{Path: "*"},
	} {
		if got, want := escapedPath(u), u.EscapedPath(); got != want {
			t.Errorf("escapedPath(%q, %q) = %q, want %q", u.Path, u.RawPath, got, want)
		}
	}
}

func TestRedirectKeepsEscapes(t *testing.T) {
	r := mustRouter(t, []reg{{method: "GET", template: "/s/{v}/", name: "s"}}, WithStrictSlash(true))
	req := &http.Request{Method: "GET", URL: &url.URL{Path: "/s/a b", RawQuery: "x=%20"}}
	_, status, _, redirect := r.Lookup(req)
	if status != 301 || redirect != "/s/a%20b/?x=%20" {
		t.Errorf("Lookup() = %d, %q, want 301, %q", status, redirect, "/s/a%20b/?x=%20")
	}
}

func TestAffixAndGooglePatterns(t *testing.T) {
	regs := []reg{
		{method: "POST", template: "/v1/users/{id}", name: "update"},
		{method: "POST", template: "/v1/users/{id}:activate", name: "activate"},
		{method: "POST", template: "/v1/users/u{id}:activate", name: "u-activate"},
		{method: "GET", template: "/v1/{name=projects/*/locations/*}", name: "location"},
		{method: "GET", template: "/v1/{name=projects/*}/{sub=**}", name: "rest"},
		{method: "GET", template: "/v2/{name=**}", name: "all"},
		{method: "GET", template: "/v2/{name=**}/x", name: "all-x"},
		{method: "GET", template: "/v3/{name=a/**}:get", name: "a-get"},
		{method: "GET", template: "/v4/{x=*}", name: "star"},
	}
	tests := []struct {
		method, target, name string
		vars                 map[string]string
		status               int
	}{
		{"POST", "/v1/users/42", "update", map[string]string{"id": "42"}, 200},
		{"POST", "/v1/users/42:activate", "activate", map[string]string{"id": "42"}, 200},
		{"POST", "/v1/users/42%3Aactivate", "activate", map[string]string{"id": "42"}, 200},
		{"POST", "/v1/users/u42:activate", "u-activate", map[string]string{"id": "42"}, 200},
		{"POST", "/v1/users/u:activate", "activate", map[string]string{"id": "u"}, 200},
		{"POST", "/v1/users/:activate", "update", map[string]string{"id": ":activate"}, 200},
		{"POST", "/v1/users/a%2Fb:activate", "activate", map[string]string{"id": "a/b"}, 200},
		{"GET", "/v1/projects/p1/locations/l1", "location", map[string]string{"name": "projects/p1/locations/l1"}, 200},
		{"GET", "/v1/projects/p%201/locations/l1", "location", map[string]string{"name": "projects/p 1/locations/l1"}, 200},
		{"GET", "/v1/projects/p1/a/b", "rest", map[string]string{"name": "projects/p1", "sub": "a/b"}, 200},
		{"GET", "/v1/projects/p1/", "rest", map[string]string{"name": "projects/p1", "sub": ""}, 200},
		{"GET", "/v1/projects/p1", "", nil, 404},
		{"GET", "/v2/a/b/c", "all", map[string]string{"name": "a/b/c"}, 200},
		{"GET", "/v2/a/b/x", "all-x", map[string]string{"name": "a/b"}, 200}, // a regex tail beats a ** rest
		{"GET", "/v3/a/b/c:get", "a-get", map[string]string{"name": "a/b/c"}, 200},
		{"GET", "/v4/z", "star", map[string]string{"x": "z"}, 200},
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1, 0}} {
		var rs []reg
		for _, i := range order {
			rs = append(rs, regs[i])
		}
		r := mustRouter(t, rs)
		for _, tt := range tests {
			m, status, _, _ := r.Lookup(httptest.NewRequest(tt.method, tt.target, nil))
			var name string
			if m.Handler != nil {
				name = string(m.Handler.(named))
			}
			if status != tt.status || name != tt.name || !maps.Equal(m.Vars, tt.vars) {
				t.Errorf("order %v: Lookup(%s %s) = %d, %q, %v, want %d, %q, %v", order, tt.method, tt.target, status, name, m.Vars, tt.status, tt.name, tt.vars)
			}
		}
	}
}

func TestLookupParams(t *testing.T) {
	r := New()
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tmpl := range []string{"/static", "/users/{id}", "/shelves/{shelf}/books/{book:[0-9]+}", "/files/{path=**}"} {
		if err := r.Handle("GET", tmpl, noop); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path     string
		status   int
		template string
		params   []Param
	}{
		{"/static", 200, "/static", nil},
		{"/users/a%2Fb", 200, "/users/{id}", []Param{{"id", "a/b"}}},
		{"/shelves/s1/books/42", 200, "/shelves/{shelf}/books/{book:[0-9]+}", []Param{{"shelf", "s1"}, {"book", "42"}}},
		{"/files/a/b/c", 200, "/files/{path=**}", []Param{{"path", "a/b/c"}}},
		{"/nope", 404, "", nil},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.path, nil)
		var buf [4]Param
		m, params, status, _, _ := r.LookupParams(req, buf[:0])
		if status != tt.status || m.Template != tt.template || m.Vars != nil {
			t.Errorf("LookupParams(%s) = status %d template %q vars %v; want %d %q nil", tt.path, status, m.Template, m.Vars, tt.status, tt.template)
		}
		if len(params) != len(tt.params) || (len(params) > 0 && !reflect.DeepEqual(params, tt.params)) {
			t.Errorf("LookupParams(%s) params = %v, want %v", tt.path, params, tt.params)
		}
		// Lookup agrees.
		m2, status2, _, _ := r.Lookup(req)
		if status2 != status || len(m2.Vars) != len(params) {
			t.Errorf("Lookup(%s) = %d %v, LookupParams = %d %v", tt.path, status2, m2.Vars, status, params)
		}
		for _, p := range params {
			if m2.Vars[p.Key] != p.Value {
				t.Errorf("Lookup(%s) Vars[%s] = %q, want %q", tt.path, p.Key, m2.Vars[p.Key], p.Value)
			}
		}
	}
}

func TestLookupParamsDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	r := New()
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if err := r.Handle("GET", "/helloworld/{name}", noop); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/helloworld/kratos", nil)
	var buf [4]Param
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _, _, _ = r.LookupParams(req, buf[:0])
	})
	if allocs != 0 {
		t.Errorf("LookupParams allocates %v times per call, want 0", allocs)
	}
}
