// Package ratelimit holds the types a rate limiter implements for
// middleware/ratelimit, which re-exports them as aliases. They sit in
// internal, as in Kratos v3, so that each is one type however it is named;
// they have the shape of github.com/go-kratos/aegis's ratelimit types
// without depending on that module.
package ratelimit

// DoneInfo describes how an admitted call ended.
type DoneInfo struct {
	// Err is the error the handler returned, or nil.
	Err error
}

// DoneFunc reports the end of an admitted call. It must be called exactly
// once per admitted call.
type DoneFunc func(DoneInfo)

// Limiter decides whether a call may proceed. Allow returns a DoneFunc for
// an admitted call, or an error for a refused one. Implementations must be
// safe for concurrent use.
type Limiter interface {
	Allow() (DoneFunc, error)
}
