package log

import (
	"context"
	"fmt"
	"os"
)

// Option configures a [Helper].
type Option func(*Helper)

// WithMessageKey sets the key under which Helper stores the message of
// Debug, Debugf, Info, Infof and so on. The default is [DefaultMessageKey]
// as it is when NewHelper is called.
func WithMessageKey(k string) Option {
	return func(h *Helper) {
		h.msgKey = k
	}
}

// WithSprint sets the function that turns the arguments of Debug, Info,
// Warn, Error and Fatal into the message. The default is fmt.Sprint; nil
// keeps the current function.
func WithSprint(sprint func(...any) string) Option {
	return func(h *Helper) {
		if sprint != nil {
			h.sprint = sprint
		}
	}
}

// WithSprintf sets the function that formats the message of Debugf, Infof,
// Warnf, Errorf and Fatalf. The default is fmt.Sprintf; nil keeps the
// current function.
func WithSprintf(sprintf func(format string, a ...any) string) Option {
	return func(h *Helper) {
		if sprintf != nil {
			h.sprintf = sprintf
		}
	}
}

// Helper wraps a [Logger] with one method per level and style:
//
//	Info(a ...any)                     message built with fmt.Sprint
//	Infof(format string, a ...any)     message built with fmt.Sprintf
//	Infow(keyvals ...any)              key/value pairs, no message
//
// The message variants skip formatting entirely when the logger (through
// [NewFilter]) would drop the level. A Helper is immutable and safe for
// concurrent use. Its zero value discards everything.
type Helper struct {
	logger  Logger
	msgKey  string
	sprint  func(...any) string
	sprintf func(string, ...any) string
}

// NewHelper returns a Helper that logs through logger. A nil logger
// discards everything.
func NewHelper(logger Logger, opts ...Option) *Helper {
	h := &Helper{
		logger:  orDiscard(logger),
		msgKey:  DefaultMessageKey,
		sprint:  fmt.Sprint,
		sprintf: fmt.Sprintf,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(h)
		}
	}
	return h
}

// WithContext returns a copy of h whose logger resolves its Valuers with
// ctx (see [WithContext]).
func (h *Helper) WithContext(ctx context.Context) *Helper {
	c := *h
	c.logger = WithContext(ctx, h.logger)
	return &c
}

// Enabled reports whether a record at level would pass the level of every
// [Filter] (and slog handler) between h and the final sink. Loggers of
// other types are assumed to accept every level.
func (h *Helper) Enabled(level Level) bool {
	return enabled(h.logger, level)
}

// Logger returns the logger h writes to.
func (h *Helper) Logger() Logger {
	return h.logger
}

// The methods below call h.out() and h.fmt*() before, not around, the call
// to Log, so that the frame depth seen by DefaultCaller stays one per
// Helper method.

func (h *Helper) out() Logger {
	if h.logger == nil {
		return discard{}
	}
	return h.logger
}

func (h *Helper) key() string {
	if h.msgKey == "" && h.sprint == nil {
		// Zero Helper: use the package default.
		return DefaultMessageKey
	}
	return h.msgKey
}

func (h *Helper) print(a []any) string {
	if h.sprint == nil {
		return fmt.Sprint(a...)
	}
	return h.sprint(a...)
}

func (h *Helper) printf(format string, a []any) string {
	if h.sprintf == nil {
		return fmt.Sprintf(format, a...)
	}
	return h.sprintf(format, a...)
}

// Log logs keyvals at level, ignoring the logger's error.
func (h *Helper) Log(level Level, keyvals ...any) {
	_ = h.out().Log(level, keyvals...)
}

// Debug logs fmt.Sprint(a...) as the message at LevelDebug.
func (h *Helper) Debug(a ...any) {
	if !h.Enabled(LevelDebug) {
		return
	}
	_ = h.out().Log(LevelDebug, h.key(), h.print(a))
}

// Debugf logs fmt.Sprintf(format, a...) as the message at LevelDebug.
func (h *Helper) Debugf(format string, a ...any) {
	if !h.Enabled(LevelDebug) {
		return
	}
	_ = h.out().Log(LevelDebug, h.key(), h.printf(format, a))
}

// Debugw logs keyvals at LevelDebug.
func (h *Helper) Debugw(keyvals ...any) {
	_ = h.out().Log(LevelDebug, keyvals...)
}

// Info logs fmt.Sprint(a...) as the message at LevelInfo.
func (h *Helper) Info(a ...any) {
	if !h.Enabled(LevelInfo) {
		return
	}
	_ = h.out().Log(LevelInfo, h.key(), h.print(a))
}

// Infof logs fmt.Sprintf(format, a...) as the message at LevelInfo.
func (h *Helper) Infof(format string, a ...any) {
	if !h.Enabled(LevelInfo) {
		return
	}
	_ = h.out().Log(LevelInfo, h.key(), h.printf(format, a))
}

// Infow logs keyvals at LevelInfo.
func (h *Helper) Infow(keyvals ...any) {
	_ = h.out().Log(LevelInfo, keyvals...)
}

// Warn logs fmt.Sprint(a...) as the message at LevelWarn.
func (h *Helper) Warn(a ...any) {
	if !h.Enabled(LevelWarn) {
		return
	}
	_ = h.out().Log(LevelWarn, h.key(), h.print(a))
}

// Warnf logs fmt.Sprintf(format, a...) as the message at LevelWarn.
func (h *Helper) Warnf(format string, a ...any) {
	if !h.Enabled(LevelWarn) {
		return
	}
	_ = h.out().Log(LevelWarn, h.key(), h.printf(format, a))
}

// Warnw logs keyvals at LevelWarn.
func (h *Helper) Warnw(keyvals ...any) {
	_ = h.out().Log(LevelWarn, keyvals...)
}

// Error logs fmt.Sprint(a...) as the message at LevelError.
func (h *Helper) Error(a ...any) {
	if !h.Enabled(LevelError) {
		return
	}
	_ = h.out().Log(LevelError, h.key(), h.print(a))
}

// Errorf logs fmt.Sprintf(format, a...) as the message at LevelError.
func (h *Helper) Errorf(format string, a ...any) {
	if !h.Enabled(LevelError) {
		return
	}
	_ = h.out().Log(LevelError, h.key(), h.printf(format, a))
}

// Errorw logs keyvals at LevelError.
func (h *Helper) Errorw(keyvals ...any) {
	_ = h.out().Log(LevelError, keyvals...)
}

// Fatal logs fmt.Sprint(a...) as the message at LevelFatal, then ends the
// process with os.Exit(1). Deferred functions do not run.
func (h *Helper) Fatal(a ...any) {
	_ = h.out().Log(LevelFatal, h.key(), h.print(a))
	os.Exit(1)
}

// Fatalf logs fmt.Sprintf(format, a...) as the message at LevelFatal, then
// ends the process with os.Exit(1). Deferred functions do not run.
func (h *Helper) Fatalf(format string, a ...any) {
	_ = h.out().Log(LevelFatal, h.key(), h.printf(format, a))
	os.Exit(1)
}

// Fatalw logs keyvals at LevelFatal, then ends the process with
// os.Exit(1). Deferred functions do not run.
func (h *Helper) Fatalw(keyvals ...any) {
	_ = h.out().Log(LevelFatal, keyvals...)
	os.Exit(1)
}
