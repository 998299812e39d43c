package router

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// table is an immutable snapshot of the routes, built by load.
type table struct {
	root     node
	static   map[string]*node // the end node of every all-static template, by path
	prefixes []*route
}

// node is a point in the segment tree, reached after matching some path
// segments. At a node the next path segment is tried, in this order,
// against the static children, the affixed variables, the bare {name}, the
// regex tails, and last the "**" rests.
type node struct {
	static map[string]*node // keyed by the unescaped segment
	affix  []affixChild     // text{name}text; longest text first
	param  *node            // {name}
	leaf   []*group         // templates that end here
	tails  []*group         // templates whose rest is a regex, from the next segment
	rest   []*group         // templates ending in "**", from the next segment
}

type affixChild struct {
	prefix, suffix string
	node           *node
}

// group holds the routes registered with one template.
type group struct {
	template string
	c        *compiled
	entries  []*route
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
	t := &table{static: make(map[string]*node)}
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
	allStatic := c.tail == nil
	list := &n.leaf
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
		case segAffix:
			allStatic = false
			n = n.affixChild(s.text, s.suffix)
		case segRest:
			allStatic = false
			if i != len(c.segs)-1 {
				panic("router: ** before the end of a template") // parseTemplate prevents this
			}
		}
		list = &n.leaf
		if s.kind == segRest {
			list = &n.rest
		}
	}
	if c.tail != nil {
		list = &n.tails
	}
	if allStatic {
		var b strings.Builder
		for _, s := range c.segs {
			b.WriteByte('/')
			b.WriteString(s.text)
		}
		t.static[b.String()] = n
	}
	for _, g := range *list {
		if g.template == rt.template {
			g.entries = append(g.entries, rt)
			return
		}
	}
	*list = append(*list, &group{template: rt.template, c: c, entries: []*route{rt}})
}

// affixChild returns the child for prefix{name}suffix, adding it if needed.
func (n *node) affixChild(prefix, suffix string) *node {
	if prefix == "" && suffix == "" {
		if n.param == nil {
			n.param = &node{}
		}
		return n.param
	}
	for _, a := range n.affix {
		if a.prefix == prefix && a.suffix == suffix {
			return a.node
		}
	}
	child := &node{}
	n.affix = append(n.affix, affixChild{prefix: prefix, suffix: suffix, node: child})
	// More literal text is more specific; the sort is stable, so equal
	// lengths keep registration order.
	slices.SortStableFunc(n.affix, func(a, b affixChild) int {
		return cmp.Compare(len(b.prefix)+len(b.suffix), len(a.prefix)+len(a.suffix))
	})
	return child
}

// search is one walk of the tree for a path.
type search struct {
	path   string // escaped; its escapes are valid
	plain  bool   // path has no '%'
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

// tree walks t and reports whether a route matched.
func (s *search) tree(t *table) bool {
	if len(s.path) == 0 || s.path[0] != '/' {
		return false
	}
	if s.plain && !s.collect {
		if n := t.static[s.path]; n != nil {
			for _, g := range n.leaf {
				if s.pick(g, 0, nil) {
					return true
				}
			}
		}
	}
	return s.walk(&t.root, 1, false)
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
	if len(n.affix) > 0 && s.affixes(n, seg, end, last) {
		return true
	}
	if n.param != nil && seg != "" && s.walk(n.param, end+1, last) {
		return true
	}
	for _, g := range n.tails {
		t := g.c.tail
		rest := s.path[pos:]
		if n := strings.Count(rest, "/"); n < t.slashes || t.slashOnly && n != t.slashes {
			continue
		}
		re := t.tolerant
		if s.plain {
			if !strings.HasPrefix(rest, t.lit) {
				continue
			}
			re = t.plain
		}
		if loc := re.FindStringSubmatchIndex(rest); loc != nil && s.pick(g, pos, loc) {
			return true
		}
	}
	for _, g := range n.rest {
		if s.pick(g, 0, nil) {
			return true
		}
	}
	return false
}

// affixes tries the affixed children of n for the escaped segment seg.
func (s *search) affixes(n *node, seg string, end int, last bool) bool {
	u := seg
	var buf [128]byte
	if !s.plain && strings.IndexByte(seg, '%') >= 0 {
		b := unescape(buf[:0], seg)
		for _, a := range n.affix {
			if len(b) > len(a.prefix)+len(a.suffix) &&
				string(b[:len(a.prefix)]) == a.prefix && string(b[len(b)-len(a.suffix):]) == a.suffix &&
				s.walk(a.node, end+1, last) {
				return true
			}
		}
		return false
	}
	for _, a := range n.affix {
		if len(u) > len(a.prefix)+len(a.suffix) &&
			strings.HasPrefix(u, a.prefix) && strings.HasSuffix(u, a.suffix) &&
			s.walk(a.node, end+1, last) {
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
	var chosen *route
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
			chosen = rt
			break
		}
		if rt.method == "" && chosen == nil {
			chosen = rt
		}
	}
	if chosen == nil {
		return false
	}
	s.group, s.route, s.tailPos, s.loc = g, chosen, pos, loc
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
		if !slices.Contains(vals, want.value) {
			return false
		}
	}
	return true
}

// match builds the Match for a successful search, with its Vars map.
func (s *search) match() Match {
	m := Match{Handler: s.route.handler, Template: s.group.template}
	if s.group.c.nvars == 0 {
		return m
	}
	var buf [8]Param
	params := s.params(buf[:0])
	m.Vars = make(map[string]string, len(params))
	for _, p := range params {
		m.Vars[p.Key] = p.Value
	}
	return m
}

// params appends the path variables of a successful search to dst.
func (s *search) params(dst []Param) []Param {
	c := s.group.c
	if c.nvars == 0 {
		return dst
	}
	path := s.path
	pos, seg := 1, 0 // pos is where segment seg starts
	for _, v := range c.vars {
		for ; seg < v.first; seg++ {
			pos += strings.IndexByte(path[pos:], '/') + 1
		}
		start := pos
		end := len(path)
		if c.segs[v.last].kind != segRest {
			for ; seg < v.last; seg++ {
				pos += strings.IndexByte(path[pos:], '/') + 1
			}
			if i := strings.IndexByte(path[pos:], '/'); i >= 0 {
				end = pos + i
			}
		}
		val := unescapeString(path[start:end])
		dst = append(dst, Param{Key: v.name, Value: val[v.trimL : len(val)-v.trimR]})
	}
	for _, v := range c.tail.varsOrNil() {
		a, b := s.loc[2*v.group], s.loc[2*v.group+1]
		if a < 0 {
			dst = append(dst, Param{Key: v.name})
			continue
		}
		dst = append(dst, Param{Key: v.name, Value: unescapeString(path[s.tailPos+a : s.tailPos+b])})
	}
	return dst
}

func (t *tailExpr) varsOrNil() []tailVar {
	if t == nil {
		return nil
	}
	return t.vars
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
