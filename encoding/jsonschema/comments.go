package jsonschema

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Description returns the comment of d in its .proto file: the leading
// comment, or else the trailing one, with the space after each "//" and
// lines starting with "buf:lint:" removed. It is "" when the file has no
// source information, as with the descriptors generated Go code
// registers.
func Description(d protoreflect.Descriptor) string {
	if d == nil || d.ParentFile() == nil {
		return ""
	}
	loc := d.ParentFile().SourceLocations().ByDescriptor(d)
	c := loc.LeadingComments
	if strings.TrimSpace(c) == "" {
		c = loc.TrailingComments
	}
	return cleanComment(c)
}

// cleanComment trims a comment as protoc hands it over: one leading space
// per line, tool directives, and blank lines at either end.
func cleanComment(c string) string {
	lines := strings.Split(c, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimRight(strings.TrimPrefix(l, " "), " \t\r")
		if strings.HasPrefix(l, "buf:lint:") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// isDeprecated reports whether fd has the deprecated option.
func isDeprecated(fd protoreflect.FieldDescriptor) bool {
	o, ok := fd.Options().(*descriptorpb.FieldOptions)
	return ok && o.GetDeprecated()
}
