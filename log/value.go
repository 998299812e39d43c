package log

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"time"
)

var (
	// DefaultCaller reports "dir/file.go:line" of the code that called a
	// [Helper] method or a package-level logging function, when used as a
	// [With] value on the logger behind it.
	DefaultCaller = Caller(4)

	// DefaultTimestamp reports the current local time in RFC 3339 format.
	DefaultTimestamp = Timestamp(time.RFC3339)
)

// Valuer computes a value at log time. A Valuer placed among the key/value
// pairs given to [With] is called for every record with the logger's
// context, and its result is logged instead of the function.
type Valuer func(ctx context.Context) any

// Value returns v(ctx) when v is a [Valuer] and v itself otherwise. A nil
// Valuer yields nil.
func Value(ctx context.Context, v any) any {
	if fn, ok := v.(Valuer); ok {
		if fn == nil {
			return nil
		}
		return fn(ctx)
	}
	return v
}

// Caller returns a Valuer that reports the source position depth frames up
// the stack from the Valuer itself, as the last directory and file name
// plus the line: "service/order.go:42".
//
// Depth 4 ([DefaultCaller]) names the caller of a [Helper] method or of a
// package-level function when the Valuer sits on a logger made by [With]
// directly below it. Every extra wrapper between them ([NewFilter], a
// second [Helper] layer, ...) adds one frame.
func Caller(depth int) Valuer {
	return func(context.Context) any {
		_, file, line, _ := runtime.Caller(depth)
		return shortPath(file) + ":" + strconv.Itoa(line)
	}
}

// shortPath keeps the last directory and the file name of path.
func shortPath(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return path
	}
	if j := strings.LastIndexByte(path[:i], '/'); j >= 0 {
		return path[j+1:]
	}
	return path
}

// Timestamp returns a Valuer that reports time.Now() formatted with layout.
func Timestamp(layout string) Valuer {
	return func(context.Context) any {
		return time.Now().Format(layout)
	}
}

// bindValues replaces every Valuer in the value positions of kvs with its
// result for ctx.
func bindValues(ctx context.Context, kvs []any) {
	for i := 1; i < len(kvs); i += 2 {
		if fn, ok := kvs[i].(Valuer); ok {
			if fn == nil {
				kvs[i] = nil
				continue
			}
			kvs[i] = fn(ctx)
		}
	}
}

// containsValuer reports whether a value position of kvs holds a Valuer.
func containsValuer(kvs []any) bool {
	for i := 1; i < len(kvs); i += 2 {
		if _, ok := kvs[i].(Valuer); ok {
			return true
		}
	}
	return false
}
