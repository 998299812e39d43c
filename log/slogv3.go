package log

// Kratos v3's slog-native constructors, next to the v2 API of this package.
//
// Kratos v3 replaced v2's Logger with *slog.Logger. The pieces of its API
// whose names v2 does not use are here under the same names: NewHandler,
// NewLogger, ContextWithAttrs, AttrsFromContext, Extractor, Format, the
// handler options WithWriter, WithFormat, WithLevel, WithAddSource,
// WithReplaceAttr, WithExtractor and WithFilter, and (in slogdefault.go)
// Default, SetDefault, Handler, WithGroup, DebugContext, InfoContext,
// WarnContext, ErrorContext and LogAttrs. Where v3 reuses a v2 name with
// another meaning, the v2 meaning stays:
//
//   - v3's Option (a handler option) is HandlerOption here: Option remains
//     v2's Helper option. v3 code compiles unchanged as long as it does not
//     name the type.
//   - v3's FilterOption, FilterKey and FilterFunc configure a slog filter;
//     here WithFilter takes v2's FilterOption, so FilterKey (same
//     signature in both), FilterValue, FilterLevel and FilterLeveler work
//     on slog handlers, and FilterFunc keeps v2's signature.
//   - v3's Level, Enabled, With, Debug, Info, Warn, Error and Log are v2's.

import (
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
)

// Format is the encoding of the handler [NewHandler] builds.
//
// Added in Kratos v3, with the same values.
type Format int

const (
	// FormatText writes records with slog.NewTextHandler (key=value).
	FormatText Format = iota
	// FormatJSON writes records with slog.NewJSONHandler, one object a line.
	FormatJSON
)

// Extractor returns attributes taken from the context of a log call, such
// as a trace or request ID. It may return nil and must be safe for
// concurrent use.
//
// Added in Kratos v3, with the same type.
type Extractor func(ctx context.Context) []slog.Attr

// HandlerOption configures [NewHandler] and [NewLogger].
//
// Kratos v3 calls this type Option; here Option is the v2 option of
// [Helper], which wins, so v3's handler options (WithWriter, WithLevel,
// ...) keep their names and return a HandlerOption.
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	writer      io.Writer
	format      Format
	level       slog.Leveler
	addSource   bool
	replaceAttr func(groups []string, a slog.Attr) slog.Attr
	extractors  []Extractor
	filter      []FilterOption
}

// WithWriter sets where [NewHandler] writes. Default, also for nil:
// os.Stderr. The writer gets one Write call per record. [NewLogger]
// ignores it.
func WithWriter(w io.Writer) HandlerOption {
	return func(c *handlerConfig) { c.writer = w }
}

// WithFormat sets the encoding of [NewHandler]. Default: [FormatText]; a
// value other than FormatJSON is FormatText. [NewLogger] ignores it.
func WithFormat(f Format) HandlerOption {
	return func(c *handlerConfig) { c.format = f }
}

// WithLevel sets the minimum level of records that are written. It takes
// any slog.Leveler: a slog.Level, a *slog.LevelVar (to change the level
// while the handler is in use), or a v2 [Level] such as LevelDebug, which
// stands for the matching slog level. Default, also for nil:
// slog.LevelInfo for [NewHandler], and for [NewLogger] whatever the given
// handler enables.
//
// Kratos v3's NewLogger ignores this option; ours adds the minimum in
// front of the handler.
func WithLevel(l slog.Leveler) HandlerOption {
	return func(c *handlerConfig) { c.level = l }
}

// WithAddSource sets whether [NewHandler] writes the source file and line
// of the log call (slog.HandlerOptions.AddSource). Default: false.
// [NewLogger] ignores it.
func WithAddSource(b bool) HandlerOption {
	return func(c *handlerConfig) { c.addSource = b }
}

// WithReplaceAttr sets slog.HandlerOptions.ReplaceAttr of [NewHandler]:
// fn may rewrite or drop (by returning an empty Attr) every attribute,
// the built-in time, level, source and message ones included. Default:
// none. [NewLogger] ignores it.
func WithReplaceAttr(fn func(groups []string, a slog.Attr) slog.Attr) HandlerOption {
	return func(c *handlerConfig) { c.replaceAttr = fn }
}

// WithExtractor adds functions whose attributes are appended to every
// record, computed from the context of the log call (the ctx of
// InfoContext and friends; context.Background() otherwise). Options add
// up; nil functions are skipped. [AttrsFromContext] is always the first
// extractor, so attributes attached with [ContextWithAttrs] need no
// option.
func WithExtractor(extractors ...Extractor) HandlerOption {
	return func(c *handlerConfig) {
		for _, e := range extractors {
			if e != nil {
				c.extractors = append(c.extractors, e)
			}
		}
	}
}

// WithFilter puts v2 filter options in front of the handler:
//
//   - [FilterKey] replaces with "***" the value of every attribute whose
//     key is one of the keys, at any depth of groups, or whose dotted path
//     ("user.password" for the attribute password in group user, groups
//     from WithGroup included) is one of them; a group attribute selected
//     so is replaced as a whole (Kratos v3 only masks inside it);
//   - [FilterValue] replaces with "***" every string value equal to one of
//     the values;
//   - [FilterLevel] and [FilterLeveler] drop records below a level; with
//     neither, the filter drops nothing for its level;
//   - [FilterFunc] drops a record when its function returns true; the
//     function is called with the record's level mapped to a v2 Level and
//     the keyvals DefaultMessageKey, message, then the record's own
//     attributes with groups flattened into dotted keys.
//
// Masking also applies to the attributes given to slog.Logger.With and to
// those of extractors. Options add up.
//
// Kratos v3's WithFilter takes v3's own FilterOption; FilterKey has the
// same signature in both, v3's FilterFunc (which takes the context and the
// slog.Record) has no counterpart here.
func WithFilter(opts ...FilterOption) HandlerOption {
	return func(c *handlerConfig) { c.filter = append(c.filter, opts...) }
}

// NewHandler returns a slog.Handler that writes text (or JSON, see
// [WithFormat]) lines to os.Stderr (see [WithWriter]) from slog.LevelInfo
// up (see [WithLevel]), with the attributes of [ContextWithAttrs] and of
// any [WithExtractor] functions appended to each record and, with
// [WithFilter], keys and values masked. It is safe for concurrent use.
//
// Use it with slog.New, or with [SetDefault] to make it the process-wide
// logger of both this package's v2 API and slog:
//
//	log.SetDefault(slog.New(log.NewHandler(log.WithFormat(log.FormatJSON))))
//
// Added in Kratos v3, with the same behaviour; only the options' type is
// named [HandlerOption] instead of Option.
func NewHandler(opts ...HandlerOption) slog.Handler {
	c := newHandlerConfig(opts)
	w := c.writer
	if w == nil {
		w = os.Stderr
	}
	level := c.level
	if level == nil {
		level = slog.LevelInfo
	}
	hopts := &slog.HandlerOptions{Level: level, AddSource: c.addSource, ReplaceAttr: c.replaceAttr}
	var h slog.Handler
	if c.format == FormatJSON {
		h = slog.NewJSONHandler(w, hopts)
	} else {
		h = slog.NewTextHandler(w, hopts)
	}
	return c.decorate(h, nil)
}

// NewLogger returns a *slog.Logger writing to h with this package's
// decorations: the attributes of [ContextWithAttrs] and of [WithExtractor]
// functions appended to every record, the masking and dropping of
// [WithFilter], and the minimum level of [WithLevel]. The options about
// encoding ([WithWriter], [WithFormat], [WithAddSource],
// [WithReplaceAttr]) belong to h and are ignored. A nil h discards
// everything.
//
// Added in Kratos v3, with the same behaviour except that WithLevel is
// honoured; only the options' type is named [HandlerOption].
func NewLogger(h slog.Handler, opts ...HandlerOption) *slog.Logger {
	if h == nil {
		h = slog.DiscardHandler
	}
	c := newHandlerConfig(opts)
	return slog.New(c.decorate(h, c.level))
}

func newHandlerConfig(opts []HandlerOption) *handlerConfig {
	c := &handlerConfig{extractors: []Extractor{AttrsFromContext}}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// decorate puts the filter (with the minimum level min, when not nil)
// and then the extractors in front of h, so that extracted attributes are
// masked too.
//
// When h is itself decorated (NewLogger(NewHandler(...))), the new filter
// goes under its extractors and the extractors are merged, so that the
// attributes of ContextWithAttrs are added once.
func (c *handlerConfig) decorate(h slog.Handler, min slog.Leveler) slog.Handler {
	extractors := c.extractors
	if inner, ok := h.(*contextHandler); ok {
		h = inner.next
		// Both lists start with AttrsFromContext.
		extractors = append(inner.extractors[:len(inner.extractors):len(inner.extractors)], extractors[1:]...)
	}
	if f := newFilterHandler(h, min, c.filter); f != nil {
		h = f
	}
	return &contextHandler{next: h, extractors: extractors}
}

type contextAttrsKey struct{}

// ContextWithAttrs returns a copy of ctx carrying attrs after those ctx
// already carries. Handlers from [NewHandler] and loggers from [NewLogger]
// append them to every record logged with that context:
//
//	ctx = log.ContextWithAttrs(ctx, slog.String("request_id", id))
//	logger.InfoContext(ctx, "order created") // ... request_id=<id>
//
// A nil ctx stands for context.Background(); with no attrs, ctx is
// returned as is.
//
// Added in Kratos v3, with the same behaviour.
func ContextWithAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if len(attrs) == 0 {
		return ctx
	}
	prev := AttrsFromContext(ctx)
	all := make([]slog.Attr, 0, len(prev)+len(attrs))
	all = append(append(all, prev...), attrs...)
	return context.WithValue(ctx, contextAttrsKey{}, all)
}

// AttrsFromContext returns the attributes attached to ctx with
// [ContextWithAttrs], in order, or nil. The caller must not modify the
// result. It is an [Extractor].
//
// Added in Kratos v3, with the same behaviour.
func AttrsFromContext(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	attrs, _ := ctx.Value(contextAttrsKey{}).([]slog.Attr)
	return attrs
}

// contextHandler appends the attributes of its extractors to each record.
type contextHandler struct {
	next       slog.Handler
	extractors []Extractor
}

var _ slog.Handler = (*contextHandler)(nil)

func (h *contextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		ctx = context.Background()
	}
	cloned := false
	for _, e := range h.extractors {
		attrs := e(ctx)
		if len(attrs) == 0 {
			continue
		}
		if !cloned {
			// The record's attributes may be shared with the caller's.
			r = r.Clone()
			cloned = true
		}
		r.AddAttrs(attrs...)
	}
	return h.next.Handle(ctx, r)
}

func (h *contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return &contextHandler{next: h.next.WithAttrs(attrs), extractors: h.extractors}
}

func (h *contextHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &contextHandler{next: h.next.WithGroup(name), extractors: h.extractors}
}

// noLevel stands for "no level given" in a Filter built by WithFilter: no
// record is below it.
const noLevel = Level(math.MinInt8)

// filterRules is what WithFilter's options ask for, read once.
type filterRules struct {
	keys    map[string]struct{}
	values  map[string]struct{}
	fn      func(level Level, keyvals ...any) bool
	level   Level   // noLevel when no FilterLevel was given
	leveler Leveler // when set, it decides instead of level
	min     slog.Leveler
}

// filterHandler masks and drops records by filterRules.
type filterHandler struct {
	next   slog.Handler
	rules  *filterRules
	groups []string // from WithGroup, outermost first
}

var _ slog.Handler = (*filterHandler)(nil)

// newFilterHandler returns the filter of opts and min in front of next, or
// nil when they filter nothing.
func newFilterHandler(next slog.Handler, min slog.Leveler, opts []FilterOption) slog.Handler {
	rules := &filterRules{level: noLevel, min: min}
	if len(opts) > 0 {
		f := NewFilter(nil, append([]FilterOption{FilterLevel(noLevel)}, opts...)...)
		rules.keys, rules.values, rules.fn = f.key, f.value, f.filter
		rules.level, rules.leveler = f.level, f.leveler
	}
	if len(rules.keys) == 0 && len(rules.values) == 0 && rules.fn == nil &&
		rules.level == noLevel && rules.leveler == nil && rules.min == nil {
		return nil
	}
	return &filterHandler{next: next, rules: rules}
}

func (h *filterHandler) below(level slog.Level) bool {
	r := h.rules
	if r.min != nil && level < r.min.Level() {
		return true
	}
	if r.leveler != nil {
		return level < r.leveler.Level()
	}
	return r.level != noLevel && level < slogLevel(r.level)
}

func (h *filterHandler) masks() bool { return len(h.rules.keys) > 0 || len(h.rules.values) > 0 }

func (h *filterHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return !h.below(level) && h.next.Enabled(ctx, level)
}

func (h *filterHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.below(r.Level) {
		return nil
	}
	if h.rules.fn != nil {
		kvs := make([]any, 0, 2+2*r.NumAttrs())
		kvs = append(kvs, DefaultMessageKey, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			kvs = appendAttr(kvs, "", a)
			return true
		})
		if h.rules.fn(levelFromSlog(r.Level), kvs...) {
			return nil
		}
	}
	if h.masks() {
		changed := false
		r.Attrs(func(a slog.Attr) bool {
			changed = h.needsMask(h.groups, a)
			return !changed
		})
		if changed {
			out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
			r.Attrs(func(a slog.Attr) bool {
				out.AddAttrs(h.mask(h.groups, a))
				return true
			})
			r = out
		}
	}
	return h.next.Handle(ctx, r)
}

func (h *filterHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	if h.masks() {
		masked := make([]slog.Attr, len(attrs))
		for i, a := range attrs {
			masked[i] = h.mask(h.groups, a)
		}
		attrs = masked
	}
	return &filterHandler{next: h.next.WithAttrs(attrs), rules: h.rules, groups: h.groups}
}

func (h *filterHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	groups := append(append(make([]string, 0, len(h.groups)+1), h.groups...), name)
	return &filterHandler{next: h.next.WithGroup(name), rules: h.rules, groups: groups}
}

// hidden reports whether the attribute key, under groups, is masked by
// FilterKey.
func (h *filterHandler) hidden(groups []string, key string) bool {
	if _, ok := h.rules.keys[key]; ok {
		return true
	}
	if len(groups) == 0 {
		return false
	}
	_, ok := h.rules.keys[strings.Join(groups, ".")+"."+key]
	return ok
}

// hiddenValue reports whether v is a string masked by FilterValue.
func (h *filterHandler) hiddenValue(v slog.Value) bool {
	if len(h.rules.values) == 0 || v.Kind() != slog.KindString {
		return false
	}
	_, ok := h.rules.values[v.String()]
	return ok
}

// needsMask reports whether mask would change a.
func (h *filterHandler) needsMask(groups []string, a slog.Attr) bool {
	if a.Key != "" && h.hidden(groups, a.Key) {
		return true
	}
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		inner := groups
		if a.Key != "" {
			inner = append(groups[:len(groups):len(groups)], a.Key)
		}
		for _, g := range v.Group() {
			if h.needsMask(inner, g) {
				return true
			}
		}
		return false
	}
	return h.hiddenValue(v)
}

// mask returns a with the values selected by FilterKey and FilterValue
// replaced by "***", at any depth of groups.
func (h *filterHandler) mask(groups []string, a slog.Attr) slog.Attr {
	if !h.needsMask(groups, a) {
		return a
	}
	v := a.Value.Resolve()
	if v.Kind() != slog.KindGroup || a.Key != "" && h.hidden(groups, a.Key) {
		return slog.String(a.Key, masked)
	}
	inner := groups
	if a.Key != "" {
		inner = append(groups[:len(groups):len(groups)], a.Key)
	}
	group := v.Group()
	out := make([]slog.Attr, len(group))
	for i, g := range group {
		out[i] = h.mask(inner, g)
	}
	return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
}
