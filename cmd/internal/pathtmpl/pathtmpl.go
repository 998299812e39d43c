// Package pathtmpl holds what the generators share about google.api.http
// path templates: finding a variable's closing brace and turning a
// variable's segment pattern (literals, * and **) into a regular
// expression.
package pathtmpl

import (
	"fmt"
	"regexp"
	"strings"
)

// Closing returns the index of the '}' that closes the '{' at open,
// counting the braces of a regular expression such as {id:[0-9]{3}}, or
// -1.
func Closing(s string, open int) int {
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

// SegmentsRegex turns the pattern of a variable ("shelves/*", "**") into a
// regular expression: * is one segment, ** the rest of the path.
func SegmentsRegex(pattern string) (string, error) {
	segs := strings.Split(pattern, "/")
	for i, seg := range segs {
		switch {
		case seg == "*":
			segs[i] = "[^/]+"
		case seg == "**":
			segs[i] = ".*"
		case seg == "" || strings.ContainsAny(seg, "*{}"):
			return "", fmt.Errorf("invalid segment %q in pattern %q", seg, pattern)
		default:
			segs[i] = regexp.QuoteMeta(seg)
		}
	}
	return strings.Join(segs, "/"), nil
}
