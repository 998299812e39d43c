package log

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Levels map between the two packages by steps of four: LevelDebug is
// slog.LevelDebug (-4), LevelInfo is slog.LevelInfo (0), LevelWarn is
// slog.LevelWarn (4), LevelError is slog.LevelError (8) and LevelFatal is
// slog.Level(12). A slog level between two of those maps down to the lower
// one (slog.LevelInfo+2 is LevelInfo); anything below slog.LevelInfo is
// LevelDebug and anything from 12 up is LevelFatal.

func slogLevel(l Level) slog.Level {
	return slog.Level(int(l) * 4)
}

func levelFromSlog(l slog.Level) Level {
	switch {
	case l < slog.LevelInfo:
		return LevelDebug
	case l < slog.LevelWarn:
		return LevelInfo
	case l < slog.LevelError:
		return LevelWarn
	case l < slog.LevelError+4:
		return LevelError
	default:
		return LevelFatal
	}
}

// NewSlogHandler returns a slog.Handler that sends slog records to l, so
// that code written against log/slog ends up in a kratos logger:
//
//	slog.SetDefault(slog.New(log.NewSlogHandler(logger)))
//
// Each record becomes one Log call at the mapped level (see the mapping on
// [NewSlogLogger]) with the keyvals
//
//	DefaultMessageKey, message, handler attributes..., record attributes...
//
// where DefaultMessageKey is read when NewSlogHandler is called. Groups are
// flattened into dotted keys: slog.Group("req", "id", 7) under
// WithGroup("http") is logged as "http.req.id", 7. Attribute values are
// resolved (slog.LogValuer) and passed as plain Go values (slog.Value.Any).
// Empty attributes and empty groups are dropped, as slog asks.
//
// The record's time and source position are not logged: the kratos logger
// adds its own, typically with [DefaultTimestamp] and [DefaultCaller] on a
// [With] logger, which then also see the context given to
// slog.Logger.InfoContext and friends. Enabled consults the level of any
// [Filter] in front of the sink. A nil l discards everything.
func NewSlogHandler(l Logger) slog.Handler {
	return &slogHandler{logger: orDiscard(l), msgKey: DefaultMessageKey}
}

// slogHandler is immutable; With* return modified copies.
type slogHandler struct {
	logger Logger
	msgKey string
	group  string // key prefix from WithGroup, "a.b." or ""
	attrs  []any  // keyvals from WithAttrs, already flattened
}

var _ slog.Handler = (*slogHandler)(nil)

func (h *slogHandler) Enabled(_ context.Context, level slog.Level) bool {
	return enabled(h.logger, levelFromSlog(level))
}

func (h *slogHandler) Handle(ctx context.Context, r slog.Record) error {
	kvs := make([]any, 0, 2+len(h.attrs)+2*r.NumAttrs())
	kvs = append(kvs, h.msgKey, r.Message)
	kvs = append(kvs, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		kvs = appendAttr(kvs, h.group, a)
		return true
	})
	l := h.logger
	if ctx != nil && ctx != context.Background() {
		l = WithContext(ctx, l)
	}
	return l.Log(levelFromSlog(r.Level), kvs...)
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	c := *h
	c.attrs = slices.Clip(h.attrs)
	for _, a := range attrs {
		c.attrs = appendAttr(c.attrs, h.group, a)
	}
	return &c
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group = h.group + name + "."
	return &c
}

// appendAttr appends a as flattened key/value pairs with keys under prefix.
func appendAttr(kvs []any, prefix string, a slog.Attr) []any {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return kvs
	}
	if a.Value.Kind() == slog.KindGroup {
		group := a.Value.Group()
		if len(group) == 0 {
			return kvs
		}
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range group {
			kvs = appendAttr(kvs, prefix, g)
		}
		return kvs
	}
	return append(kvs, prefix+a.Key, a.Value.Any())
}

// NewSlogLogger returns a Logger that sends kratos records to h, so that a
// kratos application can log through any slog handler:
//
//	logger := log.NewSlogLogger(slog.NewJSONHandler(os.Stdout, nil))
//
// The first pair whose key is DefaultMessageKey (read when NewSlogLogger is
// called) becomes the record's message; every other pair becomes an
// attribute, with a non-string key rendered by fmt.Sprint and a lone
// trailing key given the value "KEYVALS UNPAIRED". A [Valuer] value is
// resolved. The record's time is the time of the call and it carries no
// source position. When the logger sits under [WithContext], that context
// is passed to h.Handle; otherwise context.Background() is.
//
// Levels map by steps of four: LevelDebug is slog.LevelDebug, LevelInfo is
// slog.LevelInfo, LevelWarn is slog.LevelWarn, LevelError is
// slog.LevelError and LevelFatal is slog.Level(12), which slog prints as
// "ERROR+4". Records below the handler's level are dropped before any work
// is done. A nil h discards everything.
func NewSlogLogger(h slog.Handler) Logger {
	if h == nil {
		return discard{}
	}
	return &slogLogger{handler: h, msgKey: DefaultMessageKey}
}

type slogLogger struct {
	handler slog.Handler
	msgKey  string
}

var _ Logger = (*slogLogger)(nil)

func (l *slogLogger) Log(level Level, keyvals ...any) error {
	return l.logContext(context.Background(), level, keyvals)
}

func (l *slogLogger) logContext(ctx context.Context, level Level, keyvals []any) error {
	sl := slogLevel(level)
	if !l.handler.Enabled(ctx, sl) {
		return nil
	}
	r := slog.NewRecord(time.Now(), sl, "", 0)
	haveMsg := false
	for i := 0; i < len(keyvals); i += 2 {
		key, ok := keyvals[i].(string)
		if !ok {
			key = fmt.Sprint(keyvals[i])
		}
		var v any = unpaired
		if i+1 < len(keyvals) {
			v = Value(ctx, keyvals[i+1])
		}
		if !haveMsg && key == l.msgKey {
			haveMsg = true
			if s, ok := v.(string); ok {
				r.Message = s
			} else {
				r.Message = fmt.Sprint(v)
			}
			continue
		}
		r.AddAttrs(slog.Any(key, v))
	}
	return l.handler.Handle(ctx, r)
}
