package router

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A template is parsed into a chain of segments that the tree can follow one
// path segment at a time (static text, or a single {name}), followed by an
// optional tail: everything from the first segment that needs a regular
// expression (a {name:regex}, a {name=a/*} pattern, or a segment that mixes
// text and variables) to the end. The tail is compiled into one anchored
// expression that is matched against the rest of the escaped path, so a
// regex variable may span several path segments.

// segKind tells how one template segment is matched.
type segKind uint8

const (
	segStatic segKind = iota // literal text, compared with the unescaped path segment
	segParam                 // {name}: any non-empty segment
)

// tmplSeg is one segment of the part of a template the tree walks.
type tmplSeg struct {
	kind segKind
	text string // segStatic: the literal; segParam: the variable name
}

// tailVar is a variable captured by the tail expression.
type tailVar struct {
	name  string
	group int // capture group index in the tail expression
}

// compiled is a parsed and validated template.
type compiled struct {
	segs     []tmplSeg      // walked by the tree
	tail     *regexp.Regexp // nil when the whole template is in segs
	tailVars []tailVar
	nvars    int
}

// piece is literal text or a variable inside one template segment.
type piece struct {
	lit     string
	isVar   bool
	name    string
	pattern string // regexp source; "" means exactly one path segment
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
	raw, err := splitTemplate(tpl)
	if err != nil {
		return nil, err
	}
	c := &compiled{}
	seen := make(map[string]bool)
	var tail strings.Builder
	group := 0
	inTail := false
	for i, s := range raw {
		pieces, err := parseSegment(tpl, s)
		if err != nil {
			return nil, err
		}
		for _, p := range pieces {
			if !p.isVar {
				continue
			}
			if seen[p.name] {
				return nil, errTemplate(tpl, "duplicate variable name %q", p.name)
			}
			seen[p.name] = true
			c.nvars++
		}
		if !inTail {
			switch {
			case len(pieces) == 0:
				c.segs = append(c.segs, tmplSeg{kind: segStatic})
				continue
			case len(pieces) == 1 && !pieces[0].isVar:
				c.segs = append(c.segs, tmplSeg{kind: segStatic, text: pieces[0].lit})
				continue
			case len(pieces) == 1 && pieces[0].pattern == "":
				c.segs = append(c.segs, tmplSeg{kind: segParam, text: pieces[0].name})
				continue
			}
			inTail = true
			tail.WriteString("^(?:")
		} else if i > 0 {
			tail.WriteByte('/')
		}
		for _, p := range pieces {
			if !p.isVar {
				tail.WriteString(literalPattern(p.lit))
				continue
			}
			pat := p.pattern
			if pat == "" {
				pat = "[^/]+"
			}
			sub, err := regexp.Compile(pat)
			if err != nil {
				return nil, errTemplate(tpl, "variable %q: bad regexp: %v", p.name, err)
			}
			group++
			c.tailVars = append(c.tailVars, tailVar{name: p.name, group: group})
			group += sub.NumSubexp()
			tail.WriteString("((?:")
			tail.WriteString(pat)
			tail.WriteString("))")
		}
	}
	if inTail {
		tail.WriteString(")$")
		re, err := regexp.Compile(tail.String())
		if err != nil {
			// Each variable compiled on its own, so this is a pattern
			// that only breaks in context, such as a stray ")".
			return nil, errTemplate(tpl, "bad regexp: %v", err)
		}
		if re.NumSubexp() != group {
			return nil, errTemplate(tpl, "unbalanced groups in a variable pattern")
		}
		c.tail = re
	}
	return c, nil
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

// parseSegment splits one template segment (braces already balanced) into
// literal text and variables.
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
		for i := open; i < len(s); i++ {
			if s[i] == '{' {
				depth++
			} else if s[i] == '}' {
				depth--
				if depth == 0 {
					end = i
					break
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
	switch sep {
	case ':':
		if pattern == "" {
			return piece{}, errTemplate(tpl, "variable %q: empty pattern", name)
		}
		if _, err := regexp.Compile(pattern); err != nil {
			return piece{}, errTemplate(tpl, "variable %q: bad regexp: %v", name, err)
		}
	case '=':
		p, err := googlePattern(pattern)
		if err != nil {
			return piece{}, errTemplate(tpl, "variable %q: %v", name, err)
		}
		pattern = p
	}
	return piece{isVar: true, name: name, pattern: pattern}, nil
}

// googlePattern translates a google.api.http path pattern such as
// "shelves/*/books/*" or "**" into a regexp: "*" is one segment, "**" any
// remaining path. A lone "*" is returned as "", the one-segment default.
func googlePattern(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty pattern after =")
	}
	if p == "*" {
		return "", nil
	}
	var b strings.Builder
	for i, s := range strings.Split(p, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		switch {
		case s == "*":
			b.WriteString("[^/]+")
		case s == "**":
			b.WriteString(".*")
		case s == "":
			return "", fmt.Errorf("empty segment in pattern %q", p)
		case strings.ContainsAny(s, "*{}"):
			return "", fmt.Errorf("segment %q of pattern %q: * and ** must be whole segments", s, p)
		default:
			b.WriteString(literalPattern(s))
		}
	}
	return b.String(), nil
}

// literalPattern returns a regexp matching the literal text s in an escaped
// path, where any byte other than an unreserved one may appear
// percent-encoded.
func literalPattern(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || c == '/' {
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

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
