package compat

import (
	"fmt"
	"go/types"
)

// A hook replaces the plain copy generated for an exported variable that
// Kratos users assign, so that the assignment takes effect. Go has no
// variable aliases, so each such variable needs code of its own; the list
// is short and a test fails when a hooked variable disappears from ours.
type hook struct {
	pkg   string               // our package path
	decl  func(f *file) string // replaces "var Name = ours.Name"
	extra func(f *file) string // declarations added once to the package
}

var hooks = map[string]hook{
	Ours + "/encoding/json.MarshalOptions":   jsonHook("MarshalOptions", "protojson.MarshalOptions"),
	Ours + "/encoding/json.UnmarshalOptions": jsonHook("UnmarshalOptions", "protojson.UnmarshalOptions"),
}

// jsonHook: Kratos users write json.MarshalOptions = protojson.MarshalOptions{...}.
// The compat package keeps its own variables, initialised from ours, and
// registers (at init, like Kratos's own json package, and after ours, which
// it imports) a "json" codec that reads them for protobuf messages and
// hands everything else to the codec ours registered.
func jsonHook(name, typ string) hook {
	h := hook{pkg: Ours + "/encoding/json"}
	h.decl = func(f *file) string {
		o := f.qualifier(f.ours)
		return fmt.Sprintf("// %s is used by the \"json\" codec for protobuf messages; assign it at init.\nvar %s = %s.%s\n\n", name, name, o, name)
	}
	if name == "MarshalOptions" {
		h.extra = func(f *file) string {
			enc := f.qualifier(importedPackage(Ours+"/encoding", "encoding"))
			proto := f.qualifier(importedPackage("google.golang.org/protobuf/proto", "proto"))
			stdjson := f.qualifier(importedPackage("encoding/json", "json"))
			return fmt.Sprintf(`func init() {
	%[1]s.RegisterCodec(codec{base: %[1]s.GetCodec(Name)})
}

// codec is ours's "json" codec with this package's options for messages.
type codec struct{ base %[1]s.Codec }

func (c codec) Name() string { return c.base.Name() }

func (c codec) Marshal(v any) ([]byte, error) {
	if _, ok := v.(%[3]s.Marshaler); !ok {
		if m, ok := v.(%[2]s.Message); ok {
			return MarshalOptions.Marshal(m)
		}
	}
	return c.base.Marshal(v)
}

func (c codec) Unmarshal(data []byte, v any) error {
	if _, ok := v.(%[3]s.Unmarshaler); !ok {
		if m, ok := v.(%[2]s.Message); ok {
			return UnmarshalOptions.Unmarshal(data, m)
		}
	}
	return c.base.Unmarshal(data, v)
}

`, enc, proto, stdjson)
		}
	}
	return h
}

func importedPackage(path, name string) *types.Package { return types.NewPackage(path, name) }

// aegisHooks replace the functions that take aegis types in Kratos when
// Options.Aegis is set. Ours declare the same interfaces themselves, so the
// generated functions adapt aegis values to ours.
var aegisHooks = map[string]func(f *file) string{
	Ours + "/middleware/ratelimit.WithLimiter": func(f *file) string {
		o := f.qualifier(f.ours)
		a := f.qualifier(types.NewPackage(Aegis+"/ratelimit", "ratelimit"))
		return fmt.Sprintf(`// WithLimiter sets the limiter, an aegis limiter as in Kratos.
func WithLimiter(limiter %[2]s.Limiter) Option {
	return %[1]s.WithLimiter(aegisLimiter{limiter})
}

// aegisLimiter adapts an aegis limiter to ours.
type aegisLimiter struct{ l %[2]s.Limiter }

func (a aegisLimiter) Allow() (%[1]s.DoneFunc, error) {
	done, err := a.l.Allow()
	if err != nil {
		return nil, err
	}
	return func(di %[1]s.DoneInfo) { done(%[2]s.DoneInfo{Err: di.Err}) }, nil
}

`, o, a)
	},
	Ours + "/middleware/circuitbreaker.WithCircuitBreaker": func(f *file) string {
		o := f.qualifier(f.ours)
		a := f.qualifier(types.NewPackage(Aegis+"/circuitbreaker", "circuitbreaker"))
		return fmt.Sprintf(`// WithCircuitBreaker sets the constructor of the breakers, one per
// operation: aegis breakers, as in Kratos.
func WithCircuitBreaker(f func() %[2]s.CircuitBreaker) Option {
	return %[1]s.WithCircuitBreaker(func() %[1]s.CircuitBreaker { return f() })
}

`, o, a)
	},
}
