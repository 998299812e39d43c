package router

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// A template is parsed into a chain of segments that the tree follows one
// path segment at a time, and an optional tail. The chain holds static
// text, {name}, text{name}text (such as "{name}:cancel") and the segments
// of a google.api.http variable ({name=shelves/*} is the static segment
// "shelves" and a {name} segment, and the variable spans both; a final
// "**" matches the rest of the path). The tail starts at the first segment
// that needs a regular expression ({name:regex}, several variables in one
// segment, or a pattern that does not fit the chain) and runs to the end of
// the template; it is compiled into one anchored expression matched
// against the rest of the escaped path, so a regex may span slashes.

// segKind tells how one template segment matches a path segment.
type segKind uint8

const (
	segStatic segKind = iota // text, compared with the unescaped path segment
	segAffix                 // prefix{name}suffix; a bare {name} has both empty
	segRest                  // "**" at the end: this segment and all that follow, possibly empty
)

// tmplSeg is one segment of the chain.
type tmplSeg struct {
	kind   segKind
	text   string // segStatic: the text; segAffix: the prefix
	suffix string // segAffix
}

// segVar is a variable of the chain. Its value is the unescaped path from
// the start of segment first to the end of segment last (to the end of the
// path for a segRest), minus the affix of a segAffix variable.
type segVar struct {
	name        string
	first, last int
	trimL       int // bytes to drop from the front of the unescaped value
	trimR       int // ... and from the back
}

// tailVar is a variable captured by the tail expression.
type tailVar struct {
	name  string
	group int // capture group index
}

// tailExpr is the compiled tail of a template.
type tailExpr struct {
	// plain matches a rest of path without '%'; tolerant one with escapes
	// (any reserved byte of the template's text may then be
	// percent-encoded). They have the same groups and are often the same.
	plain, tolerant *regexp.Regexp
	lit             string // literal text the rest of path must start with
	vars            []tailVar

	// The rest of path must hold at least slashes literal '/' (exactly
	// that many when no variable pattern can match a '/'): a cheap test
	// that saves running an expression that cannot match.
	slashes   int
	slashOnly bool // the count must be exact
}

// compiled is a parsed and validated template.
type compiled struct {
	segs  []tmplSeg
	vars  []segVar
	tail  *tailExpr
	nvars int
}

// piece is literal text or a variable inside one template segment.
type piece struct {
	lit     string
	isVar   bool
	name    string
	pattern string   // regexp source; "" for one segment or a google pattern
	google  []string // the segments of a google.api.http pattern, when not "*"
}

// errTemplate builds the error returned for an invalid template.
func errTemplate(tpl, format string, args ...any) error {
	return fmt.Errorf("router: invalid template %q: %s", tpl, fmt.Sprintf(format, args...))
}

// parseTemplate parses and validates tpl.
func parseTemplate(tpl string) (*compiled, error) {
	if !strings.HasPrefix(tpl, "/") {
		return nil, errTemplate(tpl, "must start with /")
	}
	if !utf8.ValidString(tpl) {
		return nil, errTemplate(tpl, "not valid UTF-8")
	}
	raw, err := splitTemplate(tpl)
	if err != nil {
		return nil, err
	}
	segments := make([][]piece, len(raw))
	seen := make(map[string]bool)
	c := &compiled{}
	for i, s := range raw {
		if segments[i], err = parseSegment(tpl, s); err != nil {
			return nil, err
		}
		for _, p := range segments[i] {
			if !p.isVar {
				continue
			}
			if seen[p.name] {
				return nil, errTemplate(tpl, "duplicate variable name %q", p.name)
			}
			seen[p.name] = true
			c.nvars++
		}
	}
	for i, pieces := range segments {
		if !c.addChain(pieces, i == len(segments)-1) {
			return c, c.compileTail(tpl, segments[i:])
		}
	}
	return c, nil
}

// addChain appends the segments for one template segment to the chain and
// reports whether it could; last tells whether it is the template's last.
func (c *compiled) addChain(pieces []piece, last bool) bool {
	var lits int
	var v *piece
	for i := range pieces {
		if !pieces[i].isVar {
			lits++
		} else if v != nil || pieces[i].pattern != "" {
			return false // two variables, or a regexp
		} else {
			v = &pieces[i]
		}
	}
	if v == nil {
		var text string
		if lits > 0 {
			text = pieces[0].lit
		}
		c.segs = append(c.segs, tmplSeg{kind: segStatic, text: text})
		return true
	}
	if v.google == nil {
		var pre, suf string
		if pieces[0].isVar {
			if len(pieces) == 2 {
				suf = pieces[1].lit
			}
		} else {
			pre = pieces[0].lit
			if len(pieces) == 3 {
				suf = pieces[2].lit
			}
		}
		c.vars = append(c.vars, segVar{name: v.name, first: len(c.segs), last: len(c.segs), trimL: len(pre), trimR: len(suf)})
		c.segs = append(c.segs, tmplSeg{kind: segAffix, text: pre, suffix: suf})
		return true
	}
	// A google pattern has to fill the segment, and "**" may only end the
	// template.
	if lits > 0 {
		return false
	}
	for i, g := range v.google {
		if g == "**" && (i != len(v.google)-1 || !last) {
			return false
		}
	}
	first := len(c.segs)
	for _, g := range v.google {
		switch g {
		case "*":
			c.segs = append(c.segs, tmplSeg{kind: segAffix})
		case "**":
			c.segs = append(c.segs, tmplSeg{kind: segRest})
		default:
			c.segs = append(c.segs, tmplSeg{kind: segStatic, text: g})
		}
	}
	c.vars = append(c.vars, segVar{name: v.name, first: first, last: len(c.segs) - 1})
	return true
}

// compileTail compiles the template segments from the first one that the
// chain cannot hold.
func (c *compiled) compileTail(tpl string, segments [][]piece) error {
	var plain, tolerant strings.Builder
	both := func(s string) {
		plain.WriteString(s)
		tolerant.WriteString(s)
	}
	t := &tailExpr{slashOnly: true}
	both("^(?:")
	group := 0
	inLit := true
	for i, pieces := range segments {
		if i > 0 {
			both("/")
			t.slashes++
			if inLit {
				t.lit += "/"
			}
		}
		for _, p := range pieces {
			if !p.isVar {
				t.slashes += strings.Count(p.lit, "/")
				plain.WriteString(regexp.QuoteMeta(p.lit))
				tolerant.WriteString(literalPattern(p.lit))
				if inLit {
					t.lit += p.lit
				}
				continue
			}
			inLit = false
			var sub *regexp.Regexp
			var err error
			switch {
			case p.google != nil:
				sub = regexp.MustCompile(googlePattern(p.google, regexp.QuoteMeta))
				for _, g := range p.google {
					if g == "**" {
						t.slashOnly = false
					}
				}
				t.slashes += len(p.google) - 1
				both("(")
				plain.WriteString(googlePattern(p.google, regexp.QuoteMeta))
				tolerant.WriteString(googlePattern(p.google, literalPattern))
				both(")")
			default:
				pat := p.pattern
				if pat == "" {
					pat = "[^/]+"
				}
				if sub, err = regexp.Compile(pat); err != nil {
					return errTemplate(tpl, "variable %q: bad regexp: %v", p.name, err)
				}
				lo, hi := 0, -1
				if re, err := syntax.Parse(pat, syntax.Perl); err == nil {
					lo, hi = slashRange(re)
				}
				t.slashes += lo
				if hi != lo {
					t.slashOnly = false
				}
				both("((?:" + pat + "))")
			}
			group++
			t.vars = append(t.vars, tailVar{name: p.name, group: group})
			group += sub.NumSubexp()
		}
	}
	both(")$")
	var err error
	if t.plain, err = regexp.Compile(plain.String()); err != nil {
		// Each variable compiled on its own, so this is a pattern that
		// only breaks in context.
		return errTemplate(tpl, "bad regexp: %v", err)
	}
	if t.plain.NumSubexp() != group {
		return errTemplate(tpl, "a variable pattern has unbalanced groups")
	}
	t.tolerant = t.plain
	if tolerant.String() != plain.String() {
		if t.tolerant, err = regexp.Compile(tolerant.String()); err != nil {
			return errTemplate(tpl, "bad regexp: %v", err)
		}
	}
	c.tail = t
	return nil
}

// slashRange returns how many '/' a match of re may hold: at least min,
// at most max, or any number from min when max is -1. Both err on the safe
// side (min low, max high).
func slashRange(re *syntax.Regexp) (lo, hi int) {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 0, 1
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if r == '/' {
				n++
			}
		}
		return n, n
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '/' && '/' <= re.Rune[i+1] {
				return 0, 1
			}
		}
		return 0, 0
	case syntax.OpCapture:
		return slashRange(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			l, h := slashRange(sub)
			lo += l
			if hi >= 0 {
				hi = addMax(hi, h)
			}
		}
		return lo, hi
	case syntax.OpAlternate:
		lo = -1
		for _, sub := range re.Sub {
			l, h := slashRange(sub)
			if lo < 0 || l < lo {
				lo = l
			}
			if h < 0 || hi < 0 {
				hi = -1
			} else {
				hi = max(hi, h)
			}
		}
		return max(lo, 0), hi
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		l, h := slashRange(re.Sub[0])
		minRep, maxRep := 0, 1
		switch re.Op {
		case syntax.OpStar:
			maxRep = -1
		case syntax.OpPlus:
			minRep, maxRep = 1, -1
		case syntax.OpRepeat:
			minRep, maxRep = re.Min, re.Max
		}
		lo = l * minRep
		switch {
		case h == 0:
			hi = 0
		case h < 0 || maxRep < 0:
			hi = -1
		default:
			hi = h * maxRep
		}
		return lo, hi
	case syntax.OpEmptyMatch, syntax.OpNoMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, 0
	}
	return 0, -1
}

func addMax(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return a + b
}

// splitTemplate splits tpl (which starts with "/") at the slashes outside
// braces and checks that braces are balanced. Braces may nest inside a
// variable, as in {id:[0-9]{3}}.
func splitTemplate(tpl string) ([]string, error) {
	var segs []string
	depth, start := 0, 1
	for i := 1; i < len(tpl); i++ {
		switch tpl[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return nil, errTemplate(tpl, "unbalanced braces: unexpected } at offset %d", i)
			}
		case '/':
			if depth == 0 {
				segs = append(segs, tpl[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, errTemplate(tpl, "unbalanced braces: missing }")
	}
	return append(segs, tpl[start:]), nil
}

// parseSegment splits one template segment, whose braces are balanced,
// into literal text and variables.
func parseSegment(tpl, s string) ([]piece, error) {
	var out []piece
	for s != "" {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			out = append(out, piece{lit: s})
			break
		}
		if open > 0 {
			out = append(out, piece{lit: s[:open]})
		}
		depth, end := 0, -1
		for i := open; i < len(s) && end < 0; i++ {
			switch s[i] {
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					end = i
				}
			}
		}
		if end < 0 { // splitTemplate has checked the balance; be safe anyway
			return nil, errTemplate(tpl, "unbalanced braces")
		}
		p, err := parseVariable(tpl, s[open+1:end])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		s = s[end+1:]
	}
	return out, nil
}

// parseVariable parses the inside of {...}: name, name:regex or
// name=pattern (the google.api.http form).
func parseVariable(tpl, body string) (piece, error) {
	name, pattern, sep := body, "", byte(0)
	if i := strings.IndexAny(body, ":="); i >= 0 {
		name, pattern, sep = body[:i], body[i+1:], body[i]
	}
	if name == "" {
		return piece{}, errTemplate(tpl, "empty variable name in {%s}", body)
	}
	if strings.ContainsAny(name, "{}/ \t\r\n") {
		return piece{}, errTemplate(tpl, "bad variable name %q", name)
	}
	p := piece{isVar: true, name: name}
	switch sep {
	case ':':
		if pattern == "" {
			return piece{}, errTemplate(tpl, "variable %q: empty pattern", name)
		}
		if _, err := regexp.Compile(pattern); err != nil {
			return piece{}, errTemplate(tpl, "variable %q: bad regexp: %v", name, err)
		}
		p.pattern = pattern
	case '=':
		if pattern == "" {
			return piece{}, errTemplate(tpl, "variable %q: empty pattern after =", name)
		}
		if pattern == "*" {
			break // the same as {name}
		}
		p.google = strings.Split(pattern, "/")
		for _, s := range p.google {
			switch {
			case s == "":
				return piece{}, errTemplate(tpl, "variable %q: empty segment in pattern %q", name, pattern)
			case s != "*" && s != "**" && strings.ContainsAny(s, "*{}"):
				return piece{}, errTemplate(tpl, "variable %q: segment %q of pattern %q: * and ** must be whole segments", name, s, pattern)
			}
		}
	}
	return p, nil
}

// googlePattern translates the segments of a google.api.http pattern into
// a regexp: "*" is one segment, "**" any rest of the path, and lit quotes
// the literal segments.
func googlePattern(segs []string, lit func(string) string) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('/')
		}
		switch s {
		case "*":
			b.WriteString("[^/]+")
		case "**":
			b.WriteString(".*")
		default:
			b.WriteString(lit(s))
		}
	}
	return b.String()
}

// literalPattern returns a regexp matching the literal text s in an escaped
// path, where any byte other than a letter, a digit or '/' may appear
// percent-encoded.
func literalPattern(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '/' {
			b.WriteByte(c)
			continue
		}
		hex := fmt.Sprintf("%%%02X", c)
		if c < 0x80 && c > 0x20 && c != 0x7f && c != '%' {
			fmt.Fprintf(&b, "(?:%s|(?i:%s))", regexp.QuoteMeta(string(c)), hex)
		} else {
			fmt.Fprintf(&b, "(?i:%s)", hex)
		}
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
