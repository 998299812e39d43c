package log

// Kratos v3's process-wide *slog.Logger (Default, SetDefault and the
// package-level functions over it), tied to this package's v2 global
// logger (GetLogger, SetLogger) so that both APIs log to the same place.

import (
	"context"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"
)

// installedDefault is what SetDefault installed: the v2 Logger it gave to
// SetLogger and the *slog.Logger that Default returns while that Logger is
// the global one.
type installedDefault struct {
	logger Logger
	slog   *slog.Logger
}

// slogDefault is written only by SetDefault; like the global logger, it
// starts empty and nothing is done at package initialisation.
var slogDefault atomic.Pointer[installedDefault]

// SetDefault makes l the process-wide logger of both APIs of this package
// and of log/slog:
//
//   - it installs NewSlogLogger(l.Handler()) with [SetLogger], so that the
//     v2 package-level functions ([Info], [Errorf], ...), [GetLogger] and
//     every logger built on it write to l's handler;
//   - [Default] returns l, for as long as no later SetLogger or SetDefault
//     replaces it;
//   - it calls slog.SetDefault(l), as Kratos v3's SetDefault does, so that
//     slog.Info and friends (and, as slog arranges, the standard library's
//     log package) write to l too.
//
// A logger obtained from Default while the global logger was not one set
// by SetDefault writes to the global logger; passing it (or a logger
// derived from it with With or WithGroup) to SetDefault rebuilds it on the
// logger that is global at that moment, so that the global logger does not
// call itself. A nil l restores [DefaultLogger] as the global logger and
// leaves slog's default alone.
//
// SetDefault is safe to call concurrently with logging. Like SetLogger, it
// is meant for program start-up.
//
// Added in Kratos v3, where it only calls slog.SetDefault.
func SetDefault(l *slog.Logger) {
	if l == nil {
		slogDefault.Store(nil)
		SetLogger(nil)
		return
	}
	h := l.Handler()
	if g, ok := h.(*globalHandler); ok {
		h = g.on(global.current())
		l = slog.New(h)
	}
	lg := NewSlogLogger(h)
	SetLogger(lg)
	slogDefault.Store(&installedDefault{logger: lg, slog: l})
	slog.SetDefault(l)
}

// Default returns the process-wide *slog.Logger: the one given to
// [SetDefault] while it is still the global logger, and otherwise a
// logger that writes to the global logger ([GetLogger]) through
// [NewSlogHandler], following later [SetLogger] calls as GetLogger does.
// In the second case records take the v2 path: groups become dotted keys,
// and the time and caller are those the v2 logger adds (for instance with
// [DefaultTimestamp] and [DefaultCaller]).
//
// Kratos v3's Default is slog.Default(); here it is that too after
// SetDefault, but a logger installed with slog.SetDefault alone is not
// seen, because this package's global logger is the one of GetLogger.
func Default() *slog.Logger {
	if d := slogDefault.Load(); d != nil && global.current() == d.logger {
		return d.slog
	}
	return slog.New(&globalHandler{base: &global, h: NewSlogHandler(&global)})
}

// Handler returns the handler of [Default]().
//
// Added in Kratos v3, where it is slog.Default().Handler().
func Handler() slog.Handler {
	return defaultHandler()
}

// WithGroup returns Default().WithGroup(name): a logger whose attributes
// are nested under name.
//
// Added in Kratos v3, with the same behaviour over [Default].
func WithGroup(name string) *slog.Logger {
	return Default().WithGroup(name)
}

// DebugContext logs msg and args (slog's alternating keys and values, or
// slog.Attr values) at slog.LevelDebug through [Default], with ctx given
// to its handler. A nil ctx stands for context.Background().
//
// Added in Kratos v3, with the same behaviour over [Default]. The v2
// [Debug] keeps its v2 signature.
func DebugContext(ctx context.Context, msg string, args ...any) {
	logDefault(ctx, slog.LevelDebug, msg, args)
}

// InfoContext is [DebugContext] at slog.LevelInfo.
//
// Added in Kratos v3, with the same behaviour over [Default].
func InfoContext(ctx context.Context, msg string, args ...any) {
	logDefault(ctx, slog.LevelInfo, msg, args)
}

// WarnContext is [DebugContext] at slog.LevelWarn.
//
// Added in Kratos v3, with the same behaviour over [Default].
func WarnContext(ctx context.Context, msg string, args ...any) {
	logDefault(ctx, slog.LevelWarn, msg, args)
}

// ErrorContext is [DebugContext] at slog.LevelError.
//
// Added in Kratos v3, with the same behaviour over [Default].
func ErrorContext(ctx context.Context, msg string, args ...any) {
	logDefault(ctx, slog.LevelError, msg, args)
}

// LogAttrs logs msg and attrs at level through [Default], with ctx given
// to its handler; it is the cheapest of these functions, as
// slog.Logger.LogAttrs is. A nil ctx stands for context.Background().
//
// Added in Kratos v3, with the same signature (v3's Level is slog.Level;
// this package's Level is v2's, so level is a slog.Level here).
func LogAttrs(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if ctx == nil {
		ctx = context.Background()
	}
	h := defaultHandler()
	if !h.Enabled(ctx, level) {
		return
	}
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:]) // skip runtime.Callers and LogAttrs
	r := slog.NewRecord(time.Now(), level, msg, pcs[0])
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// logDefault logs through the handler of Default with the source position
// of the caller of the exported function that called it.
func logDefault(ctx context.Context, level slog.Level, msg string, args []any) {
	if ctx == nil {
		ctx = context.Background()
	}
	h := defaultHandler()
	if !h.Enabled(ctx, level) {
		return
	}
	var pcs [1]uintptr
	runtime.Callers(3, pcs[:]) // skip runtime.Callers, logDefault and the exported function
	r := slog.NewRecord(time.Now(), level, msg, pcs[0])
	r.Add(args...)
	_ = h.Handle(ctx, r)
}

// defaultHandler is Default().Handler() without building the Logger.
func defaultHandler() slog.Handler {
	if d := slogDefault.Load(); d != nil && global.current() == d.logger {
		return d.slog.Handler()
	}
	return NewSlogHandler(&global)
}

// globalHandler is the handler of a logger returned by Default when the
// global logger was not set by SetDefault: NewSlogHandler over base, with
// the WithAttrs and WithGroup calls made on it remembered so that
// SetDefault can replay them over another base.
type globalHandler struct {
	base Logger
	h    slog.Handler
	ops  []func(slog.Handler) slog.Handler
}

var _ slog.Handler = (*globalHandler)(nil)

func (g *globalHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return g.h.Enabled(ctx, level)
}

func (g *globalHandler) Handle(ctx context.Context, r slog.Record) error {
	return g.h.Handle(ctx, r)
}

func (g *globalHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return g
	}
	return g.with(func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
}

func (g *globalHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return g
	}
	return g.with(func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
}

func (g *globalHandler) with(op func(slog.Handler) slog.Handler) *globalHandler {
	ops := append(g.ops[:len(g.ops):len(g.ops)], op)
	return &globalHandler{base: g.base, h: op(g.h), ops: ops}
}

// on returns the handler g would be over base.
func (g *globalHandler) on(base Logger) slog.Handler {
	h := NewSlogHandler(base)
	for _, op := range g.ops {
		h = op(h)
	}
	return h
}
