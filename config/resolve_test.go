package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"host":  "example.com",
			"port":  8080,
			"debug": true,
			"ratio": 0.5,
			"empty": "",
			"nest":  map[string]any{"name": "inner", "list": []any{"x", "y"}},
			"env":   map[string]any{"PORT": "9090", "ON": "true", "PI": "3.14", "NAME": "svc"},
		}
	}
	tests := []struct {
		name  string
		value any
		typed bool
		want  any
	}{
		{name: "plain", value: "no placeholders", want: "no placeholders"},
		{name: "key", value: "${host}", want: "example.com"},
		{name: "spaces", value: "${ host }", want: "example.com"},
		{name: "nested key", value: "${nest.name}", want: "inner"},
		{name: "list index", value: "${nest.list.1}", want: "y"},
		{name: "several", value: "http://${host}:${port}/", want: "http://example.com:8080/"},
		{name: "number", value: "${port}", want: "8080"},
		{name: "bool", value: "${debug}", want: "true"},
		{name: "float", value: "${ratio}", want: "0.5"},
		{name: "default unused", value: "${host:other}", want: "example.com"},
		{name: "default", value: "${missing:fallback}", want: "fallback"},
		{name: "default with colon", value: "${missing:http://a:1}", want: "http://a:1"},
		{name: "empty default", value: "${missing:}", want: ""},
		{name: "existing empty beats default", value: "${empty:d}", want: ""},
		{name: "missing without default", value: "a${missing}b", want: "ab"},
		{name: "placeholder in default", value: "${missing:${host}}", want: "example.com"},
		{name: "braces in default", value: `${missing:{"a":1}}`, want: `{"a":1}`},
		{name: "map expands to empty", value: "[${nest}]", want: "[]"},
		{name: "unterminated", value: "${host", want: "${host"},
		{name: "dollar alone", value: "$host {x}", want: "$host {x}"},
		{name: "typed int", value: "${env.PORT}", typed: true, want: int64(9090)},
		{name: "typed bool", value: "${env.ON}", typed: true, want: true},
		{name: "typed float", value: "${env.PI}", typed: true, want: 3.14},
		{name: "typed string", value: "${env.NAME}", typed: true, want: "svc"},
		{name: "typed default", value: "${missing:12}", typed: true, want: int64(12)},
		{name: "typed with text stays string", value: "port ${env.PORT}", typed: true, want: "port 9090"},
		{name: "typed two placeholders stay string", value: "${env.PORT}${env.PORT}", typed: true, want: "90909090"},
		{name: "typed nan stays string", value: "${missing:NaN}", typed: true, want: "NaN"},
		{name: "untyped int stays string", value: "${env.PORT}", want: "9090"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := base()
			tree["v"] = tt.value
			if err := resolveTree(tree, tt.typed, defaultExpansionBudget); err != nil {
				t.Fatalf("resolve(%q) error = %v", tt.value, err)
			}
			if got := tree["v"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("resolve(%q) = %#v, want %#v", tt.value, got, tt.want)
			}
		})
	}
}

func TestResolveReferences(t *testing.T) {
	tree := map[string]any{
		"a":    "${b}-a",
		"b":    "${c}-b",
		"c":    "c",
		"list": []any{"${a}", []any{"${c}"}, map[string]any{"k": "${b}"}},
		"deep": map[string]any{"x": "${a}"},
	}
	if err := resolveTree(tree, false, defaultExpansionBudget); err != nil {
		t.Fatalf("resolve error = %v", err)
	}
	want := map[string]any{
		"a":    "c-b-a",
		"b":    "c-b",
		"c":    "c",
		"list": []any{"c-b-a", []any{"c"}, map[string]any{"k": "c-b"}},
		"deep": map[string]any{"x": "c-b-a"},
	}
	if !reflect.DeepEqual(tree, want) {
		t.Errorf("resolved = %v, want %v", tree, want)
	}
}

func TestResolveErrors(t *testing.T) {
	chain := map[string]any{}
	for i := range 40 {
		chain["k"+string(rune('A'+i))] = "${k" + string(rune('A'+i+1)) + "}"
	}
	tests := []struct {
		name    string
		tree    map[string]any
		wantErr error
		wantMsg string
	}{
		{name: "self", tree: map[string]any{"a": "x${a}"}, wantErr: errCycle, wantMsg: "a -> a"},
		{name: "cycle", tree: map[string]any{"a": "${b}", "b": "${c}", "c": "${a}"}, wantErr: errCycle, wantMsg: `resolve "a": placeholder refers to itself: a -> b -> c -> a`},
		{name: "cycle through default", tree: map[string]any{"a": "${missing:${a}}"}, wantErr: errCycle},
		{name: "too deep", tree: chain, wantErr: errTooDeep},
		{name: "too large", tree: map[string]any{
			"a": strings.Repeat("x", 1<<10),
			"b": strings.Repeat("${a}", 1<<10) + "!",
		}, wantErr: errTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := resolveTree(tt.tree, false, defaultExpansionBudget)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("resolve error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("resolve error = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// bombTree returns a tree whose string k<i> holds k<i-1> twice, from a
// one-byte k0 up to k<levels>, and refs strings naming the last one.
func bombTree(levels, refs int) map[string]any {
	tree := map[string]any{"k0": "x"}
	for i := 1; i <= levels; i++ {
		tree[fmt.Sprintf("k%d", i)] = fmt.Sprintf("${k%d}${k%d}", i-1, i-1)
	}
	for j := range refs {
		tree[fmt.Sprintf("r%03d", j)] = fmt.Sprintf("${k%d}", levels)
	}
	return tree
}

func TestResolveBudget(t *testing.T) {
	// The bomb's chain takes 2 MiB, each reference 1 MiB: r014 is one too many.
	// b and c expand to 4 and 9 bytes; b counts once although it is both
	// a value and referenced twice.
	shared := func() map[string]any {
		return map[string]any{"a": "xy", "b": "${a}${a}", "c": "${b}-${b}"}
	}
	// Lone placeholders share the string they name, but each value counts.
	lone := func() map[string]any {
		return map[string]any{"a": "xyz", "b": "${a}", "c": "${a}"}
	}
	tests := []struct {
		name    string
		tree    map[string]any
		budget  int
		wantErr error
		wantMsg string
		want    map[string]any
	}{
		{
			name: "bomb", tree: bombTree(20, 400), budget: defaultExpansionBudget, wantErr: errBudget,
			wantMsg: `config: resolve "r014": placeholder expansions exceed the budget of 16777216 bytes per resolve`,
		},
		{
			name: "each path once fits", tree: shared(), budget: 13,
			want: map[string]any{"a": "xy", "b": "xyxy", "c": "xyxy-xyxy"},
		},
		{name: "each path once over", tree: shared(), budget: 12, wantErr: errBudget, wantMsg: `resolve "c"`},
		{name: "lone placeholders fit", tree: lone(), budget: 6, want: map[string]any{"a": "xyz", "b": "xyz", "c": "xyz"}},
		{name: "lone placeholders over", tree: lone(), budget: 5, wantErr: errBudget, wantMsg: `resolve "c"`},
		{name: "text around placeholders counts", tree: map[string]any{"a": "[${b:}]"}, budget: 1, wantErr: errBudget},
		{name: "no placeholders cost nothing", tree: map[string]any{"a": strings.Repeat("x", 100)}, budget: 1},
		{name: "no budget", tree: bombTree(20, 20), budget: 0},
		{name: "no budget keeps the value limit", tree: bombTree(21, 1), budget: 0, wantErr: errTooLarge},
		{name: "value limit before budget", tree: bombTree(21, 1), budget: 1 << 30, wantErr: errTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := resolveTree(tt.tree, false, tt.budget)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("resolve error = %v, want nil", err)
				}
			} else if !errors.Is(err, tt.wantErr) {
				t.Fatalf("resolve error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("resolve error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if tt.want != nil && !reflect.DeepEqual(tt.tree, tt.want) {
				t.Errorf("resolved = %v, want %v", tt.tree, tt.want)
			}
		})
	}
}

func FuzzResolve(f *testing.F) {
	f.Add("${b}", "${c.d:x}", "plain", false, uint16(0))
	f.Add("${a}", "${b}", "${c.d}", true, uint16(3))
	f.Add("${missing:${a}}", "${b:{}}", "${", true, uint16(100))
	f.Add("$${{a}}}", "${c.d:${b}${b}}", "1.5", false, uint16(7))
	f.Fuzz(func(t *testing.T, a, b, d string, typed bool, budget uint16) {
		newTree := func() map[string]any {
			return map[string]any{
				"a": a,
				"b": b,
				"c": map[string]any{"d": d, "n": 1},
				"l": []any{a, map[string]any{"x": b}},
			}
		}
		free := newTree()
		freeErr := resolveTree(free, typed, 0)
		tree := newTree()
		err := resolveTree(tree, typed, int(budget))
		if err != nil {
			if !errors.Is(err, errCycle) && !errors.Is(err, errTooDeep) && !errors.Is(err, errTooLarge) && !errors.Is(err, errBudget) {
				t.Fatalf("resolve error = %v, want a cycle, depth, size or budget error", err)
			}
			if errors.Is(err, errBudget) && budget == 0 {
				t.Fatalf("resolve error = %v without a budget", err)
			}
			return
		}
		// A budget rejects; it never changes what a resolve produces.
		if freeErr != nil {
			t.Fatalf("resolve error = %v without a budget, nil with budget %d", freeErr, budget)
		}
		if !reflect.DeepEqual(tree, free) {
			t.Errorf("resolved with budget %d = %v, want %v as without one", budget, tree, free)
		}
		if !strings.Contains(a, "${") && tree["a"] != a {
			t.Errorf("resolve(%q) = %#v, want it unchanged", a, tree["a"])
		}
		if got := tree["c"].(map[string]any)["n"]; got != 1 {
			t.Errorf("resolve changed a number to %#v", got)
		}
	})
}
