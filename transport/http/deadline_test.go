package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseTimeoutMs(t *testing.T) {
	tests := []struct {
		in     []string
		want   time.Duration
		wantOK bool
	}{
		{[]string{"300"}, 300 * time.Millisecond, true},
		{[]string{"0"}, 0, true},
		{[]string{"9999999999"}, 9999999999 * time.Millisecond, true},
		{[]string{"10000000000"}, 0, false}, // 11 digits
		{[]string{""}, 0, false},
		{[]string{"-1"}, 0, false},
		{[]string{"1.5"}, 0, false},
		{[]string{" 1"}, 0, false},
		{[]string{"1e3"}, 0, false},
		{[]string{"٣"}, 0, false}, // not ASCII
		{nil, 0, false},
		{[]string{"20", "10"}, 20 * time.Millisecond, true}, // the first wins
	}
	for _, tt := range tests {
		got, ok := parseTimeoutMs(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseTimeoutMs(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzParseTimeoutMs(f *testing.F) {
	for _, s := range []string{"300", "", "9999999999", "-1", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseTimeoutMs([]string{s})
		if ok && (d < 0 || d > maxTimeoutMs*time.Millisecond) {
			t.Fatalf("parseTimeoutMs(%q) = %v, out of range", s, d)
		}
	})
}

func TestSetTimeoutHeader(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		timeout time.Duration
		min     time.Duration // the header is between min and max
		max     time.Duration
		none    bool
	}{
		{"context deadline", ctx, 0, 200 * time.Millisecond, 300 * time.Millisecond, false},
		{"client timeout shorter", ctx, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, false},
		{"client timeout longer", ctx, 5 * time.Second, 200 * time.Millisecond, 300 * time.Millisecond, false},
		{"client timeout only", context.Background(), 2 * time.Second, 2 * time.Second, 2 * time.Second, false},
		{"neither", context.Background(), 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(tt.ctx)
			setTimeoutHeader(req, tt.timeout)
			v, has := req.Header[timeoutHeader]
			if tt.none {
				if has {
					t.Fatalf("header = %q, want none", v)
				}
				return
			}
			got, ok := parseTimeoutMs(v)
			if !ok || got < tt.min || got > tt.max {
				t.Errorf("header = %q, want between %v and %v", v, tt.min, tt.max)
			}
		})
	}
}
