package jsonschema_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
)

// check validates the JSON value v (as decoded by encoding/json) against
// s, for the keywords the package writes. defs resolves references of
// either dialect. It returns the first violation found, or nil. The
// cmd module's tests check the same schemas with a complete validator;
// this one keeps the package's own tests free of dependencies.
func check(s *jsonschema.Schema, defs map[string]*jsonschema.Schema, v any, at string) error {
	if s == nil {
		return nil
	}
	if s.Ref != "" {
		name := s.Ref[strings.LastIndexByte(s.Ref, '/')+1:]
		def, ok := defs[name]
		if !ok {
			return fmt.Errorf("%s: unresolved $ref %s", at, s.Ref)
		}
		if err := check(def, defs, v, at); err != nil {
			return err
		}
	}
	if v == nil && s.Nullable {
		return nil
	}
	if s.Type != "" && !hasType(s.Type, v) {
		return fmt.Errorf("%s: %s is not of type %s", at, show(v), s.Type)
	}
	if s.Enum != nil && !inEnum(s.Enum, v) {
		return fmt.Errorf("%s: %s is not one of %v", at, show(v), s.Enum)
	}
	for _, a := range s.AllOf {
		if err := check(a, defs, v, at); err != nil {
			return err
		}
	}
	if len(s.AnyOf) > 0 {
		ok := false
		for _, a := range s.AnyOf {
			if check(a, defs, v, at) == nil {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("%s: %s matches none of anyOf", at, show(v))
		}
	}
	if len(s.OneOf) > 0 {
		n := 0
		for _, a := range s.OneOf {
			if check(a, defs, v, at) == nil {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: %s matches %d of oneOf", at, show(v), n)
		}
	}
	if s.Not != nil && check(s.Not, defs, v, at) == nil {
		return fmt.Errorf("%s: %s matches not", at, show(v))
	}
	switch x := v.(type) {
	case string:
		return checkString(s, x, at)
	case float64:
		return checkNumber(s, x, at)
	case []any:
		if s.MinItems != nil && uint64(len(x)) < *s.MinItems || s.MaxItems != nil && uint64(len(x)) > *s.MaxItems {
			return fmt.Errorf("%s: %d items out of bounds", at, len(x))
		}
		if s.UniqueItems {
			seen := map[string]bool{}
			for _, e := range x {
				k := show(e)
				if seen[k] {
					return fmt.Errorf("%s: item %s repeats", at, k)
				}
				seen[k] = true
			}
		}
		for i, e := range x {
			if err := check(s.Items, defs, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				return fmt.Errorf("%s: required %q missing", at, r)
			}
		}
		if s.MinProperties != nil && uint64(len(x)) < *s.MinProperties || s.MaxProperties != nil && uint64(len(x)) > *s.MaxProperties {
			return fmt.Errorf("%s: %d properties out of bounds", at, len(x))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := check(s.PropertyNames, defs, k, at+" key "+k); err != nil {
				return err
			}
			if ps := s.Properties.Get(k); ps != nil {
				if err := check(ps, defs, x[k], at+"."+k); err != nil {
					return err
				}
			} else if err := check(s.AdditionalProperties, defs, x[k], at+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkString(s *jsonschema.Schema, x, at string) error {
	n := uint64(utf8.RuneCountInString(x))
	if s.MinLength != nil && n < *s.MinLength || s.MaxLength != nil && n > *s.MaxLength {
		return fmt.Errorf("%s: length %d out of bounds", at, n)
	}
	if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(x) {
		return fmt.Errorf("%s: %q does not match %s", at, x, s.Pattern)
	}
	var err error
	switch s.Format {
	case "int64":
		_, err = strconv.ParseInt(x, 10, 64)
	case "uint64":
		_, err = strconv.ParseUint(x, 10, 64)
	case "date-time":
		_, err = time.Parse(time.RFC3339Nano, x)
	}
	if err != nil {
		return fmt.Errorf("%s: %q is not a %s: %v", at, x, s.Format, err)
	}
	return nil
}

func checkNumber(s *jsonschema.Schema, x float64, at string) error {
	switch {
	case s.Minimum != nil && x < *s.Minimum,
		s.Maximum != nil && x > *s.Maximum,
		s.ExclusiveMinimum != nil && x <= *s.ExclusiveMinimum,
		s.ExclusiveMaximum != nil && x >= *s.ExclusiveMaximum:
		return fmt.Errorf("%s: %v out of bounds", at, x)
	}
	switch s.Format {
	case "int32":
		if x < math.MinInt32 || x > math.MaxInt32 {
			return fmt.Errorf("%s: %v is not an int32", at, x)
		}
	case "uint32":
		if x < 0 || x > math.MaxUint32 {
			return fmt.Errorf("%s: %v is not a uint32", at, x)
		}
	}
	return nil
}

func hasType(t string, v any) bool {
	switch x := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case float64:
		return t == "number" || t == "integer" && x == math.Trunc(x)
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	}
	return false
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if reflect.DeepEqual(normalize(e), v) {
			return true
		}
	}
	return false
}

// normalize turns a Go value into what encoding/json decodes it as.
func normalize(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
