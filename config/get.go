package config

import (
	"fmt"
	"math"
	"time"
)

// Get returns the value at key converted to T, as one call instead of
// c.Value(key) followed by a conversion:
//
//	port, err := config.Get[int](c, "server.http.port")
//	timeout, err := config.Get[time.Duration](c, "server.http.timeout")
//	var db DatabaseConfig; db, err = config.Get[DatabaseConfig](c, "data.database")
//
// A key that does not exist, or that holds null, returns the zero T and an
// error wrapping [ErrNotFound] (test it with errors.Is).
//
// T = bool, string, int64, float64 convert like [Value]'s Bool, String,
// Int and Float methods, so a string "8080" is an int and a number is a
// string. The other built-in integer and float types go through Int and
// Float too and fail when the number does not fit the type. T =
// time.Duration goes through [Value.Duration]: a string such as "1s" or
// "1m30s" is parsed with time.ParseDuration, and a number (or a string of
// digits) is a count of nanoseconds. Any other T, structs, maps, slices and
// named types included, is filled by [Value.Scan] (JSON rules, protojson
// for a proto message pointer type).
//
// Added in Kratos v3, with the same signature. Kratos v3's Get decodes a
// time.Duration as a JSON number only; ours also accepts "1s", as
// Value.Duration does.
func Get[T any](c Config, key string) (T, error) {
	var zero T
	v := c.Value(key)
	if v.Load() == nil {
		return zero, fmt.Errorf("config: get %q: %w", key, ErrNotFound)
	}
	var (
		out any
		err error
	)
	switch any(zero).(type) {
	case bool:
		out, err = v.Bool()
	case string:
		out, err = v.String()
	case time.Duration:
		out, err = v.Duration()
	case int64:
		out, err = v.Int()
	case int:
		out, err = intOf(v, math.MinInt, math.MaxInt, func(n int64) any { return int(n) })
	case int8:
		out, err = intOf(v, math.MinInt8, math.MaxInt8, func(n int64) any { return int8(n) })
	case int16:
		out, err = intOf(v, math.MinInt16, math.MaxInt16, func(n int64) any { return int16(n) })
	case int32:
		out, err = intOf(v, math.MinInt32, math.MaxInt32, func(n int64) any { return int32(n) })
	case uint:
		out, err = intOf(v, 0, math.MaxInt64, func(n int64) any { return uint(n) })
	case uint8:
		out, err = intOf(v, 0, math.MaxUint8, func(n int64) any { return uint8(n) })
	case uint16:
		out, err = intOf(v, 0, math.MaxUint16, func(n int64) any { return uint16(n) })
	case uint32:
		out, err = intOf(v, 0, math.MaxUint32, func(n int64) any { return uint32(n) })
	case uint64:
		out, err = intOf(v, 0, math.MaxInt64, func(n int64) any { return uint64(n) })
	case float64:
		out, err = v.Float()
	case float32:
		var f float64
		if f, err = v.Float(); err == nil {
			if math.Abs(f) > math.MaxFloat32 {
				err = fmt.Errorf("config: %v overflows float32", f)
			} else {
				out = float32(f)
			}
		}
	default:
		err = v.Scan(&zero)
		out = zero
	}
	if err != nil {
		var none T
		return none, fmt.Errorf("config: get %q: %w", key, err)
	}
	return out.(T), nil
}

// intOf reads v as an int64 and converts it with conv when it lies in
// [lo, hi].
func intOf(v Value, lo, hi int64, conv func(int64) any) (any, error) {
	n, err := v.Int()
	if err != nil {
		return nil, err
	}
	if n < lo || n > hi {
		return nil, fmt.Errorf("config: %d is out of range [%d, %d]", n, lo, hi)
	}
	return conv(n), nil
}
