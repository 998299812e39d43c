package router

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"time"
)

var okStatus = map[int]bool{200: true, 301: true, 308: true, 400: true, 404: true, 405: true}

// The fuzz targets panic from a timer when one input takes over 10s, so
// that a hang is reported with its input.

// FuzzTemplate checks that the parser never panics, and that a template it
// accepts can be looked up; when the template needs no regexp, a path built
// from it must match with the expected variables.
func FuzzTemplate(f *testing.F) {
	for _, g := range serviceRoutes {
		f.Add(g.template, g.template)
	}
	for _, s := range []string{
		"/", "//", "/{", "/}", "/{a}{b}", "/{a:[0-9]{2}}/x", "/{a=b/*/c/**}", "/{a=**}", "/v1/{name}:cancel",
		"/p{a}s/{b=x/*}", "/{a:(}", "/{a:.*}/{b}", "/%", "/a b/{c}", "/{a.b=**}", "/{x:[^/]+}.{y}",
	} {
		f.Add(s, "/a/b")
	}
	f.Fuzz(func(t *testing.T, tpl, path string) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("slow %q %q", tpl, path)) })
		defer tm.Stop()
		r := New(WithStrictSlash(true))
		if err := r.Handle("", tpl, named("x")); err != nil {
			if !strings.HasPrefix(err.Error(), "router: ") {
				t.Fatalf("Handle(%q) error %q lacks the package prefix", tpl, err)
			}
			return
		}
		for _, p := range []string{path, tpl, "/" + path} {
			_, status, _, _ := r.lookup("GET", p, "", nil, nil)
			if !okStatus[status] {
				t.Fatalf("lookup(%q) on %q: status %d", p, tpl, status)
			}
		}
		c, err := parseTemplate(tpl)
		if err != nil {
			t.Fatalf("parseTemplate(%q) = %v after Handle accepted it", tpl, err)
		}
		if c.tail != nil {
			return
		}
		built, vars := buildPath(c)
		if len(built) > MaxPathLen {
			return
		}
		m, status, _, _ := r.lookup("GET", built, "", nil, nil)
		if status != 200 || m.Template != tpl {
			t.Fatalf("lookup(%q) on %q = %d, %q, want 200, %q", built, tpl, status, m.Template, tpl)
		}
		if !maps.Equal(m.Vars, vars) || (m.Vars == nil) != (len(vars) == 0) {
			t.Fatalf("lookup(%q) on %q vars = %v, want %v", built, tpl, m.Vars, vars)
		}
	})
}

// buildPath returns an escaped path that c matches and the variables it
// must yield.
func buildPath(c *compiled) (string, map[string]string) {
	var b strings.Builder
	raw := make([]string, len(c.segs)) // unescaped value of each segment
	for i, s := range c.segs {
		b.WriteByte('/')
		switch s.kind {
		case segStatic:
			raw[i] = s.text
			b.WriteString(url.PathEscape(s.text))
		case segAffix:
			raw[i] = s.text + "x" + s.suffix
			b.WriteString(url.PathEscape(s.text) + "x" + url.PathEscape(s.suffix))
		case segRest:
			raw[i] = "r/s"
			b.WriteString("r/s")
		}
	}
	var vars map[string]string
	for _, v := range c.vars {
		if vars == nil {
			vars = make(map[string]string)
		}
		val := strings.Join(raw[v.first:v.last+1], "/")
		vars[v.name] = val[v.trimL : len(val)-v.trimR]
	}
	return b.String(), vars
}

// FuzzLookup runs arbitrary paths against a fixed route set: no panic, a
// known status, a redirect that leads to a route, and the same answer
// whether or not the walk takes the fast paths for unescaped paths.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{
		"/", "", "*", "/helloworld/kratos", "/helloworld/a%2Fb", "/v1/shelves/s1/books/b1", "/files/a/b/c",
		"/x/a/1/b/c", "/v1/x.y", "/p/a/b", "/q/abc/y", "/%zz", "/a%", "/static/pa%74h", "/sp%20ace/v",
		"/lit/abc%20x", "/api/x", "/trailing", "/users/42/posts/", "//", "/./..", "/c/123",
	} {
		f.Add("GET", s, "")
		f.Add("POST", s, "2")
	}
	r := mustRouter(f, serviceRoutes, WithStrictSlash(true))
	f.Fuzz(func(t *testing.T, method, path, version string) {
		hdr := http.Header{"X-Version": {version}}
		m, status, allow, redirect := r.lookup(method, path, "q=1", hdr, nil)
		if !okStatus[status] {
			t.Fatalf("lookup(%s %q) status = %d", method, path, status)
		}
		switch status {
		case 200:
			if m.Handler == nil || m.Template == "" {
				t.Fatalf("lookup(%s %q) = 200 with handler %v, template %q", method, path, m.Handler, m.Template)
			}
		case 405:
			if allow == "" {
				t.Fatalf("lookup(%s %q) = 405 with no Allow", method, path)
			}
		case 301, 308:
			target, ok := strings.CutSuffix(redirect, "?q=1")
			if !ok {
				t.Fatalf("lookup(%s %q) redirect %q lost the query", method, path, redirect)
			}
			if _, st, _, _ := r.lookup(method, target, "", hdr, nil); st != 200 {
				t.Fatalf("lookup(%s %q) redirects to %q, which gives %d", method, path, target, st)
			}
		}
		if status != 200 && m.Handler != nil {
			t.Fatalf("lookup(%s %q) = %d with a handler", method, path, status)
		}

		// The slow walk (no static map, tolerant expressions) must agree.
		if status == 400 || len(path) > MaxPathLen {
			return
		}
		p := path
		if p == "" {
			p = "/"
		}
		s := search{path: p, method: method, header: hdr}
		found := p[0] == '/' && s.walk(&r.load().root, 1, false)
		var slow Match
		if found {
			slow = s.match()
		} else {
			for _, rt := range r.load().prefixes {
				if rt.matchesPrefix(p) && (rt.method == "" || rt.method == method) {
					found, slow = true, Match{Handler: rt.handler, Template: rt.template}
					break
				}
			}
		}
		if found != (status == 200) || found && (slow.Template != m.Template || slow.Handler != m.Handler || !maps.Equal(slow.Vars, m.Vars)) {
			t.Fatalf("lookup(%s %q) = %d, %q, %v; slow walk = %v, %q, %v", method, path, status, m.Template, m.Vars, found, slow.Template, slow.Vars)
		}
	})
}

// FuzzEscapedPath checks escapedPath against URL.EscapedPath.
func FuzzEscapedPath(f *testing.F) {
	f.Add("/a/b", "/a%2Fb")
	f.Add("/a b", "/a%20b")
	f.Add("/a", "/%61")
	f.Add("/é", "/%c3%a9")
	f.Fuzz(func(t *testing.T, path, raw string) {
		u := &url.URL{Path: path, RawPath: raw}
		if got, want := escapedPath(u), u.EscapedPath(); got != want {
			t.Fatalf("escapedPath(%q, %q) = %q, want %q", path, raw, got, want)
		}
	})
}

// FuzzSlashRange checks that slashRange bounds the slashes of every match.
func FuzzSlashRange(f *testing.F) {
	for _, s := range []string{"[^/]+", ".*", "a/b", "(a/|b)*c", "x{2,3}/?", "[/a]{2}", "(?s).", `\D+`, "a|/"} {
		f.Add(s, "a/b/c")
		f.Add(s, "//")
	}
	f.Fuzz(func(t *testing.T, pat, in string) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("slow %q %q", pat, in)) })
		defer tm.Stop()
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err != nil {
			return
		}
		parsed, err := syntax.Parse(pat, syntax.Perl)
		if err != nil {
			return
		}
		if !re.MatchString(in) {
			return
		}
		lo, hi := slashRange(parsed)
		if n := strings.Count(in, "/"); n < lo || hi >= 0 && n > hi {
			t.Fatalf("slashRange(%q) = %d, %d, but it matches %q with %d slashes", pat, lo, hi, in, n)
		}
	})
}
