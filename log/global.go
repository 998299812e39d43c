package log

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
)

// proxy is the process-wide logger. It forwards to the Logger installed by
// SetLogger, or to DefaultLogger, read at every call, while none is.
type proxy struct {
	target atomic.Pointer[installed]
}

// installed boxes a Logger so that values of different dynamic types can
// share one atomic pointer.
type installed struct{ logger Logger }

var _ Logger = (*proxy)(nil)

// global is a plain variable: nothing is done at package initialisation.
var global proxy

func (p *proxy) current() Logger {
	if t := p.target.Load(); t != nil {
		return t.logger
	}
	if DefaultLogger != nil {
		return DefaultLogger
	}
	return discard{}
}

// Log forwards the record to the current global logger.
func (p *proxy) Log(level Level, keyvals ...any) error {
	return p.current().Log(level, keyvals...)
}

// SetLogger replaces the global logger for the whole process: the
// package-level functions ([Info], [Errorf], [Log], [Context], ...) and
// every logger derived from [GetLogger] write to logger from now on.
//
// SetLogger is safe to call concurrently with logging; records already
// being written finish on the previous logger. A nil logger restores the
// default, [DefaultLogger]. A logger built on top of GetLogger() (for
// example With(GetLogger(), "service", name)) is rebuilt on top of the
// logger it replaces, so it extends the old global logger instead of
// calling itself forever; this only works through the wrappers of this
// package ([With], [WithContext], [NewFilter]).
func SetLogger(logger Logger) {
	if logger == nil {
		global.target.Store(nil)
		return
	}
	for {
		old := global.target.Load()
		next := logger
		if l, ok := rebase(logger, global.current()); ok {
			next = l
		}
		if global.target.CompareAndSwap(old, &installed{logger: next}) {
			return
		}
	}
}

// rebase returns l with the global proxy in its chain of wrappers replaced
// by base, and whether the proxy was found.
func rebase(l Logger, base Logger) (Logger, bool) {
	switch v := l.(type) {
	case *proxy:
		if v == &global {
			return base, true
		}
	case *logger:
		if inner, ok := rebase(v.logger, base); ok {
			c := *v
			c.logger = inner
			return &c, true
		}
	case *Filter:
		if inner, ok := rebase(v.logger, base); ok {
			c := *v
			c.logger = inner
			return &c, true
		}
	}
	return l, false
}

// GetLogger returns the global logger. The result is a stable proxy: it
// keeps forwarding to whatever logger [SetLogger] installs later, so it is
// safe to wrap once, at start-up, and use forever.
func GetLogger() Logger {
	return &global
}

// The functions below fetch the current logger and call its Log method
// themselves rather than going through proxy.Log, so that DefaultCaller
// sees the same frame depth as through a Helper.

// Log logs keyvals at level through the global logger.
func Log(level Level, keyvals ...any) {
	_ = global.current().Log(level, keyvals...)
}

// Context returns a Helper on the current global logger whose Valuers are
// resolved with ctx. Unlike GetLogger, the Helper keeps the logger that was
// global when Context was called.
func Context(ctx context.Context) *Helper {
	return NewHelper(WithContext(ctx, global.current()))
}

// Debug logs fmt.Sprint(a...) at LevelDebug through the global logger.
func Debug(a ...any) {
	l := global.current()
	if !enabled(l, LevelDebug) {
		return
	}
	_ = l.Log(LevelDebug, DefaultMessageKey, fmt.Sprint(a...))
}

// Debugf logs fmt.Sprintf(format, a...) at LevelDebug through the global
// logger.
func Debugf(format string, a ...any) {
	l := global.current()
	if !enabled(l, LevelDebug) {
		return
	}
	_ = l.Log(LevelDebug, DefaultMessageKey, fmt.Sprintf(format, a...))
}

// Debugw logs keyvals at LevelDebug through the global logger.
func Debugw(keyvals ...any) {
	_ = global.current().Log(LevelDebug, keyvals...)
}

// Info logs fmt.Sprint(a...) at LevelInfo through the global logger.
func Info(a ...any) {
	l := global.current()
	if !enabled(l, LevelInfo) {
		return
	}
	_ = l.Log(LevelInfo, DefaultMessageKey, fmt.Sprint(a...))
}

// Infof logs fmt.Sprintf(format, a...) at LevelInfo through the global
// logger.
func Infof(format string, a ...any) {
	l := global.current()
	if !enabled(l, LevelInfo) {
		return
	}
	_ = l.Log(LevelInfo, DefaultMessageKey, fmt.Sprintf(format, a...))
}

// Infow logs keyvals at LevelInfo through the global logger.
func Infow(keyvals ...any) {
	_ = global.current().Log(LevelInfo, keyvals...)
}

// Warn logs fmt.Sprint(a...) at LevelWarn through the global logger.
func Warn(a ...any) {
	l := global.current()
	if !enabled(l, LevelWarn) {
		return
	}
	_ = l.Log(LevelWarn, DefaultMessageKey, fmt.Sprint(a...))
}

// Warnf logs fmt.Sprintf(format, a...) at LevelWarn through the global
// logger.
func Warnf(format string, a ...any) {
	l := global.current()
	if !enabled(l, LevelWarn) {
		return
	}
	_ = l.Log(LevelWarn, DefaultMessageKey, fmt.Sprintf(format, a...))
}

// Warnw logs keyvals at LevelWarn through the global logger.
func Warnw(keyvals ...any) {
	_ = global.current().Log(LevelWarn, keyvals...)
}

// Error logs fmt.Sprint(a...) at LevelError through the global logger.
func Error(a ...any) {
	l := global.current()
	if !enabled(l, LevelError) {
		return
	}
	_ = l.Log(LevelError, DefaultMessageKey, fmt.Sprint(a...))
}

// Errorf logs fmt.Sprintf(format, a...) at LevelError through the global
// logger.
func Errorf(format string, a ...any) {
	l := global.current()
	if !enabled(l, LevelError) {
		return
	}
	_ = l.Log(LevelError, DefaultMessageKey, fmt.Sprintf(format, a...))
}

// Errorw logs keyvals at LevelError through the global logger.
func Errorw(keyvals ...any) {
	_ = global.current().Log(LevelError, keyvals...)
}

// Fatal logs fmt.Sprint(a...) at LevelFatal through the global logger, then
// ends the process with os.Exit(1).
func Fatal(a ...any) {
	_ = global.current().Log(LevelFatal, DefaultMessageKey, fmt.Sprint(a...))
	os.Exit(1)
}

// Fatalf logs fmt.Sprintf(format, a...) at LevelFatal through the global
// logger, then ends the process with os.Exit(1).
func Fatalf(format string, a ...any) {
	_ = global.current().Log(LevelFatal, DefaultMessageKey, fmt.Sprintf(format, a...))
	os.Exit(1)
}

// Fatalw logs keyvals at LevelFatal through the global logger, then ends
// the process with os.Exit(1).
func Fatalw(keyvals ...any) {
	_ = global.current().Log(LevelFatal, keyvals...)
	os.Exit(1)
}
