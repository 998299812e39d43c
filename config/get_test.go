package config

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestGet(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("app.yaml", `
server:
  http:
    addr: 0.0.0.0:8000
    port: "8080"
    timeout: 1.5s
    idle: 2000000000
    tls: true
    ratio: 0.25
  big: 300
  huge: 1e40
nothing: null
tags: [a, b]
`))))
	type HTTP struct {
		Addr string `json:"addr"`
		Port string `json:"port"`
		TLS  bool   `json:"tls"`
	}
	tests := []struct {
		name    string
		get     func() (any, error)
		want    any
		wantErr bool
	}{
		{"string", func() (any, error) { return Get[string](c, "server.http.addr") }, "0.0.0.0:8000", false},
		{"int from a string", func() (any, error) { return Get[int](c, "server.http.port") }, 8080, false},
		{"int64", func() (any, error) { return Get[int64](c, "server.big") }, int64(300), false},
		{"int32", func() (any, error) { return Get[int32](c, "server.big") }, int32(300), false},
		{"uint16", func() (any, error) { return Get[uint16](c, "server.big") }, uint16(300), false},
		{"int8 overflow", func() (any, error) { return Get[int8](c, "server.big") }, int8(0), true},
		{"uint8 overflow", func() (any, error) { return Get[uint8](c, "server.big") }, uint8(0), true},
		{"bool", func() (any, error) { return Get[bool](c, "server.http.tls") }, true, false},
		{"float64", func() (any, error) { return Get[float64](c, "server.http.ratio") }, 0.25, false},
		{"float32", func() (any, error) { return Get[float32](c, "server.http.ratio") }, float32(0.25), false},
		{"float32 overflow", func() (any, error) { return Get[float32](c, "server.huge") }, float32(0), true},
		{"duration from a string", func() (any, error) { return Get[time.Duration](c, "server.http.timeout") }, 1500 * time.Millisecond, false},
		{"duration from a number", func() (any, error) { return Get[time.Duration](c, "server.http.idle") }, 2 * time.Second, false},
		{"duration from a bad string", func() (any, error) { return Get[time.Duration](c, "server.http.addr") }, time.Duration(0), true},
		{"struct", func() (any, error) { return Get[HTTP](c, "server.http") }, HTTP{Addr: "0.0.0.0:8000", Port: "8080", TLS: true}, false},
		{"slice", func() (any, error) { return Get[[]string](c, "tags") }, []string{"a", "b"}, false},
		{"map", func() (any, error) { return Get[map[string]bool](c, "server.http") }, map[string]bool(nil), true},
		{"bool from text", func() (any, error) { return Get[bool](c, "server.http.addr") }, false, true},
	}
	for _, tt := range tests {
		got, err := tt.get()
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: Get() error = %v, want error %v", tt.name, err, tt.wantErr)
		}
		if err != nil && errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Get() error = %v, want one that is not ErrNotFound", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Get() = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}

func TestGetNotFound(t *testing.T) {
	c := mustLoad(t, WithSource(newMemSource(kvYAML("app.yaml", "a: 1\nnothing: null\n"))))
	for _, key := range []string{"missing", "a.b", "nothing"} {
		got, err := Get[int](c, key)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Get[int](%q) error = %v, want ErrNotFound", key, err)
		}
		if got != 0 {
			t.Errorf("Get[int](%q) = %d, want 0", key, got)
		}
		if _, err := Get[struct{ A int }](c, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get[struct](%q) error = %v, want ErrNotFound", key, err)
		}
	}
}
