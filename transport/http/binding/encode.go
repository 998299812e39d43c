package binding

import (
	"net/url"
	"reflect"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/encoding/form"
)

// EncodeURL fills the variables of pathTemplate with the fields of msg and
// returns the path; with needQuery it appends the other populated fields as
// a query string (keys sorted).
//
// A variable is written {field} or {a.b} for a nested field, and may carry
// a pattern: {name=shelves/*} as in google.api.http, or {name:shelves/.*}
// as protoc-gen-go-http rewrites it for the router. Fields are found by
// proto name or JSON name; a repeated field gives its first value. Braces
// around anything else ({}, {[]}, {[name]}) are copied as they are, as
// Kratos does. An unset or unknown field gives an empty segment.
//
// Values are written as Kratos writes them, except for the bytes that
// would make the URL invalid or change its shape: '/', '?', '#', '%',
// spaces, controls, non-ASCII and the other bytes outside RFC 3986's path
// characters are percent-encoded ("a b/c" gives "a%20b%2Fc"), while
// letters, digits, "-._~!$&'()*+,;=:@" are kept ("2233!!" stays "2233!!").
// Kratos copies values without any escaping. When the pattern spans
// several segments (it contains "/" or "**", or is a regex with ".*" or
// ".+"), the slashes of the value are kept and each segment is escaped on
// its own; Kratos leaves such variables unfilled.
//
// Without needQuery, a populated google.protobuf.FieldMask field of msg is
// still appended ("?updateMask=a,b"), so PATCH requests carry their mask
// next to the body.
//
// msg is normally a protobuf message; for other values the fields come from
// the form codec's encoding of msg. A nil msg returns pathTemplate as it is.
func EncodeURL(pathTemplate string, msg any, needQuery bool) string {
	if msg == nil {
		return pathTemplate
	}
	if rv := reflect.ValueOf(msg); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return pathTemplate
	}
	e := encoder{msg: msg}
	if m, ok := msg.(proto.Message); ok {
		e.pm = m.ProtoReflect()
	}
	var b strings.Builder
	b.Grow(len(pathTemplate) + 16)
	rest := pathTemplate
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			break
		}
		end := closingBrace(rest, open)
		if end < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:open])
		if !isVar(rest[open+1 : end]) {
			// Not a variable ({}, {[]}, ...): the brace is literal, and
			// what follows it is scanned again.
			b.WriteByte('{')
			rest = rest[open+1:]
			continue
		}
		e.writeVar(&b, rest[open+1:end])
		rest = rest[end+1:]
	}
	path := b.String()
	if !needQuery {
		if e.pm != nil {
			if mask := form.EncodeFieldMask(e.pm); mask != "" {
				return path + "?" + mask
			}
		}
		return path
	}
	vals := e.values()
	for _, k := range e.used {
		delete(vals, k)
	}
	for k, list := range vals {
		if len(list) == 0 {
			delete(vals, k)
		}
	}
	if len(vals) == 0 {
		return path
	}
	return path + "?" + vals.Encode()
}

// isVar reports whether v, the text between a pair of braces, is a
// variable: a field path of letters, digits, '_' and '.', optionally
// followed by a pattern after ':' or '='.
func isVar(v string) bool {
	name := v
	if i := strings.IndexAny(v, ":="); i >= 0 {
		name = v[:i]
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// escapeSegment percent-encodes the bytes of s that may not appear in a
// path segment (RFC 3986 pchar): everything but letters, digits,
// "-._~", the sub-delimiters "!$&'()*+,;=", ':' and '@'. So '/', '?', '#',
// '%', spaces, controls and non-ASCII bytes are encoded; unlike
// url.PathEscape, "!'()*" are not, as Kratos writes them.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !isPchar(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	buf := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; isPchar(c) {
			buf = append(buf, c)
		} else {
			buf = append(buf, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(buf)
}

func isPchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

// closingBrace returns the index of the '}' that closes the '{' at open,
// counting nested braces of regular expressions such as {id:[0-9]{3}}, or
// -1.
func closingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

type encoder struct {
	msg  any
	pm   protoreflect.Message
	vals url.Values
	done bool
	used []string // keys of the query values taken by path variables
}

// values returns the form encoding of the message, computed once.
func (e *encoder) values() url.Values {
	if !e.done {
		e.done = true
		e.vals, _ = form.EncodeValues(e.msg)
		if e.vals == nil {
			e.vals = url.Values{}
		}
	}
	return e.vals
}

func (e *encoder) writeVar(b *strings.Builder, v string) {
	name, pattern := v, ""
	if i := strings.IndexAny(v, ":="); i >= 0 {
		name, pattern = v[:i], v[i+1:]
	}
	name = strings.TrimSpace(name)
	value, ok := e.protoValue(name)
	if !ok {
		vals := e.values()
		value = vals.Get(name)
		e.used = append(e.used, name)
	}
	if spansSegments(pattern) {
		for i, seg := range strings.Split(value, "/") {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(escapeSegment(seg))
		}
		return
	}
	b.WriteString(escapeSegment(value))
}

// spansSegments reports whether a variable pattern can match several path
// segments: it contains "/", the google.api.http "**" wildcard, or a regex
// "any character" repetition (".*", ".+") as the generator writes for "**".
func spansSegments(pattern string) bool {
	return strings.Contains(pattern, "/") || strings.Contains(pattern, "**") ||
		strings.Contains(pattern, ".*") || strings.Contains(pattern, ".+")
}

// protoValue returns the value of the field at the dotted path name, and
// records the query keys that name the same field. ok is false when msg is
// not a message or the path names no singular scalar field.
func (e *encoder) protoValue(name string) (string, bool) {
	if e.pm == nil {
		return "", false
	}
	m := e.pm
	var jsonPath, protoPath strings.Builder
	parts := strings.Split(name, ".")
	for i, part := range parts {
		fd := lookupField(m.Descriptor(), part)
		if fd == nil || fd.IsList() || fd.IsMap() {
			return "", false
		}
		if i > 0 {
			jsonPath.WriteByte('.')
			protoPath.WriteByte('.')
		}
		jsonPath.WriteString(fd.JSONName())
		protoPath.WriteString(string(fd.Name()))
		last := i == len(parts)-1
		if !last {
			if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
				return "", false
			}
			if !m.Has(fd) {
				e.used = append(e.used, name, jsonPath.String(), protoPath.String())
				return "", true
			}
			m = m.Get(fd).Message()
			continue
		}
		e.used = append(e.used, name, jsonPath.String(), protoPath.String())
		if !m.Has(fd) {
			return "", true
		}
		s, err := form.EncodeField(fd, m.Get(fd))
		if err != nil {
			return "", true
		}
		return s, true
	}
	return "", false
}

func lookupField(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	return fields.ByJSONName(name)
}
