package log

import (
	"context"
	"slices"
)

// FilterOption configures a [Filter].
type FilterOption func(*Filter)

// masked replaces the values hidden by FilterKey and FilterValue.
const masked = "***"

// FilterLevel drops records below level. The default is the zero Level,
// LevelInfo, so a Filter drops debug records unless FilterLevel(LevelDebug)
// is given.
//
// FilterLevel and [FilterLeveler] replace each other: the last one given
// wins.
func FilterLevel(level Level) FilterOption {
	return func(f *Filter) {
		f.level = level
		f.leveler = nil
	}
}

// FilterLeveler drops records below the level l reports, asked again for
// every record, so that the level can change while the filter is in use:
//
//	var level log.LevelVar // slog.LevelInfo
//	logger := log.NewFilter(sink, log.FilterLeveler(&level))
//	level.Set(log.LevelDebug.Level()) // debug records pass from now on
//
// l speaks slog levels; a record's Level is compared after the mapping of
// [Level.Level] (LevelWarn is slog.LevelWarn, ...), so a slog level between
// two of ours lets the higher one through. A nil l puts back the fixed
// level of FilterLevel (LevelInfo by default). FilterLevel and
// FilterLeveler replace each other: the last one given wins.
//
// This option is not part of Kratos v2.
func FilterLeveler(l Leveler) FilterOption {
	return func(f *Filter) {
		f.leveler = l
	}
}

// FilterKey replaces with "***" the value of every pair whose key is one of
// keys. Options add up: FilterKey("a") and FilterKey("b") mask both.
func FilterKey(keys ...string) FilterOption {
	return func(f *Filter) {
		for _, k := range keys {
			f.key[k] = struct{}{}
		}
	}
}

// FilterValue replaces with "***" every value equal to one of values.
// Options add up.
func FilterValue(values ...string) FilterOption {
	return func(f *Filter) {
		for _, v := range values {
			f.value[v] = struct{}{}
		}
	}
}

// FilterFunc drops a record when fn returns true. fn is called with the
// record's level and keyvals, and first (when the filtered logger was made
// by [With] and has a prefix) with the prefix pairs as given to With,
// Valuers unresolved. fn must not modify keyvals. nil removes the function.
func FilterFunc(fn func(level Level, keyvals ...any) bool) FilterOption {
	return func(f *Filter) {
		f.filter = fn
	}
}

// Filter is a Logger that drops or masks records before passing them on.
// It is immutable once built and safe for concurrent use.
type Filter struct {
	logger  Logger
	level   Level
	leveler Leveler // when set, it decides instead of level
	key     map[string]struct{}
	value   map[string]struct{}
	filter  func(level Level, keyvals ...any) bool
}

var _ Logger = (*Filter)(nil)

// NewFilter returns a Filter in front of logger. With no option it drops
// records below LevelInfo (the zero Level) and passes everything else
// unchanged. A nil logger discards everything.
func NewFilter(logger Logger, opts ...FilterOption) *Filter {
	f := &Filter{
		logger: orDiscard(logger),
		key:    make(map[string]struct{}),
		value:  make(map[string]struct{}),
	}
	for _, opt := range opts {
		if opt != nil {
			opt(f)
		}
	}
	return f
}

// Log drops the record when its level is below the filter's level or the
// filter function rejects it, masks the values selected by FilterKey and
// FilterValue, and passes the rest on. Only string keys and string values
// are compared; the caller's keyvals slice is never modified.
func (f *Filter) Log(level Level, keyvals ...any) error {
	if f.below(level) || f.filter != nil && f.rejects(level, keyvals) {
		return nil
	}
	if len(f.key) > 0 || len(f.value) > 0 {
		keyvals = f.mask(keyvals)
	}
	return f.logger.Log(level, keyvals...)
}

// logContext is Log for [LogContext]: it logs through the logger below f
// as WithContext(ctx, f).Log would, with the same number of frames between
// the caller and the Log method that resolves the Valuers, and does not
// keep keyvals (the filter function gets a copy).
func (f *Filter) logContext(ctx context.Context, level Level, keyvals []any) error {
	if f.below(level) || f.filter != nil && f.rejects(level, slices.Clone(keyvals)) {
		return nil
	}
	if len(f.key) > 0 || len(f.value) > 0 {
		keyvals = f.mask(keyvals)
	}
	c, inner := route(ctx, f.logger)
	if inner != nil {
		return inner.logContext(ctx, level, keyvals)
	}
	return c.Log(level, keyvals...)
}

// rejects reports whether the filter function drops the record; it is
// called first with the prefix of the logger below f, if any.
func (f *Filter) rejects(level Level, keyvals []any) bool {
	if p, ok := f.logger.(*logger); ok && len(p.prefix) > 0 {
		// A copy, so that fn cannot corrupt the prefix.
		if f.filter(level, append([]any(nil), p.prefix...)...) {
			return true
		}
	}
	return f.filter(level, keyvals...)
}

// below reports whether records at level are dropped for their level.
func (f *Filter) below(level Level) bool {
	if f.leveler != nil {
		return slogLevel(level) < f.leveler.Level()
	}
	return level < f.level
}

// mask returns keyvals with the selected values replaced, copying the slice
// before the first change.
func (f *Filter) mask(keyvals []any) []any {
	copied := false
	for i := 0; i+1 < len(keyvals); i += 2 {
		hide := false
		if k, ok := keyvals[i].(string); ok {
			_, hide = f.key[k]
		}
		if !hide {
			if v, ok := keyvals[i+1].(string); ok {
				_, hide = f.value[v]
			}
		}
		if !hide {
			continue
		}
		if !copied {
			keyvals = append([]any(nil), keyvals...)
			copied = true
		}
		keyvals[i+1] = masked
	}
	return keyvals
}
