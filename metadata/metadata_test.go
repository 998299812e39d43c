package metadata

import (
	"context"
	"reflect"
	"testing"
)

func TestNew(t *testing.T) {
	got := New(map[string][]string{"A": {"1"}, "b": {"2"}, "empty": nil}, map[string][]string{"a": {"3"}})
	want := Metadata{"a": {"1", "3"}, "b": {"2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("New() = %v, want %v", got, want)
	}
}

func TestMethods(t *testing.T) {
	md := New()
	md.Add("X-Md-A", "1")
	md.Add("x-md-a", "2")
	md.Add("", "ignored")
	md.Set("X-Md-B", "b")
	md.Set("x-md-c", "")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Get", md.Get("X-MD-A"), "1"},
		{"Get missing", md.Get("nope"), ""},
		{"Values", md.Values("x-md-a"), []string{"1", "2"}},
		{"Set", md.Values("x-md-b"), []string{"b"}},
		{"Set empty ignored", md.Values("x-md-c"), []string(nil)},
		{"len", len(md), 2},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	n := 0
	md.Range(func(string, []string) bool { n++; return false })
	if n != 1 {
		t.Errorf("Range stopped after %d calls, want 1", n)
	}
}

func TestCloneIsDeep(t *testing.T) {
	md := Metadata{"a": {"1"}}
	c := md.Clone()
	c["a"][0] = "changed"
	c.Add("b", "2")
	if got := md.Get("a"); got != "1" {
		t.Errorf("original Get(a) = %q after changing clone, want 1", got)
	}
	if _, ok := md["b"]; ok {
		t.Error("Add on clone changed original")
	}
}

func TestContexts(t *testing.T) {
	ctx := context.Background()
	if _, ok := FromServerContext(ctx); ok {
		t.Error("FromServerContext on empty context: ok = true")
	}
	sctx := NewServerContext(ctx, Metadata{"a": {"1"}})
	if md, ok := FromServerContext(sctx); !ok || md.Get("a") != "1" {
		t.Errorf("FromServerContext = %v, %v", md, ok)
	}
	if _, ok := FromClientContext(sctx); ok {
		t.Error("server metadata visible as client metadata")
	}

	base := Metadata{"k": {"v"}}
	cctx := NewClientContext(ctx, base)
	cctx2 := AppendToClientContext(cctx, "A", "1")
	md, _ := FromClientContext(cctx2)
	if got, want := md, (Metadata{"k": {"v"}, "a": {"1"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("after Append = %v, want %v", got, want)
	}
	if len(base) != 1 {
		t.Errorf("Append modified the parent's metadata: %v", base)
	}
	cctx3 := MergeToClientContext(cctx2, Metadata{"k": {"w"}, "B": {"2"}})
	md, _ = FromClientContext(cctx3)
	if got, want := md, (Metadata{"k": {"w"}, "a": {"1"}, "b": {"2"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("after Merge = %v, want %v", got, want)
	}
	// Append on a context without metadata works too.
	md, _ = FromClientContext(AppendToClientContext(ctx, "x", "y"))
	if md.Get("x") != "y" {
		t.Errorf("Append on empty context = %v", md)
	}
}

// TestCloneKeepsEmptyAndNil checks, as Kratos v2.9.2's TestMetadata_Clone
// does, that Clone keeps an empty value list empty and a nil one nil.
func TestCloneKeepsEmptyAndNil(t *testing.T) {
	tests := []struct {
		name string
		md   Metadata
	}{
		{"nil", nil},
		{"empty", Metadata{}},
		{"empty and nil lists", Metadata{"k0": []string{}, "k1": nil}},
		{"values", Metadata{"a": {"1", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.md
			if want == nil {
				want = Metadata{}
			}
			if got := tt.md.Clone(); !reflect.DeepEqual(got, want) {
				t.Errorf("Clone() = %#v, want %#v", got, want)
			}
		})
	}
}

// TestAppendToClientContextOddPanics checks that an odd number of strings
// panics, as on Kratos v2.9.2 (its TestAppendToClientContextThatPanics).
func TestAppendToClientContextOddPanics(t *testing.T) {
	tests := []struct {
		name      string
		kv        []string
		wantPanic bool
	}{
		{"none", nil, false},
		{"pair", []string{"a", "1"}, false},
		{"one", []string{"a"}, true},
		{"three", []string{"hello", "kratos", "env"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if got := recover() != nil; got != tt.wantPanic {
					t.Errorf("AppendToClientContext(%q) panicked = %v, want %v", tt.kv, got, tt.wantPanic)
				}
			}()
			AppendToClientContext(context.Background(), tt.kv...)
		})
	}
}
