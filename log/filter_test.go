package log

import (
	"context"
	"slices"
	"testing"
)

func TestFilter(t *testing.T) {
	tests := []struct {
		name  string
		opts  []FilterOption
		level Level
		kvs   []any
		want  []string
	}{
		{"default level passes info", nil, LevelInfo, []any{"k", "v"}, []string{"INFO k v"}},
		{"default level drops debug", nil, LevelDebug, []any{"k", "v"}, nil},
		{"level drops below", []FilterOption{FilterLevel(LevelError)}, LevelWarn, []any{"k", "v"}, nil},
		{"level keeps equal", []FilterOption{FilterLevel(LevelError)}, LevelError, []any{"k", "v"}, []string{"ERROR k v"}},
		{"level keeps above", []FilterOption{FilterLevel(LevelError)}, LevelFatal, []any{"k", "v"}, []string{"FATAL k v"}},
		{"key masked", []FilterOption{FilterKey("password")}, LevelInfo, []any{"user", "bob", "password", "hunter2"}, []string{"INFO user bob password ***"}},
		{"keys add up", []FilterOption{FilterKey("a"), FilterKey("b", "c")}, LevelInfo, []any{"a", 1, "b", 2, "c", 3, "d", 4}, []string{"INFO a *** b *** c *** d 4"}},
		{"value masked", []FilterOption{FilterValue("secret")}, LevelInfo, []any{"x", "secret", "y", "open"}, []string{"INFO x *** y open"}},
		{"value only matches strings", []FilterOption{FilterValue("1")}, LevelInfo, []any{"x", 1, "y", "1"}, []string{"INFO x 1 y ***"}},
		{"key in value position ignored", []FilterOption{FilterKey("password")}, LevelInfo, []any{"k", "password"}, []string{"INFO k password"}},
		{"odd count: lone key not masked", []FilterOption{FilterKey("password")}, LevelInfo, []any{"password"}, []string{"INFO password"}},
		{"unhashable values", []FilterOption{FilterKey("k"), FilterValue("v")}, LevelInfo, []any{[]int{1}, map[string]int{}, "k", []byte("x")}, []string{"INFO [1] map[] k ***"}},
		{"func drops", []FilterOption{FilterFunc(func(_ Level, kvs ...any) bool { return slices.Contains(kvs, "drop") })}, LevelInfo, []any{"k", "drop"}, nil},
		{"func keeps", []FilterOption{FilterFunc(func(_ Level, kvs ...any) bool { return slices.Contains(kvs, "drop") })}, LevelInfo, []any{"k", "keep"}, []string{"INFO k keep"}},
		{"func sees level", []FilterOption{FilterLevel(LevelDebug), FilterFunc(func(l Level, _ ...any) bool { return l == LevelDebug })}, LevelDebug, []any{"k", "v"}, nil},
		{"nil func", []FilterOption{FilterFunc(nil)}, LevelInfo, []any{"k", "v"}, []string{"INFO k v"}},
		{"nil option", []FilterOption{nil}, LevelInfo, []any{"k", "v"}, []string{"INFO k v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			f := NewFilter(rec, tt.opts...)
			if err := f.Log(tt.level, tt.kvs...); err != nil {
				t.Fatalf("Log() error = %v", err)
			}
			if got := rec.lines(); !slices.Equal(got, tt.want) {
				t.Errorf("records = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFilterDoesNotModifyCallerSlice(t *testing.T) {
	rec := &recorder{}
	f := NewFilter(rec, FilterKey("password"))
	kvs := []any{"password", "hunter2"}
	_ = f.Log(LevelInfo, kvs...)
	if kvs[1] != "hunter2" {
		t.Errorf("caller's slice = %v, want it unchanged", kvs)
	}
	if got, want := rec.lines(), []string{"INFO password ***"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}

func TestFilterFuncSeesPrefix(t *testing.T) {
	rec := &recorder{}
	var seen [][]any
	f := NewFilter(With(rec, "module", "db"), FilterFunc(func(_ Level, kvs ...any) bool {
		seen = append(seen, kvs)
		if len(kvs) > 0 && kvs[0] == "module" {
			kvs[0] = "tampered" // must not reach the logger's prefix
		}
		return false
	}))
	_ = f.Log(LevelInfo, "k", "v")
	if len(seen) != 2 || !slices.Equal(seen[0][1:], []any{"db"}) {
		t.Errorf("filter func saw %v, want the prefix then the keyvals", seen)
	}
	if got, want := rec.lines(), []string{"INFO module db k v"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
	// The prefix can be used to drop whole modules.
	drop := NewFilter(With(rec, "module", "db"), FilterFunc(func(_ Level, kvs ...any) bool {
		return len(kvs) >= 2 && kvs[0] == "module" && kvs[1] == "db"
	}))
	_ = drop.Log(LevelError, "k", "v")
	if got := len(rec.lines()); got != 1 {
		t.Errorf("got %d records after dropping module db, want 1", got)
	}
}

func TestFilterWithContext(t *testing.T) {
	rec := &recorder{}
	f := NewFilter(With(rec, "rid", Valuer(ctxValuer)), FilterLevel(LevelWarn), FilterKey("k"))
	ctx := context.WithValue(context.Background(), ctxKey{}, "r1")
	l := WithContext(ctx, f)
	if _, ok := l.(*Filter); !ok {
		t.Fatalf("WithContext(*Filter) = %T, want *Filter", l)
	}
	_ = l.Log(LevelInfo, "k", "v")
	_ = l.Log(LevelWarn, "k", "v")
	if got, want := rec.lines(), []string{"WARN rid r1 k ***"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
	if !NewHelper(l).Enabled(LevelWarn) || NewHelper(l).Enabled(LevelInfo) {
		t.Errorf("Helper on WithContext(filter) lost the filter level")
	}
}
