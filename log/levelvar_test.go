package log

import (
	"log/slog"
	"slices"
	"sync"
	"testing"
)

func TestLevelSlog(t *testing.T) {
	tests := []struct {
		level Level
		want  slog.Level
	}{
		{LevelDebug, slog.LevelDebug},
		{LevelInfo, slog.LevelInfo},
		{LevelWarn, slog.LevelWarn},
		{LevelError, slog.LevelError},
		{LevelFatal, slog.Level(12)},
	}
	for _, tt := range tests {
		if got := tt.level.Level(); got != tt.want {
			t.Errorf("%v.Level() = %v, want %v", tt.level, got, tt.want)
		}
		if got := levelFromSlog(tt.level.Level()); got != tt.level {
			t.Errorf("levelFromSlog(%v.Level()) = %v, want %v", tt.level, got, tt.level)
		}
	}
}

func TestFilterLeveler(t *testing.T) {
	tests := []struct {
		name    string
		opts    []FilterOption
		set     slog.Level
		records []Level
		want    []string
	}{
		{"zero LevelVar is info", nil, slog.LevelInfo, []Level{LevelDebug, LevelInfo}, []string{"INFO k v"}},
		{"debug lets debug through", nil, slog.LevelDebug, []Level{LevelDebug, LevelInfo}, []string{"DEBUG k v", "INFO k v"}},
		{"error drops warn", nil, slog.LevelError, []Level{LevelWarn, LevelError, LevelFatal}, []string{"ERROR k v", "FATAL k v"}},
		{"between levels lets the higher through", nil, slog.LevelInfo + 2, []Level{LevelInfo, LevelWarn}, []string{"WARN k v"}},
		{"later FilterLevel wins", []FilterOption{FilterLevel(LevelError)}, slog.LevelDebug, []Level{LevelWarn, LevelError}, []string{"ERROR k v"}},
		{"nil leveler restores FilterLevel", []FilterOption{FilterLevel(LevelWarn), FilterLeveler(nil)}, slog.LevelDebug, []Level{LevelInfo, LevelWarn}, []string{"WARN k v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v LevelVar
			v.Set(tt.set)
			rec := &recorder{}
			f := NewFilter(rec, append([]FilterOption{FilterLeveler(&v)}, tt.opts...)...)
			for _, l := range tt.records {
				_ = f.Log(l, "k", "v")
			}
			if got := rec.lines(); !slices.Equal(got, tt.want) {
				t.Errorf("records = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFilterLevelerChangesWhileLogging(t *testing.T) {
	var v LevelVar
	rec := &recorder{}
	h := NewHelper(NewFilter(rec, FilterLeveler(&v)))
	if h.Enabled(LevelDebug) {
		t.Fatal("Enabled(LevelDebug) = true at slog.LevelInfo, want false")
	}
	h.Debug("hidden")
	v.Set(LevelDebug.Level())
	if !h.Enabled(LevelDebug) {
		t.Fatal("Enabled(LevelDebug) = false after Set(LevelDebug.Level()), want true")
	}
	h.Debug("shown")
	if got, want := rec.lines(), []string{"DEBUG msg shown"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}

	// Readers and a writer at once (run with -race).
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				if i == 0 {
					v.Set(Level(j%5 - 1).Level())
					continue
				}
				h.Info("x")
			}
		}()
	}
	wg.Wait()
}
