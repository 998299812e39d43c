package httpgen

import (
	"slices"
	"testing"
)

func TestRouteTemplate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		vars []string
	}{
		{"/", "/", nil},
		{"/v1/shelves", "/v1/shelves", nil},
		{"/v1/{a}", "/v1/{a}", []string{"a"}},
		{"/v1/{a.b}/x/{c_d}", "/v1/{a.b}/x/{c_d}", []string{"a.b", "c_d"}},
		{"/v1/{ name }", "/v1/{name}", []string{"name"}},
		{"/v1/{name=*}", "/v1/{name:.*}", []string{"name"}},
		{"/v1/{name=shelves/*}", "/v1/{name:shelves/.*}", []string{"name"}},
		{"/v1/{name=shelves/*/books/*}", "/v1/{name:shelves/.*/books/.*}", []string{"name"}},
		{"/v1/{name=**}", "/v1/{name:.*}", []string{"name"}},
		{"/v1/{name=files/**}", "/v1/{name:files/.*}", []string{"name"}},
		{"/v1/{ name = v1.0/* }", `/v1/{name:v1\.0/.*}`, []string{"name"}},
		{"/v1/{name=messages/*}:cancel", "/v1/{name:messages/.*}:cancel", []string{"name"}},
		{"/v1/{id:[0-9]{3}}", "/v1/{id:[0-9]{3}}", []string{"id"}},
		{"/v1/{a}/{b=x/*}/{c}", "/v1/{a}/{b:x/.*}/{c}", []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		got, vars, err := routeTemplate(tt.in)
		if err != nil {
			t.Errorf("routeTemplate(%q) error = %v", tt.in, err)
			continue
		}
		if got != tt.want || !slices.Equal(vars, tt.vars) {
			t.Errorf("routeTemplate(%q) = %q, %q; want %q, %q", tt.in, got, vars, tt.want, tt.vars)
		}
	}
}

func TestRouteTemplateErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"v1/x",
		"/v1/{id",
		"/v1/id}",
		"/v1/{}",
		"/v1/{1d}",
		"/v1/{a-b}",
		"/v1/{a..b}",
		"/v1/{id}/{id}",
		"/v1/{id=a*b}",
		"/v1/{id=a//b}",
		"/v1/{id=}",
		"/v1/{id=a/}",
		"/v1/{id:[}",
		"/v1/{id:}",
	} {
		if got, _, err := routeTemplate(in); err == nil {
			t.Errorf("routeTemplate(%q) = %q, want an error", in, got)
		}
	}
}

func TestValidToken(t *testing.T) {
	for s, want := range map[string]bool{
		"GET": true, "SEARCH": true, "M-SEARCH": true, "x.y": true,
		"": false, "BAD KIND": false, "A/B": false, "ÜBER": false,
	} {
		if got := validToken(s); got != want {
			t.Errorf("validToken(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzRouteTemplate checks that any path either is rejected or converts
// to a template that converts to itself, with the same variables.
func FuzzRouteTemplate(f *testing.F) {
	for _, s := range []string{
		"/v1/{a}", "/v1/{a.b=shelves/*/books/**}:x", "/v1/{id:[0-9]{3}}", "/{", "/}", "/{a=}", "/{ a = b/* }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, vars, err := routeTemplate(in)
		if err != nil {
			return
		}
		again, vars2, err := routeTemplate(out)
		if err != nil || again != out || !slices.Equal(vars, vars2) {
			t.Errorf("routeTemplate(%q) = %q %q; again %q %q %v", in, out, vars, again, vars2, err)
		}
	})
}
