package env

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/config"
)

func TestLoadPrefixes(t *testing.T) {
	environ := []string{
		"APP_NAME=svc",
		"APP_SERVER.HTTP.ADDR=:80",
		"APPLE=fruit",
		"APP=only-prefix",
		"APP_=only-separator",
		"app_lower=x",
		"KRATOS_DEBUG=true",
		"KRATOSX=y",
		"EQUALS=a=b",
		"NOVALUE",
		"=C:=C:\\",
	}
	tests := []struct {
		name     string
		prefixes []string
		want     []string
	}{
		{"no prefix", nil, []string{
			"APP_NAME=svc", "APP_SERVER.HTTP.ADDR=:80", "APPLE=fruit", "APP=only-prefix", "APP_=only-separator",
			"app_lower=x", "KRATOS_DEBUG=true", "KRATOSX=y", "EQUALS=a=b", "NOVALUE=",
		}},
		{"APP", []string{"APP"}, []string{"NAME=svc", "SERVER.HTTP.ADDR=:80", "LE=fruit"}},
		{"APP_", []string{"APP_"}, []string{"NAME=svc", "SERVER.HTTP.ADDR=:80"}},
		{"case sensitive", []string{"app"}, []string{"lower=x"}},
		{"two prefixes", []string{"KRATOS_", "APP_"}, []string{"NAME=svc", "SERVER.HTTP.ADDR=:80", "DEBUG=true"}},
		{"first match wins", []string{"KRATOS", "KRATOS_"}, []string{"DEBUG=true", "X=y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, kv := range (&env{prefixes: tt.prefixes}).load(environ) {
				if kv.Format != "" {
					t.Errorf("Format of %q = %q, want none", kv.Key, kv.Format)
				}
				got = append(got, kv.Key+"="+string(kv.Value))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("load() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSourceWithConfig(t *testing.T) {
	t.Setenv("KRATOS_TEST_ENV_NAME", "svc")
	t.Setenv("KRATOS_TEST_ENV_server.http.addr", ":8080")
	t.Setenv("KRATOS_TEST_ENV_PORT", "9000")
	c := config.New(config.WithSource(NewSource("KRATOS_TEST_ENV_")))
	if err := c.Load(); err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	defer c.Close()
	tests := []struct {
		key  string
		want string
	}{
		{"NAME", "svc"},
		{"server.http.addr", ":8080"},
		{"PORT", "9000"},
	}
	for _, tt := range tests {
		if got, err := c.Value(tt.key).String(); err != nil || got != tt.want {
			t.Errorf("Value(%q).String() = %q, %v, want %q, nil", tt.key, got, err, tt.want)
		}
	}
	if got, err := c.Value("PORT").Int(); err != nil || got != 9000 {
		t.Errorf("Value(PORT).Int() = %d, %v, want 9000, nil", got, err)
	}
}

func TestWatcher(t *testing.T) {
	w, err := NewSource().Watch()
	if err != nil {
		t.Fatalf("Watch() error = %v", err)
	}
	done := make(chan error, 1)
	go func() {
		kvs, err := w.Next()
		if kvs != nil {
			err = errors.New("Next() returned entries")
		}
		done <- err
	}()
	if err := w.Stop(); err != nil {
		t.Fatalf("Stop() error = %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Next() error = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next() did not return after Stop")
	}
}
