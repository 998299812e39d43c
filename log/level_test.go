package log

import "testing"

func TestLevelString(t *testing.T) {
	tests := []struct {
		level Level
		want  string
	}{
		{LevelDebug, "DEBUG"},
		{LevelInfo, "INFO"},
		{LevelWarn, "WARN"},
		{LevelError, "ERROR"},
		{LevelFatal, "FATAL"},
		{Level(-2), ""},
		{Level(4), ""},
		{Level(127), ""},
	}
	for _, tt := range tests {
		if got := tt.level.String(); got != tt.want {
			t.Errorf("Level(%d).String() = %q, want %q", int(tt.level), got, tt.want)
		}
		if got := tt.level.Key(); got != LevelKey {
			t.Errorf("Level(%d).Key() = %q, want %q", int(tt.level), got, LevelKey)
		}
	}
}

func TestLevelValues(t *testing.T) {
	// The numeric values are part of the API (they order the levels).
	tests := []struct {
		level Level
		want  int
	}{
		{LevelDebug, -1}, {LevelInfo, 0}, {LevelWarn, 1}, {LevelError, 2}, {LevelFatal, 3},
	}
	for _, tt := range tests {
		if got := int(tt.level); got != tt.want {
			t.Errorf("%s = %d, want %d", tt.level, got, tt.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want Level
	}{
		{"debug", LevelDebug},
		{"DEBUG", LevelDebug},
		{"Info", LevelInfo},
		{"warn", LevelWarn},
		{"WaRn", LevelWarn},
		{"error", LevelError},
		{"fatal", LevelFatal},
		{"FATAL", LevelFatal},
		// Unknown names fall back to info.
		{"", LevelInfo},
		{"warning", LevelInfo},
		{" debug", LevelInfo},
		{"trace", LevelInfo},
		{"\x00\xff", LevelInfo},
	}
	for _, tt := range tests {
		if got := ParseLevel(tt.in); got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"debug", "INFO", "Warn", "", "ERROR", "fatal"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ParseLevel(s)
		if got < LevelDebug || got > LevelFatal {
			t.Errorf("ParseLevel(%q) = %d, want a defined level", s, int(got))
		}
		if got != LevelInfo && ParseLevel(got.String()) != got {
			t.Errorf("ParseLevel(%q).String() does not round-trip: %q", s, got.String())
		}
	})
}
