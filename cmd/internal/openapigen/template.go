package openapigen

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/pathtmpl"
)

// pathVar is one variable of a path template.
type pathVar struct {
	name    string // field path, such as "book.name"
	pattern string // anchored regular expression of its value, or ""
	param   string // the parameter's name when not name
}

// varName matches a variable: field names joined by dots.
var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// parseTemplate turns a google.api.http path template into an OpenAPI
// path and its variables: {name} and {name=*} become {name};
// {name=shelves/*} becomes {name} with the pattern ^shelves/[^/]+$ (one
// parameter holding the whole value, as the server's route binds it);
// gorilla-style {name:regex} becomes {name} with the pattern ^regex$.
func parseTemplate(tmpl string) (string, []pathVar, error) {
	if !strings.HasPrefix(tmpl, "/") {
		return "", nil, fmt.Errorf("path %q must start with /", tmpl)
	}
	if !utf8.ValidString(tmpl) {
		return "", nil, fmt.Errorf("path %q is not valid UTF-8", tmpl)
	}
	var b strings.Builder
	var vars []pathVar
	seen := map[string]bool{}
	for i := 0; i < len(tmpl); {
		switch tmpl[i] {
		case '}':
			return "", nil, fmt.Errorf("path %q: unmatched } at offset %d", tmpl, i)
		case '{':
		default:
			b.WriteByte(tmpl[i])
			i++
			continue
		}
		end := pathtmpl.Closing(tmpl, i)
		if end < 0 {
			return "", nil, fmt.Errorf("path %q: unclosed { at offset %d", tmpl, i)
		}
		inner := tmpl[i+1 : end]
		i = end + 1
		name, pattern, sep := inner, "", byte(0)
		if j := strings.IndexAny(inner, "=:"); j >= 0 {
			name, pattern, sep = inner[:j], inner[j+1:], inner[j]
		}
		name = strings.TrimSpace(name)
		if !varName.MatchString(name) {
			return "", nil, fmt.Errorf("path %q: invalid variable {%s}", tmpl, inner)
		}
		if seen[name] {
			return "", nil, fmt.Errorf("path %q: variable %q appears twice", tmpl, name)
		}
		seen[name] = true
		v := pathVar{name: name}
		switch sep {
		case '=':
			if p := strings.TrimSpace(pattern); p != "*" {
				re, err := pathtmpl.SegmentsRegex(p)
				if err != nil {
					return "", nil, fmt.Errorf("path %q: variable {%s}: %v", tmpl, inner, err)
				}
				v.pattern = "^" + re + "$"
			}
		case ':':
			if _, err := regexp.Compile(pattern); err != nil || pattern == "" {
				return "", nil, fmt.Errorf("path %q: variable {%s}: invalid regular expression", tmpl, inner)
			}
			v.pattern = "^" + pattern + "$"
		}
		vars = append(vars, v)
		b.WriteString("{" + name + "}")
	}
	return b.String(), vars, nil
}
