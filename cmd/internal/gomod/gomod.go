// Package gomod reads the little of go.mod files that the CLI needs: the
// module path and go version, and which module a directory belongs to.
package gomod

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Parse returns the module path and the go directive's version declared
// by the go.mod content data; either is empty when missing.
func Parse(data []byte) (module, goVersion string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			continue
		}
		switch fields[0] {
		case "module":
			module = strings.Trim(fields[1], `"`+"`")
		case "go":
			goVersion = fields[1]
		}
	}
	return module, goVersion
}

// ModuleOf returns the root directory (absolute) and the module path of
// the module containing dir: the nearest go.mod at or above it.
func ModuleOf(dir string) (root, module string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for d := abs; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod, _ := Parse(data)
			if mod == "" {
				return "", "", fmt.Errorf("%s: no module directive", filepath.Join(d, "go.mod"))
			}
			return d, mod, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", "", err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", fmt.Errorf("no go.mod in %s or any directory above it", abs)
		}
		d = parent
	}
}
