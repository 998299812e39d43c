package router

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// table is an immutable snapshot of the routes, built by load.
type table struct {
	root     node
	prefixes []*route
}

// node is a point in the segment tree, reached after matching some path
// segments.
type node struct {
	static map[string]*node // keyed by the unescaped segment
	param  *node            // {name}
	leaf   []*group         // templates that end here
	tails  []*group         // templates whose rest is a regex, starting at the next segment
}

// group holds the routes registered with one template.
type group struct {
	template string
	params   []paramRef // the {name} segments walked by the tree
	tail     *regexp.Regexp
	tailVars []tailVar
	nvars    int
	entries  []*route
}

type paramRef struct {
	seg  int // index of the path segment
	name string
}

// load returns the current table, building it if routes changed.
func (r *Router) load() *table {
	if t := r.table.Load(); t != nil {
		return t
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.table.Load(); t != nil {
		return t
	}
	t := &table{}
	for _, rt := range r.routes {
		if rt.prefix {
			t.prefixes = append(t.prefixes, rt)
			continue
		}
		t.insert(rt)
	}
	r.table.Store(t)
	return t
}

func (t *table) insert(rt *route) {
	c := rt.compiled
	n := &t.root
	var params []paramRef
	for i, s := range c.segs {
		switch s.kind {
		case segStatic:
			if n.static == nil {
				n.static = make(map[string]*node)
			}
			child := n.static[s.text]
			if child == nil {
				child = &node{}
				n.static[s.text] = child
			}
			n = child
		case segParam:
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
			params = append(params, paramRef{seg: i, name: s.text})
		}
	}
	list := &n.leaf
	if c.tail != nil {
		list = &n.tails
	}
	for _, g := range *list {
		if g.template == rt.template {
			g.entries = append(g.entries, rt)
			return
		}
	}
	*list = append(*list, &group{
		template: rt.template,
		params:   params,
		tail:     c.tail,
		tailVars: c.tailVars,
		nvars:    c.nvars,
		entries:  []*route{rt},
	})
}

// search is one walk of the tree for a path.
type search struct {
	path   string // escaped, starts with "/", escapes valid
	method string
	header http.Header

	// collect makes the walk visit every matching template and gather the
	// methods of its routes in allow, ignoring the request method.
	collect bool
	allow   []string

	// The result of a successful walk.
	group   *group
	route   *route
	tailPos int   // where the tail expression matched
	loc     []int // its submatch indexes, relative to tailPos
}

// tree walks the tree from the root and reports whether a route matched.
func (s *search) tree(root *node) bool {
	if len(s.path) == 0 || s.path[0] != '/' {
		return false
	}
	return s.walk(root, 1, false)
}

// walk matches the path from pos, the start of a segment, against n. done
// means the path has no segments left.
func (s *search) walk(n *node, pos int, done bool) bool {
	if done {
		for _, g := range n.leaf {
			if s.pick(g, 0, nil) {
				return true
			}
		}
		return false
	}
	end := strings.IndexByte(s.path[pos:], '/')
	if end < 0 {
		end = len(s.path)
	} else {
		end += pos
	}
	seg := s.path[pos:end]
	last := end == len(s.path)
	if n.static != nil {
		if c := n.child(seg); c != nil && s.walk(c, end+1, last) {
			return true
		}
	}
	if n.param != nil && seg != "" && s.walk(n.param, end+1, last) {
		return true
	}
	for _, g := range n.tails {
		if loc := g.tail.FindStringSubmatchIndex(s.path[pos:]); loc != nil && s.pick(g, pos, loc) {
			return true
		}
	}
	return false
}

// child returns the static child for the escaped segment seg.
func (n *node) child(seg string) *node {
	if strings.IndexByte(seg, '%') < 0 {
		return n.static[seg]
	}
	var buf [128]byte
	return n.static[string(unescape(buf[:0], seg))]
}

// pick chooses the route of g for the request: the first one registered
// for its method, else the first any-method one; headers must match.
func (s *search) pick(g *group, pos int, loc []int) bool {
	var fallback *route
	for _, rt := range g.entries {
		if !rt.headersMatch(s.header) {
			continue
		}
		if s.collect {
			if rt.method != "" {
				s.allow = append(s.allow, rt.method)
			}
			continue
		}
		if rt.method == s.method {
			fallback = rt
			break
		}
		if rt.method == "" && fallback == nil {
			fallback = rt
		}
	}
	if fallback == nil {
		return false
	}
	s.group, s.route, s.tailPos, s.loc = g, fallback, pos, loc
	return true
}

func (rt *route) headersMatch(h http.Header) bool {
	for _, want := range rt.headers {
		vals := h[want.key]
		if want.value == "" {
			if len(vals) == 0 {
				return false
			}
			continue
		}
		found := false
		for _, v := range vals {
			if v == want.value {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// match builds the Match for a successful search.
func (s *search) match() Match {
	g := s.group
	m := Match{Handler: s.route.handler, Template: g.template}
	if g.nvars == 0 {
		return m
	}
	m.Vars = make(map[string]string, g.nvars)
	if len(g.params) > 0 {
		pos, seg := 1, 0
		for _, p := range g.params {
			for ; seg < p.seg; seg++ {
				pos += strings.IndexByte(s.path[pos:], '/') + 1
			}
			end := strings.IndexByte(s.path[pos:], '/')
			if end < 0 {
				end = len(s.path) - pos
			}
			m.Vars[p.name] = unescapeString(s.path[pos : pos+end])
		}
	}
	for _, v := range g.tailVars {
		a, b := s.loc[2*v.group], s.loc[2*v.group+1]
		if a < 0 {
			m.Vars[v.name] = ""
			continue
		}
		m.Vars[v.name] = unescapeString(s.path[s.tailPos+a : s.tailPos+b])
	}
	return m
}

// unescapeString decodes the %XX escapes of s, which the caller has
// validated. It returns s itself when there are none.
func unescapeString(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	v, err := url.PathUnescape(s)
	if err != nil { // unreachable: escapes are validated first
		return s
	}
	return v
}

// unescape appends the decoded form of s, whose escapes are valid, to dst.
func unescape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		dst = append(dst, s[i])
	}
	return dst
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
