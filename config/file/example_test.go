package file_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/seed6ad8aa6b/kratos/config"
	"github.com/seed6ad8aa6b/kratos/config/file"
)

func ExampleNewSource() {
	dir, err := os.MkdirTemp("", "config")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "server.yml"), []byte("server:\n  addr: :8000\n  timeout: 1s\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "data.json"), []byte(`{"data": {"driver": "mysql"}}`), 0o644)

	c := config.New(config.WithSource(file.NewSource(dir)))
	if err := c.Load(); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	addr, _ := c.Value("server.addr").String()
	timeout, _ := c.Value("server.timeout").Duration()
	driver, _ := c.Value("data.driver").String()
	fmt.Println(addr, timeout, driver)
	// Output: :8000 1s mysql
}
