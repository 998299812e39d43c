package config

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/log"
)

// Decoder turns one KeyValue into entries of target, the tree the entry is
// merged from. The default decodes formatted entries with the codec of
// that name and nests unformatted entries on the dots of their key.
type Decoder func(kv *KeyValue, target map[string]any) error

// Resolver rewrites the merged tree in place, for example to expand
// placeholders. It runs after every load and every change on a copy of the
// tree; when it fails the copy is dropped.
type Resolver func(tree map[string]any) error

// Merge merges src into dst. It is called with a *map[string]any and a
// map[string]any, once per KeyValue, in source order.
type Merge func(dst, src any) error

// Option configures New.
type Option func(*options)

type options struct {
	sources []Source
	decoder Decoder
	merge   Merge

	// placeholders selects the built-in placeholder resolver, set up by
	// typed and budget; otherwise resolver runs, if not nil.
	placeholders bool
	typed        bool
	budget       int
	resolver     Resolver
	logger       log.Logger
}

func defaultOptions() options {
	return options{
		decoder:      defaultDecoder,
		merge:        defaultMerge,
		placeholders: true,
		budget:       defaultExpansionBudget,
	}
}

// resolve runs the configured resolver over tree.
func (o *options) resolve(tree map[string]any) error {
	if o.placeholders {
		return resolveTree(tree, o.typed, o.budget)
	}
	if o.resolver == nil {
		return nil
	}
	return o.resolver(tree)
}

// WithLogger sets the logger of the config's own lines (sources loaded,
// watch errors, rejected updates), so they carry the service's fields and
// go where its logs go. The default is the global logger, read at each
// line.
//
// This option is not part of Kratos.
func WithLogger(logger log.Logger) Option {
	return func(o *options) { o.logger = logger }
}

// WithSource appends sources. Sources are merged in the order they were
// added; later sources win. There are none by default.
func WithSource(s ...Source) Option {
	return func(o *options) { o.sources = append(o.sources, s...) }
}

// WithDecoder replaces the decoder of KeyValues. The default decodes
// entries with a Format using encoding.GetCodec(Format) ("yml" meaning
// "yaml") and stores entries without one as a string at the dotted path
// of their Key.
func WithDecoder(d Decoder) Option {
	return func(o *options) { o.decoder = d }
}

// WithResolver replaces the resolver. The default expands ${KEY} and
// ${KEY:default} placeholders into strings (see the package documentation).
func WithResolver(r Resolver) Option {
	return func(o *options) { o.placeholders, o.resolver = false, r }
}

// WithResolveActualTypes replaces the resolver with the default placeholder
// resolver, which, when enable is true, turns a string that is exactly one
// placeholder into a bool, int64 or float64 when its expansion parses as
// one. Like WithResolver, the last of the two given wins.
func WithResolveActualTypes(enable bool) Option {
	return func(o *options) { o.placeholders, o.typed = true, enable }
}

// WithExpansionBudget bounds the bytes the default placeholder resolver
// may produce in one resolve, summed over every expansion, so that a
// configuration whose placeholders multiply (a string doubling at every
// reference, referenced hundreds of times) fails fast with an error
// instead of taking hundreds of MiB. A load over budget returns the error;
// a change over budget is logged and the last good configuration stays.
// The default is 16 MiB: expanded configurations are kilobytes, and 16 MiB
// leaves room for sixteen values at the 1 MiB limit of one expansion while
// keeping what a hostile file can make one resolve allocate small. n <= 0
// removes the budget (the per-value limit and the nesting limit remain).
// It has no effect on a resolver given to WithResolver.
//
// This option is not part of Kratos.
func WithExpansionBudget(n int) Option {
	return func(o *options) { o.budget = n }
}

// WithMergeFunc replaces the merge function. The default merges maps
// recursively, and otherwise lets the later value win.
func WithMergeFunc(m Merge) Option {
	return func(o *options) { o.merge = m }
}

// defaultMerge implements the default Merge.
func defaultMerge(dst, src any) error {
	d, ok := dst.(*map[string]any)
	if !ok || d == nil {
		return fmt.Errorf("config: merge into %T, want *map[string]any", dst)
	}
	var s map[string]any
	switch x := src.(type) {
	case map[string]any:
		s = x
	case *map[string]any:
		if x != nil {
			s = *x
		}
	default:
		return fmt.Errorf("config: merge from %T, want map[string]any", src)
	}
	if *d == nil {
		*d = make(map[string]any, len(s))
	}
	mergeTree(*d, s)
	return nil
}

func mergeTree(dst, src map[string]any) {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeTree(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
}
