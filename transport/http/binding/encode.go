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
// proto name or JSON name. Values are path-escaped; when the pattern spans
// several segments (it contains "/" or "**", or is a regex with ".*" or
// ".+"), the slashes of the value are kept and
// each segment is escaped on its own. An unset field gives an empty
// segment.
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
			b.WriteString(url.PathEscape(seg))
		}
		return
	}
	b.WriteString(url.PathEscape(value))
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
