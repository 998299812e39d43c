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
