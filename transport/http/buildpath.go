package http

import (
	"net/url"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

// BuildPathOption configures BuildPath.
type BuildPathOption func(*buildPathOptions)

type buildPathOptions struct {
	query bool
	omit  []string
}

// WithQueryParams makes BuildPath append the populated fields of the
// message that no path variable took as a query string. By default only a
// google.protobuf.FieldMask field is appended.
func WithQueryParams() BuildPathOption {
	return func(o *buildPathOptions) { o.query = true }
}

// WithOmitFields leaves the fields named (by proto or JSON name, with their
// sub-fields) out of the query string of WithQueryParams, such as the body
// field of a rule with body: "book". The default is none.
func WithOmitFields(fields ...string) BuildPathOption {
	return func(o *buildPathOptions) { o.omit = append(o.omit, fields...) }
}

// BuildPath returns the request path for the path template of an HTTP
// rule, filled from msg: {name}, {a.b} and {name=shelves/*} take the value
// of that field, path-escaped (a multi-segment pattern keeps its slashes),
// as binding.EncodeURL does. Generated clients call it (see the options).
// A nil msg returns template as it is.
//
// Unlike Kratos v3, values are escaped: a name with "/" or "?" in a {name}
// variable stays one segment.
func BuildPath(template string, msg any, opts ...BuildPathOption) string {
	var o buildPathOptions
	for _, opt := range opts {
		opt(&o)
	}
	path := binding.EncodeURL(template, msg, o.query)
	if !o.query || len(o.omit) == 0 {
		return path
	}
	p, rawQuery, ok := strings.Cut(path, "?")
	if !ok {
		return path
	}
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return path
	}
	for _, name := range omitNames(msg, o.omit) {
		for k := range vals {
			if k == name || strings.HasPrefix(k, name+".") {
				delete(vals, k)
			}
		}
	}
	if q := vals.Encode(); q != "" {
		return p + "?" + q
	}
	return p
}

// omitNames returns the query keys a field path may appear under: as
// given, and with each part by proto name and by JSON name when msg is a
// proto message.
func omitNames(msg any, fields []string) []string {
	names := make([]string, 0, 2*len(fields))
	pm, _ := msg.(proto.Message)
	for _, f := range fields {
		if f == "" {
			continue
		}
		names = append(names, f)
		if pm == nil {
			continue
		}
		md := pm.ProtoReflect().Descriptor()
		var byProto, byJSON []string
		for _, part := range strings.Split(f, ".") {
			if md == nil {
				byProto, byJSON = nil, nil
				break
			}
			fd := md.Fields().ByName(protoreflect.Name(part))
			if fd == nil {
				fd = md.Fields().ByJSONName(part)
			}
			if fd == nil {
				byProto, byJSON = nil, nil
				break
			}
			byProto = append(byProto, string(fd.Name()))
			byJSON = append(byJSON, fd.JSONName())
			md = fd.Message()
		}
		if byProto != nil {
			names = append(names, strings.Join(byProto, "."), strings.Join(byJSON, "."))
		}
	}
	return names
}
