// Package endpoint builds and parses the endpoint URLs that servers publish
// in the registry, such as "grpc://10.0.0.1:9000?isSecure=false".
package endpoint

import (
	"net/url"
	"strconv"
)

// NewEndpoint returns the URL scheme://host.
func NewEndpoint(scheme, host string) *url.URL {
	return &url.URL{Scheme: scheme, Host: host}
}

// Scheme returns scheme with an "s" appended when isSecure, e.g. "https".
func Scheme(scheme string, isSecure bool) string {
	if isSecure {
		return scheme + "s"
	}
	return scheme
}

// IsSecure reports whether u names a TLS endpoint: an "https"/"grpcs"
// scheme or an "isSecure=true" query parameter.
func IsSecure(u *url.URL) bool {
	if u.Scheme == "https" || u.Scheme == "grpcs" {
		return true
	}
	ok, _ := strconv.ParseBool(u.Query().Get("isSecure"))
	return ok
}
