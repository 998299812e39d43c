package config

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

const (
	// maxResolveDepth bounds how many placeholders may be expanded inside
	// one another (references to references, placeholders in defaults).
	maxResolveDepth = 32
	// maxExpansion bounds the length of one expanded string, so that
	// strings doubling at every reference cannot exhaust memory.
	maxExpansion = 1 << 20
	// defaultExpansionBudget bounds the bytes all the expansions of one
	// resolve produce together (see WithExpansionBudget).
	defaultExpansionBudget = 16 << 20
)

var (
	errCycle    = errors.New("placeholder refers to itself")
	errTooDeep  = fmt.Errorf("placeholders nested deeper than %d", maxResolveDepth)
	errTooLarge = fmt.Errorf("placeholder expansion longer than %d bytes", maxExpansion)
	errBudget   = errors.New("placeholder expansions exceed the budget")
)

// resolution is the state of one run of the resolver. References are
// looked up in src, a copy of the tree as it was before the run, so the
// result does not depend on the order in which the tree is walked.
//
// Every path is expanded once per run (memo), and every expansion is
// charged to the budget by its length before it is built (take), so a
// chain of strings that double at every reference fails after producing
// at most budget bytes, however often its last link is referenced.
type resolution struct {
	src    map[string]any
	typed  bool
	memo   map[string]string // expansion of each referenced path
	active []string          // paths being expanded, innermost last
	budget int               // the run's budget in bytes; <= 0: none
	left   int               // bytes the run may still produce
}

// resolveTree expands the placeholders of tree in place. typed makes
// strings that are exactly one placeholder become bool, int64 or float64;
// budget bounds the bytes all expansions produce together (<= 0: no bound).
func resolveTree(tree map[string]any, typed bool, budget int) error {
	r := &resolution{
		src:    cloneMap(tree),
		typed:  typed,
		memo:   make(map[string]string),
		budget: budget,
		left:   budget,
	}
	return r.walkMap(tree, "")
}

func (r *resolution) walkMap(m map[string]any, path string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic error reporting
	for _, k := range keys {
		v, err := r.walk(m[k], join(path, k))
		if err != nil {
			return err
		}
		m[k] = v
	}
	return nil
}

func (r *resolution) walk(v any, path string) (any, error) {
	switch x := v.(type) {
	case string:
		out, err := r.expandValue(path, x)
		if err != nil {
			return nil, fmt.Errorf("config: resolve %q: %w", path, err)
		}
		return out, nil
	case map[string]any:
		return x, r.walkMap(x, path)
	case []any:
		for i, e := range x {
			out, err := r.walk(e, join(path, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			x[i] = out
		}
		return x, nil
	}
	return v, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// expandValue expands s, the string value at path; in typed mode a string
// that is exactly one placeholder may become a bool or a number.
func (r *resolution) expandValue(path, s string) (any, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var out string
	var err error
	if v, ok := lookup(r.src, path); ok && v == any(s) {
		// Share the expansion with the placeholders naming path. (A key
		// holding dots can make lookup reach another node; then the
		// strings differ and s is expanded on its own.)
		out, err = r.expandKey(path, s, 0)
	} else {
		out, err = r.expand(s, 0)
	}
	if err != nil {
		return nil, err
	}
	if r.typed {
		if start, end, ok := nextPlaceholder(s, 0); ok && start == 0 && end == len(s) {
			return typedValue(out), nil
		}
	}
	return out, nil
}

// expand replaces every placeholder of s.
func (r *resolution) expand(s string, depth int) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	if depth >= maxResolveDepth {
		return "", errTooDeep
	}
	var b strings.Builder
	pos := 0
	for {
		start, end, ok := nextPlaceholder(s, pos)
		if !ok {
			break
		}
		v, err := r.placeholder(s[start+2:end-1], depth+1)
		if err != nil {
			return "", err
		}
		if start == 0 && end == len(s) {
			// A lone placeholder shares the string it expands to; the
			// bytes still count, since the tree serves them as a value.
			if err := r.take(0, len(v)); err != nil {
				return "", err
			}
			return v, nil
		}
		text := s[pos:start]
		if err := r.take(b.Len(), len(text)+len(v)); err != nil {
			return "", err
		}
		b.WriteString(text)
		b.WriteString(v)
		pos = end
	}
	if err := r.take(b.Len(), len(s)-pos); err != nil {
		return "", err
	}
	b.WriteString(s[pos:])
	return b.String(), nil
}

// take makes room for n more bytes in an expansion already have bytes long:
// it fails when the expansion would grow past maxExpansion or the run past
// its budget, and otherwise charges n to the budget. It is called before
// the bytes are written, so nothing over either bound is allocated.
func (r *resolution) take(have, n int) error {
	if have+n > maxExpansion {
		return errTooLarge
	}
	if r.budget <= 0 {
		return nil
	}
	if n > r.left {
		return fmt.Errorf("%w of %d bytes per resolve (see config.WithExpansionBudget)", errBudget, r.budget)
	}
	r.left -= n
	return nil
}

// nextPlaceholder finds the first "${...}" at or after from and returns
// its bounds [start, end). Braces nest, so "${a:{x}}" is one placeholder.
// An opening "${" without its closing brace is plain text.
func nextPlaceholder(s string, from int) (start, end int, ok bool) {
	for from < len(s) {
		i := strings.Index(s[from:], "${")
		if i < 0 {
			return 0, 0, false
		}
		start = from + i
		depth := 0
		for j := start + 1; j < len(s); j++ {
			switch s[j] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					return start, j + 1, true
				}
			}
		}
		return 0, 0, false
	}
	return 0, 0, false
}

// placeholder expands the inside of one placeholder: "KEY" or
// "KEY:default".
func (r *resolution) placeholder(body string, depth int) (string, error) {
	key, def, hasDef := strings.Cut(strings.TrimSpace(body), ":")
	v, found := lookup(r.src, key)
	if !found {
		if hasDef {
			return r.expand(def, depth)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		// Scalars are formatted; lists, maps and nulls expand to "".
		s, _ = stringOf(v)
		return s, nil
	}
	return r.expandKey(key, s, depth)
}

// expandKey expands s, the string at key, once per run.
func (r *resolution) expandKey(key, s string, depth int) (string, error) {
	if out, ok := r.memo[key]; ok {
		return out, nil
	}
	if i := slices.Index(r.active, key); i >= 0 {
		chain := append(slices.Clone(r.active[i:]), key)
		return "", fmt.Errorf("%w: %s", errCycle, strings.Join(chain, " -> "))
	}
	r.active = append(r.active, key)
	out, err := r.expand(s, depth)
	r.active = r.active[:len(r.active)-1]
	if err != nil {
		return "", err
	}
	r.memo[key] = out
	return out, nil
}

// typedValue converts the expansion of a lone placeholder.
func typedValue(s string) any {
	switch strings.ToLower(s) {
	case "true":
		return true
	case "false":
		return false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f
	}
	return s
}
