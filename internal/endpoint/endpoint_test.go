package endpoint

import (
	"net/url"
	"testing"
)

func TestNewEndpointAndScheme(t *testing.T) {
	if got, want := NewEndpoint(Scheme("grpc", true), "1.2.3.4:9000").String(), "grpcs://1.2.3.4:9000"; got != want {
		t.Errorf("NewEndpoint = %q, want %q", got, want)
	}
	if got := Scheme("http", false); got != "http" {
		t.Errorf("Scheme(http, false) = %q, want http", got)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		endpoints []string
		scheme    string
		want      string
		wantErr   bool
	}{
		{[]string{"http://a:1", "grpc://b:2"}, "grpc", "b:2", false},
		{[]string{"https://a:1"}, "http", "a:1", false},
		{[]string{"grpc://b:2"}, "http", "", false},
		{[]string{"://bad"}, "http", "", true},
		{nil, "http", "", false},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.endpoints, tt.scheme)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseEndpoint(%v, %q) = %q, %v; want %q, err=%v", tt.endpoints, tt.scheme, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestIsSecure(t *testing.T) {
	tests := map[string]bool{
		"https://a":                 true,
		"grpcs://a":                 true,
		"grpc://a?isSecure=true":    true,
		"grpc://a?isSecure=garbage": false,
		"http://a":                  false,
	}
	for raw, want := range tests {
		u, _ := url.Parse(raw)
		if got := IsSecure(u); got != want {
			t.Errorf("IsSecure(%q) = %v, want %v", raw, got, want)
		}
	}
}
