// Package file is a config.Source reading one file or the files of one
// directory, and watching them for changes.
//
// Each file becomes one KeyValue: its Key is the file's base name, its
// Format the extension without the dot, lower-cased, with "yml" reported
// as "yaml" (so config.yml decodes as YAML). A file without an extension
// has no Format: config then stores its content as a string under its
// name. In a directory, subdirectories are not read, and neither are
// hidden, temporary and backup files: names starting with "." (including
// editors' ".#lock" files and Kubernetes' "..data"), names starting and
// ending with "#", and names ending with "~", ".swp", ".swo", ".swx",
// ".tmp", ".temp" or ".bak". Symbolic links are followed.
//
// # Watching
//
// The watcher watches directories rather than files, so it keeps working
// when a file is replaced instead of written in place: an editor's atomic
// save (write a temporary file, rename it over the old one), a file removed
// and created again, or a Kubernetes ConfigMap update (a "..data" symbolic
// link swapped to a new timestamped directory). It watches the directory of
// the file (or the directory itself) and the directories that symbolic
// links resolve to, refreshed after every change.
//
// Events are debounced: Next waits until no event has arrived for 50 ms,
// then reads the files again and returns those whose content differs from
// what was last returned (or loaded), so one save is one update. Removing
// a file from a watched directory reports nothing. A watched file that
// cannot be read (for example while it is deleted) makes Next return an
// error; config then keeps its last good configuration. A file that reads
// as empty during a watch is taken to be in the middle of being written
// (created or truncated, with its content still to come) and is ignored
// until it changes again; Load does read empty files.
package file

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/seed6ad8aa6b/kratos/config"
)

// defaultDebounce is how long the watcher waits for events to stop.
const defaultDebounce = 50 * time.Millisecond

type file struct {
	path     string
	debounce time.Duration

	mu     sync.Mutex
	loaded map[string][]byte // content returned by the last Load, by key
}

var _ config.Source = (*file)(nil)

// NewSource returns a source reading path, a file or a directory. Nothing
// is read before Load.
func NewSource(path string) config.Source {
	return &file{path: path, debounce: defaultDebounce}
}

// Load implements config.Source.
func (f *file) Load() ([]*config.KeyValue, error) {
	kvs, err := f.read()
	if err != nil {
		return nil, err
	}
	loaded := make(map[string][]byte, len(kvs))
	for _, kv := range kvs {
		loaded[kv.Key] = kv.Value
	}
	f.mu.Lock()
	f.loaded = loaded
	f.mu.Unlock()
	return kvs, nil
}

// read reads the file, or the files of the directory.
func (f *file) read() ([]*config.KeyValue, error) {
	fi, err := os.Stat(f.path)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	if !fi.IsDir() {
		kv, err := readFile(f.path)
		if err != nil {
			return nil, err
		}
		return []*config.KeyValue{kv}, nil
	}
	names, err := f.dirFiles()
	if err != nil {
		return nil, err
	}
	kvs := make([]*config.KeyValue, 0, len(names))
	for _, name := range names {
		kv, err := readFile(filepath.Join(f.path, name))
		if err != nil {
			return nil, err
		}
		kvs = append(kvs, kv)
	}
	return kvs, nil
}

// dirFiles lists the names of the regular files of the directory that are
// read, in lexical order; symbolic links to files count as files.
func (f *file) dirFiles() ([]string, error) {
	entries, err := os.ReadDir(f.path)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	var names []string
	for _, e := range entries {
		if ignored(e.Name()) {
			continue
		}
		switch {
		case e.Type().IsRegular():
		case e.Type()&fs.ModeSymlink != 0:
			fi, err := os.Stat(filepath.Join(f.path, e.Name()))
			if err != nil || !fi.Mode().IsRegular() {
				continue // dangling, or a link to a directory
			}
		default:
			continue
		}
		names = append(names, e.Name())
	}
	return names, nil
}

func readFile(path string) (*config.KeyValue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	name := filepath.Base(path)
	return &config.KeyValue{Key: name, Format: format(name), Value: data}, nil
}

// format returns the Format of a file name.
func format(name string) string {
	ext := filepath.Ext(name)
	if ext == "" {
		return ""
	}
	ext = strings.ToLower(ext[1:])
	if ext == "yml" {
		return "yaml"
	}
	return ext
}

// ignored reports whether a directory entry is hidden, temporary or a
// backup.
func ignored(name string) bool {
	if strings.HasPrefix(name, ".") || len(name) > 1 && strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#") {
		return true
	}
	for _, suffix := range []string{"~", ".swp", ".swo", ".swx", ".tmp", ".temp", ".bak"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}
