package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Value is one node of the configuration tree: a scalar, a list or a map.
// The conversion methods return an error when the node cannot be
// represented as the requested type; a Value for a key that does not exist
// returns an error wrapping [ErrNotFound] from every method.
type Value interface {
	// Bool converts booleans, and numbers and strings that
	// strconv.ParseBool accepts ("1", "t", "true", "FALSE", ...).
	Bool() (bool, error)
	// Int converts integers, floats (truncated toward zero) and decimal
	// strings.
	Int() (int64, error)
	// Float converts numbers and strings that strconv.ParseFloat accepts.
	Float() (float64, error)
	// String returns strings as they are and formats booleans and numbers.
	String() (string, error)
	// Duration reads a number as nanoseconds, and a string either as a
	// number of nanoseconds or in time.ParseDuration syntax ("1.5s").
	Duration() (time.Duration, error)
	// Slice returns the elements of a list.
	Slice() ([]Value, error)
	// Map returns the entries of a map.
	Map() (map[string]Value, error)
	// Scan stores the node into v, a pointer to a struct, map, slice or
	// scalar (through encoding/json) or a proto message (through
	// protojson, ignoring unknown fields).
	Scan(v any) error
	// Load returns the node itself: nil, a bool, a number, a string,
	// []any or map[string]any.
	Load() any
	// Store replaces the node. It is safe to call concurrently with the
	// other methods, with values of any type.
	Store(v any)
}

// cell boxes the content of an atomicValue so that values of different
// types, and nil, can be stored one after the other.
type cell struct {
	v       any
	missing bool // the key has disappeared from the configuration
}

// atomicValue is the Value of a key that exists. The zero value holds nil.
type atomicValue struct {
	p atomic.Pointer[cell]
}

var _ Value = (*atomicValue)(nil)

func newValue(v any) *atomicValue {
	a := new(atomicValue)
	a.Store(v)
	return a
}

func (a *atomicValue) load() (any, error) {
	c := a.p.Load()
	if c == nil {
		return nil, nil
	}
	if c.missing {
		return nil, ErrNotFound
	}
	return c.v, nil
}

// Load implements Value.
func (a *atomicValue) Load() any {
	v, _ := a.load()
	return v
}

// Store implements Value.
func (a *atomicValue) Store(v any) { a.p.Store(&cell{v: v}) }

// markMissing records that the key is gone; Load returns nil and the
// conversions ErrNotFound until the next Store.
func (a *atomicValue) markMissing() { a.p.Store(&cell{missing: true}) }

func (a *atomicValue) isMissing() bool {
	c := a.p.Load()
	return c != nil && c.missing
}

func convertError(v any, to string) error {
	return fmt.Errorf("config: cannot convert %T to %s", v, to)
}

// Bool implements Value.
func (a *atomicValue) Bool() (bool, error) {
	v, err := a.load()
	if err != nil {
		return false, err
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return parseBool(x)
	case []byte:
		return parseBool(string(x))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return parseBool(fmt.Sprint(x))
	}
	return false, convertError(v, "bool")
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("config: %q is not a bool: %w", s, err)
	}
	return b, nil
}

// Int implements Value.
func (a *atomicValue) Int() (int64, error) {
	v, err := a.load()
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint:
		return uintToInt(uint64(x))
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		return uintToInt(x)
	case float32:
		return floatToInt(float64(x))
	case float64:
		return floatToInt(x)
	case string:
		return parseInt(x)
	case []byte:
		return parseInt(string(x))
	}
	return 0, convertError(v, "int64")
}

func uintToInt(u uint64) (int64, error) {
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("config: %d overflows int64", u)
	}
	return int64(u), nil
}

func floatToInt(f float64) (int64, error) {
	if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, fmt.Errorf("config: %v overflows int64", f)
	}
	return int64(f), nil
}

func parseInt(s string) (int64, error) {
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("config: %q is not an integer: %w", s, err)
	}
	return i, nil
}

// Float implements Value.
func (a *atomicValue) Float() (float64, error) {
	v, err := a.load()
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint:
		return float64(x), nil
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		return parseFloat(x)
	case []byte:
		return parseFloat(string(x))
	}
	return 0, convertError(v, "float64")
}

func parseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("config: %q is not a number: %w", s, err)
	}
	return f, nil
}

// String implements Value.
func (a *atomicValue) String() (string, error) {
	v, err := a.load()
	if err != nil {
		return "", err
	}
	return stringOf(v)
}

// stringOf formats a scalar; lists, maps and nil are not strings.
func stringOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(x), nil
	case fmt.Stringer:
		return x.String(), nil
	}
	return "", convertError(v, "string")
}

// Duration implements Value.
func (a *atomicValue) Duration() (time.Duration, error) {
	v, err := a.load()
	if err != nil {
		return 0, err
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		n, err := a.Int()
		if err != nil {
			return 0, convertError(v, "time.Duration")
		}
		return time.Duration(n), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("config: %q is not a duration: %w", s, err)
	}
	return d, nil
}

// Slice implements Value.
func (a *atomicValue) Slice() ([]Value, error) {
	v, err := a.load()
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, convertError(v, "[]Value")
	}
	out := make([]Value, len(list))
	for i, e := range list {
		out[i] = newValue(e)
	}
	return out, nil
}

// Map implements Value.
func (a *atomicValue) Map() (map[string]Value, error) {
	v, err := a.load()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, convertError(v, "map[string]Value")
	}
	out := make(map[string]Value, len(m))
	for k, e := range m {
		out[k] = newValue(e)
	}
	return out, nil
}

// Scan implements Value.
func (a *atomicValue) Scan(dst any) error {
	v, err := a.load()
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("config: scan: %w", err)
	}
	return unmarshalJSON(data, dst)
}

// unmarshalJSON decodes data into a proto message with protojson and into
// anything else with encoding/json.
func unmarshalJSON(data []byte, dst any) error {
	var err error
	if m, ok := dst.(proto.Message); ok {
		err = protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, m)
	} else {
		err = json.Unmarshal(data, dst)
	}
	if err != nil {
		return fmt.Errorf("config: scan into %T: %w", dst, err)
	}
	return nil
}

// errValue is the Value of a key that does not exist.
type errValue struct{ err error }

var _ Value = errValue{}

func (e errValue) Bool() (bool, error)              { return false, e.err }
func (e errValue) Int() (int64, error)              { return 0, e.err }
func (e errValue) Float() (float64, error)          { return 0, e.err }
func (e errValue) String() (string, error)          { return "", e.err }
func (e errValue) Duration() (time.Duration, error) { return 0, e.err }
func (e errValue) Slice() ([]Value, error)          { return nil, e.err }
func (e errValue) Map() (map[string]Value, error)   { return nil, e.err }
func (e errValue) Scan(any) error                   { return e.err }
func (e errValue) Load() any                        { return nil }
func (e errValue) Store(any)                        {}
