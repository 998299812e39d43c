package formcodec

import (
	"bytes"
	"testing"
	"time"
)

func TestCamelSnakeCase(t *testing.T) {
	tests := []struct{ snake, camel string }{
		{"", ""},
		{"user", "user"},
		{"user_id", "userId"},
		{"user_id_and_username", "userIdAndUsername"},
		{"user.display_name", "user.displayName"},
	}
	for _, tt := range tests {
		if got := camelCase(tt.snake); got != tt.camel {
			t.Errorf("camelCase(%q) = %q, want %q", tt.snake, got, tt.camel)
		}
		if got := snakeCase(tt.camel); got != tt.snake {
			t.Errorf("snakeCase(%q) = %q, want %q", tt.camel, got, tt.snake)
		}
	}
}

func TestFormatTimestamp(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2022, 1, 2, 3, 4, 5, 6, time.UTC), "2022-01-02T03:04:05.000000006Z"},
		{time.Date(2022, 13, 1, 13, 61, 61, 100, time.UTC), "2023-01-01T14:02:01.000000100Z"},
		{time.Date(2022, 1, 2, 3, 4, 5, 120000, time.UTC), "2022-01-02T03:04:05.000120Z"},
		{time.Date(2022, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), "2022-01-02T02:04:05Z"},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		got, err := formatTimestamp(tt.t.Unix(), int64(tt.t.Nanosecond()))
		if err != nil || got != tt.want {
			t.Errorf("formatTimestamp(%v) = %q, %v, want %q, nil", tt.t, got, err, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		secs, nanos int64
		want        string
	}{
		{0, 0, "0s"},
		{1, 500000000, "1.5s"},
		{100, 0, "1m40s"},
		{-100, 0, "-1m40s"},
		{int64(time.Duration(1<<63-1) / time.Second), int64(time.Duration(1<<63-1) % time.Second), "2562047h47m16.854775807s"},
		{9223372037, 0, "9223372037s"},
		{315576000000, 999999999, "315576000000.999999999s"},
		{-315576000000, -120000000, "-315576000000.12s"},
		{-9223372036, -854775808, "-2562047h47m16.854775808s"},
		{-9223372036, -854775809, "-9223372036.854775809s"},
	}
	for _, tt := range tests {
		got, err := formatDuration(tt.secs, tt.nanos)
		if err != nil || got != tt.want {
			t.Errorf("formatDuration(%d, %d) = %q, %v, want %q, nil", tt.secs, tt.nanos, got, err, tt.want)
		}
		if err != nil {
			continue
		}
		d, err := parseDuration(got)
		if err != nil || d.Seconds != tt.secs || int64(d.Nanos) != tt.nanos {
			t.Errorf("parseDuration(%q) = %v, %v, want %ds %dns", got, d, err, tt.secs, tt.nanos)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, s := range []string{"", "s", "-s", "1e3s", "1ss", "315576000001s", "-315576000001s", "9223372037.1234567890s", "9999999999999s", "1m1.5"} {
		if d, err := parseDuration(s); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", s, d)
		}
	}
}

func TestDecodeBytes(t *testing.T) {
	want := []byte{0xfb, 0xff, 0xbf}
	for _, s := range []string{"+/+/", "-_-_", "+/+/", "+_+/"} {
		got, err := decodeBytes(s)
		if s == "+_+/" {
			if err == nil {
				t.Errorf("decodeBytes(%q) = %x, want an error for mixed alphabets", s, got)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("decodeBytes(%q) = %x, %v, want %x", s, got, err, want)
		}
	}
	tests := []struct{ in, want string }{
		{"aGk=", "hi"}, {"aGk", "hi"}, {"aG k", "ho\xa4"}, {"", ""},
	}
	for _, tt := range tests {
		got, err := decodeBytes(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("decodeBytes(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}
