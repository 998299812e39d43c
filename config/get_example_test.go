package config_test

import (
	"fmt"
	"time"

	"github.com/seed6ad8aa6b/kratos/config"
)

func ExampleGet() {
	c := config.New(config.WithSource(staticSource{{
		Key:    "config.yaml",
		Format: "yaml",
		Value: []byte(`
server:
  port: 8080
  timeout: 1.5s
`),
	}}))
	if err := c.Load(); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	port, _ := config.Get[int](c, "server.port")
	timeout, _ := config.Get[time.Duration](c, "server.timeout")
	_, err := config.Get[string](c, "server.name")
	fmt.Println(port, timeout, err)
	// Output: 8080 1.5s config: get "server.name": key not found
}
