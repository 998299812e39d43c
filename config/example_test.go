package config_test

import (
	"fmt"

	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/config/env"
)

// staticSource is a Source holding fixed entries.
type staticSource []*config.KeyValue

func (s staticSource) Load() ([]*config.KeyValue, error) { return s, nil }
func (s staticSource) Watch() (config.Watcher, error)    { return env.NewWatcher() }

func ExampleNew() {
	defaults := staticSource{{
		Key:    "config.yaml",
		Format: "yaml",
		Value: []byte(`
server:
  addr: ${HOST:0.0.0.0}:${PORT:8000}
  timeout: 1.5s
`),
	}}
	overrides := staticSource{{Key: "PORT", Value: []byte("9000")}}

	c := config.New(config.WithSource(defaults, overrides))
	if err := c.Load(); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	addr, _ := c.Value("server.addr").String()
	timeout, _ := c.Value("server.timeout").Duration()
	fmt.Println(addr, timeout)

	var s struct {
		Server struct {
			Addr string `json:"addr"`
		} `json:"server"`
	}
	if err := c.Scan(&s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Server.Addr)

	_, err := c.Value("server.missing").String()
	fmt.Println(err)
	// Output:
	// 0.0.0.0:9000 1.5s
	// 0.0.0.0:9000
	// config: "server.missing": key not found
}

func ExampleWithResolveActualTypes() {
	c := config.New(
		config.WithSource(staticSource{
			{Key: "app.json", Format: "json", Value: []byte(`{"port": "${PORT:8000}", "debug": "${DEBUG:false}"}`)},
		}),
		config.WithResolveActualTypes(true),
	)
	if err := c.Load(); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	fmt.Printf("%T %T\n", c.Value("port").Load(), c.Value("debug").Load())
	// Output: int64 bool
}
