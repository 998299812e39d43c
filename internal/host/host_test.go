package host

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestExtractHostPort(t *testing.T) {
	tests := []struct {
		in      string
		host    string
		port    uint64
		wantErr bool
	}{
		{"127.0.0.1:8000", "127.0.0.1", 8000, false},
		{"[::1]:9000", "::1", 9000, false},
		{":80", "", 80, false},
		{"nohost", "", 0, true},
		{"h:99999", "", 0, true},
		{"h:abc", "", 0, true},
	}
	for _, tt := range tests {
		host, port, err := ExtractHostPort(tt.in)
		if (err != nil) != tt.wantErr || host != tt.host || port != tt.port {
			t.Errorf("ExtractHostPort(%q) = %q, %d, %v; want %q, %d, err=%v", tt.in, host, port, err, tt.host, tt.port, tt.wantErr)
		}
	}
}

func TestExtract(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	port := lis.Addr().(*net.TCPAddr).Port

	got, err := Extract("127.0.0.1:0", lis)
	if err != nil {
		t.Fatal(err)
	}
	if want := net.JoinHostPort("127.0.0.1", itoa(port)); got != want {
		t.Errorf("Extract(concrete) = %q, want %q", got, want)
	}

	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		got, err := Extract(addr, lis)
		if err != nil {
			t.Fatalf("Extract(%q): %v", addr, err)
		}
		h, p, err := net.SplitHostPort(got)
		if err != nil || p != itoa(port) || net.ParseIP(h) == nil || net.ParseIP(h).IsUnspecified() {
			t.Errorf("Extract(%q) = %q, want a concrete IP with port %d", addr, got, port)
		}
	}

	if got, err := Extract("10.1.2.3:8000", nil); err != nil || got != "10.1.2.3:8000" {
		t.Errorf("Extract without listener = %q, %v", got, err)
	}
	if _, err := Extract("bad", nil); err == nil || !strings.HasPrefix(err.Error(), "host:") {
		t.Errorf("Extract(bad) error = %v, want host: ...", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
