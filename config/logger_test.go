package config_test

import (
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/log"
)

// memSource is a source with fixed entries.
type memSource []*config.KeyValue

func (m memSource) Load() ([]*config.KeyValue, error) { return m, nil }
func (m memSource) Watch() (config.Watcher, error)    { return nil, nil }

func TestWithLoggerGetsTheConfigLines(t *testing.T) {
	var buf strings.Builder
	logger := log.With(log.NewStdLogger(&buf), "service.name", "svc")
	c := config.New(
		config.WithSource(memSource{{Key: "app.yaml", Value: []byte("a: 1"), Format: "yaml"}}),
		config.WithLogger(logger),
	)
	defer c.Close()
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "config: loaded app.yaml") || !strings.Contains(got, "service.name=svc") {
		t.Errorf("logger got %q, want the loaded line with the service's fields", got)
	}
}
