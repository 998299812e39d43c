package formcodec

import (
	"errors"
	"fmt"
	"strings"
)

// segment is one dot-separated part of a form key: a name followed by zero
// or more bracketed parts, as in "items[0]" or "labels[env]".
type segment struct {
	name string
	subs []string
}

// parseKey splits a form key such as "a.b[k][0].c" into segments, appended
// to dst[:0] so that a decoder can reuse one buffer for all keys. A bracket
// closes at the first ']' that is followed by the end of the key, '.' or
// '[', so map keys may contain ']' and '.' ("m[a.b]" has the key "a.b").
func parseKey(dst []segment, key string) ([]segment, error) {
	if key == "" {
		return nil, errors.New("empty key")
	}
	segs := dst[:0]
	for i := 0; ; {
		start := i
		for i < len(key) && key[i] != '.' && key[i] != '[' {
			if key[i] == ']' {
				return nil, errors.New("unexpected ']'")
			}
			i++
		}
		if i == start {
			return nil, errors.New("empty field name")
		}
		seg := segment{name: key[start:i]}
		for i < len(key) && key[i] == '[' {
			end := closingBracket(key, i+1)
			if end < 0 {
				return nil, errors.New("unterminated '['")
			}
			seg.subs = append(seg.subs, key[i+1:end])
			i = end + 1
		}
		if segs = append(segs, seg); len(segs) > maxDepth {
			return nil, fmt.Errorf("more than %d segments", maxDepth)
		}
		if i == len(key) {
			return segs, nil
		}
		// closingBracket guarantees '.' here.
		i++
		if i == len(key) {
			return nil, errors.New("trailing '.'")
		}
	}
}

// closingBracket returns the index of the ']' closing a bracket whose
// content starts at from, or -1.
func closingBracket(key string, from int) int {
	for j := from; j < len(key); j++ {
		if key[j] != ']' {
			continue
		}
		if j+1 == len(key) || key[j+1] == '.' || key[j+1] == '[' {
			return j
		}
	}
	return -1
}

// firstName returns the name of the first segment of key, without parsing
// the rest; it is used to tell unknown fields, which are ignored, from
// malformed keys of known fields, which are errors.
func firstName(key string) string {
	if i := strings.IndexAny(key, ".[]"); i >= 0 {
		return key[:i]
	}
	return key
}
