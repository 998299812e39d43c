package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const thirdParty = "../../../third_party"

// TestUpToDate checks that third_party holds exactly what the generator
// writes; run go generate in this directory to fix it.
func TestUpToDate(t *testing.T) {
	files, err := generate()
	if err != nil {
		t.Fatalf("generate() error: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("generate() wrote no files")
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(thirdParty, filepath.FromSlash(path)))
		if err != nil {
			t.Errorf("%s: %v (run go generate in cmd/internal/thirdparty)", path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date (run go generate in cmd/internal/thirdparty)", path)
		}
	}
	stale, err := extra(thirdParty, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range stale {
		t.Errorf("%s is not generated (run go generate in cmd/internal/thirdparty to remove it)", path)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "old", "stale.proto")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("syntax = \"proto3\";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := write(dir); err != nil {
		t.Fatalf("write() error: %v", err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale file still there: %v", err)
	}
	for _, want := range []string{"google/api/annotations.proto", "google/api/http.proto", "errors/errors.proto"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("%s not written: %v", want, err)
		}
	}
}
