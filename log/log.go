package log

import (
	"context"
	stdlog "log"
)

// Logger is the interface every sink and wrapper in this package implements.
//
// keyvals alternates keys and values: k1, v1, k2, v2, ... Keys are usually
// strings. Implementations must be safe for concurrent use and must not keep
// keyvals after Log returns; they decide themselves how to render an odd
// count (the loggers in this package pair a lone trailing key with the value
// "KEYVALS UNPAIRED").
type Logger interface {
	Log(level Level, keyvals ...any) error
}

// DefaultLogger writes to the standard library logger's output (os.Stderr
// unless changed before this package is initialised). The global logger
// forwards to it, reading the variable at every call, until [SetLogger]
// installs another logger. Prefer SetLogger to assigning DefaultLogger; an
// assignment must happen before any goroutine logs.
var DefaultLogger = NewStdLogger(stdlog.Writer())

// DefaultMessageKey is the key under which [Helper], [NewWriter], the slog
// bridges and the package-level functions store the message. Its default is
// "msg". Constructors copy it when they run and the package-level functions
// read it at every call, so change it, if at all, before logging starts.
var DefaultMessageKey = "msg"

// unpaired is the value given to a trailing key that has no value.
const unpaired = "KEYVALS UNPAIRED"

// discard is the Logger used in place of a nil one.
type discard struct{}

func (discard) Log(Level, ...any) error { return nil }

// orDiscard returns l, or a logger that drops everything when l is nil.
func orDiscard(l Logger) Logger {
	if l == nil {
		return discard{}
	}
	return l
}

// logger adds fixed key/value pairs in front of every record and resolves
// the Valuers among them with its context.
type logger struct {
	logger    Logger
	prefix    []any
	hasValuer bool
	ctx       context.Context
}

var _ Logger = (*logger)(nil)

// Log resolves the prefix and forwards prefix+keyvals to the wrapped logger.
//
// The call depth from here to a Valuer is part of the contract that
// DefaultCaller relies on: a Valuer runs inside bindValues, which Log calls
// directly, and Log is called directly by Helper methods and the package
// functions. Keep it that way.
func (l *logger) Log(level Level, keyvals ...any) error {
	kvs := make([]any, 0, len(l.prefix)+len(keyvals))
	kvs = append(kvs, l.prefix...)
	if l.hasValuer {
		bindValues(l.ctx, kvs)
	}
	kvs = append(kvs, keyvals...)
	if s, ok := l.logger.(*slogLogger); ok {
		return s.logContext(l.ctx, level, kvs)
	}
	return l.logger.Log(level, kvs...)
}

// With returns a Logger that writes kv in front of the keyvals of every
// record it logs through l. Values of type [Valuer] in kv are called at
// log time with the context set by [WithContext] (context.Background() by
// default).
//
// With on a logger returned by With flattens the two prefixes into one. An
// odd kv is completed with the value "KEYVALS UNPAIRED" so that the keys of
// each record stay aligned. A nil l yields a logger that discards everything.
func With(l Logger, kv ...any) Logger {
	if len(kv)%2 != 0 {
		kv = append(kv[:len(kv):len(kv)], unpaired)
	}
	if c, ok := l.(*logger); ok {
		prefix := make([]any, 0, len(c.prefix)+len(kv))
		prefix = append(prefix, c.prefix...)
		prefix = append(prefix, kv...)
		return &logger{
			logger:    c.logger,
			prefix:    prefix,
			hasValuer: containsValuer(prefix),
			ctx:       c.ctx,
		}
	}
	prefix := make([]any, len(kv))
	copy(prefix, kv)
	return &logger{
		logger:    orDiscard(l),
		prefix:    prefix,
		hasValuer: containsValuer(prefix),
		ctx:       context.Background(),
	}
}

// WithContext returns a copy of l whose Valuers are called with ctx. A
// [Filter] keeps filtering: the context is set on the logger it wraps. A
// nil ctx stands for context.Background(); a nil l yields a logger that
// discards everything.
//
// Given the global logger ([GetLogger]), WithContext applies ctx to the
// logger installed at the time of the call, as Kratos does, so the
// Valuers of the installed logger (trace.id, span.id, ...) see ctx; the
// result does not follow a later [SetLogger].
func WithContext(ctx context.Context, l Logger) Logger {
	if ctx == nil {
		ctx = context.Background()
	}
	if p, ok := l.(*proxy); ok && p == &global {
		l = p.current()
	}
	switch v := l.(type) {
	case *logger:
		c := *v
		c.ctx = ctx
		return &c
	case *Filter:
		c := *v
		c.logger = WithContext(ctx, v.logger)
		return &c
	default:
		return &logger{logger: orDiscard(l), ctx: ctx}
	}
}

// Enabled reports whether a record at level logged through l could be
// written: false when a [Filter] level (FilterLevel, FilterLeveler) or a
// slog handler on the way drops the level, or when the sink discards
// everything (a nil Logger, [NewStdLogger] over io.Discard or nil). It
// looks through the wrappers of this package ([With], [WithContext],
// [NewFilter], [GetLogger]); any other Logger is assumed to accept every
// level, unless it has a method
//
//	Enabled(level Level) bool
//
// which is then asked. True does not promise that the record is written:
// a FilterFunc, for one, may still drop it. Callers use Enabled to skip
// building a record nobody will see.
//
// This function is not part of Kratos v2.
func Enabled(l Logger, level Level) bool {
	return enabled(l, level)
}

// enabled is [Enabled].
func enabled(l Logger, level Level) bool {
	// The bound protects against cycles built from foreign wrappers.
	for range 64 {
		switch v := l.(type) {
		case nil, discard:
			return false
		case *Filter:
			if v.below(level) {
				return false
			}
			l = v.logger
		case *logger:
			l = v.logger
		case *proxy:
			l = v.current()
		case *stdLogger:
			return !v.isDiscard
		case *slogLogger:
			return v.handler.Enabled(context.Background(), slogLevel(level))
		case interface{ Enabled(Level) bool }:
			return v.Enabled(level)
		default:
			return true
		}
	}
	return true
}

// LogContext logs keyvals at level through l, its Valuers resolved with
// ctx: the record of WithContext(ctx, l).Log(level, keyvals...), which
// Valuers such as [DefaultCaller] see at the depth of a [Helper] method
// called where LogContext is called. Unlike that expression, it builds no
// copy of l on the heap when l is the global logger, a [With] logger, a
// [Filter] over those, or a sink, and does not keep keyvals, which may
// then live on the caller's stack. A nil ctx stands for
// context.Background(); a nil l discards the record.
//
// This function is not part of Kratos v2.
func LogContext(ctx context.Context, l Logger, level Level, keyvals ...any) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// No function call may sit between this frame and the Log method that
	// resolves the Valuers: route returns before anything is logged.
	c, f := route(ctx, l)
	if f != nil {
		return f.logContext(ctx, level, keyvals)
	}
	return c.Log(level, keyvals...)
}

// route tells how WithContext(ctx, l) would log: through the returned
// logger value, or, when l is (or the global logger holds) a Filter,
// through that Filter's logContext.
func route(ctx context.Context, l Logger) (logger, *Filter) {
	if p, ok := l.(*proxy); ok && p == &global {
		l = p.current()
	}
	switch v := l.(type) {
	case *logger:
		c := *v
		c.ctx = ctx
		return c, nil
	case *Filter:
		return logger{}, v
	default:
		return logger{logger: orDiscard(l), ctx: ctx}, nil
	}
}
