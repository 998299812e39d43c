package formcodec

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		key     string
		want    []segment
		wantErr string
	}{
		{key: "a", want: []segment{{name: "a"}}},
		{key: "a.b.c", want: []segment{{name: "a"}, {name: "b"}, {name: "c"}}},
		{key: "a[0].b", want: []segment{{name: "a", subs: []string{"0"}}, {name: "b"}}},
		{key: "m[k][0]", want: []segment{{name: "m", subs: []string{"k", "0"}}}},
		{key: "m[]", want: []segment{{name: "m", subs: []string{""}}}},
		{key: "m[a.b]", want: []segment{{name: "m", subs: []string{"a.b"}}}},
		{key: "m[a]b]", want: []segment{{name: "m", subs: []string{"a]b"}}}},
		{key: "m[a[b]", want: []segment{{name: "m", subs: []string{"a[b"}}}},
		{key: "m[a].b[c]", want: []segment{{name: "m", subs: []string{"a"}}, {name: "b", subs: []string{"c"}}}},
		{key: "", wantErr: "empty key"},
		{key: ".a", wantErr: "empty field name"},
		{key: "a..b", wantErr: "empty field name"},
		{key: "a.", wantErr: "trailing '.'"},
		{key: "[0]", wantErr: "empty field name"},
		{key: "a.[0]", wantErr: "empty field name"},
		{key: "a[", wantErr: "unterminated '['"},
		{key: "a[0", wantErr: "unterminated '['"},
		{key: "a[0]b", wantErr: "unterminated '['"},
		{key: "a]", wantErr: "unexpected ']'"},
		{key: strings.Repeat("a.", 100) + "a", wantErr: "more than 100 segments"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := parseKey(nil, tt.key)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseKey(%q) error = %v, want %q", tt.key, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseKey(%q) error = %v", tt.key, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseKey(%q) = %+v, want %+v", tt.key, got, tt.want)
			}
		})
	}
}

func TestFirstName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"a", "a"}, {"a.b", "a"}, {"a[0]", "a"}, {"a]", "a"}, {"", ""}, {".a", ""},
	}
	for _, tt := range tests {
		if got := firstName(tt.key); got != tt.want {
			t.Errorf("firstName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
