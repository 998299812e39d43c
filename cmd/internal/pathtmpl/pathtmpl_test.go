package pathtmpl

import "testing"

func TestClosing(t *testing.T) {
	tests := []struct {
		s    string
		open int
		want int
	}{
		{"/a/{id}", 3, 6},
		{"/a/{id:[0-9]{3}}/b", 3, 15},
		{"/a/{id", 3, -1},
	}
	for _, tt := range tests {
		if got := Closing(tt.s, tt.open); got != tt.want {
			t.Errorf("Closing(%q, %d) = %d, want %d", tt.s, tt.open, got, tt.want)
		}
	}
}

func TestSegmentsRegex(t *testing.T) {
	tests := []struct {
		pattern, want string
		wantErr       bool
	}{
		{"shelves/*", "shelves/[^/]+", false},
		{"**", ".*", false},
		{"a.b/*/c", `a\.b/[^/]+/c`, false},
		{"a//b", "", true},
		{"a*/b", "", true},
	}
	for _, tt := range tests {
		got, err := SegmentsRegex(tt.pattern)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("SegmentsRegex(%q) = %q, %v; want %q (error %v)", tt.pattern, got, err, tt.want, tt.wantErr)
		}
	}
}
