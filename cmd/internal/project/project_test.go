package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		want string // substring of the error; "" for valid
	}{
		{"helloworld", ""},
		{"shop-api", ""},
		{"user_svc2", ""},
		{"", "empty"},
		{"a b", "invalid project name"},
		{"Hello", `use lower case ("hello")`},
		{"1st", "starting with a letter"},
		{"a--b", "invalid project name"},
		{"trailing-", "invalid project name"},
		{"dot.name", "invalid project name"},
		{"ünï", "invalid project name"},
		{strings.Repeat("a", 65), "longer than 64"},
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckName(%q) = %v, want nil", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckName(%q) = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestCheckModule(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"helloworld", true},
		{"example.com/shop", true},
		{"github.com/Org/Repo/v2", true},
		{"", false},
		{"/abs", false},
		{"a//b", false},
		{"a/../b", false},
		{"a b", false},
		{"a/", false},
		{"fmt", false},        // the standard library
		{"net/http/x", false}, // the standard library
		{"example.com/.x", false},
	}
	for _, tt := range tests {
		err := CheckModule(tt.path)
		if (err == nil) != tt.ok {
			t.Errorf("CheckModule(%q) = %v, want ok %v", tt.path, err, tt.ok)
		}
	}
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestNewRejectsBadInputAndWritesNothing(t *testing.T) {
	parent := t.TempDir()
	t.Chdir(parent)
	if err := os.Mkdir("taken", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"empty", Options{}, "empty"},
		{"parent escape", Options{Path: "../x"}, "invalid project path"},
		{"space", Options{Path: "a b"}, "invalid project name"},
		{"upper", Options{Path: "Shop"}, "lower case"},
		{"existing dir", Options{Path: "taken"}, "taken already exists"},
		{"existing file", Options{Path: "file"}, "file already exists"},
		{"missing parent", Options{Path: "no/such/shop"}, "does not exist"},
		{"bad module", Options{Path: "shop", Module: "a b"}, "invalid module path"},
		{"std module", Options{Path: "shop", Module: "strings"}, "standard library"},
		{"nomod with module", Options{Path: "shop", NoMod: true, Module: "x.com/y"}, "cannot be used together"},
		{"nomod outside a module", Options{Path: "shop", NoMod: true}, "enclosing module"},
		{"bad framework path", Options{Path: "shop", FrameworkPath: parent}, "is not the source of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New(%+v) = %v, want an error containing %q", tt.opts, err, tt.want)
			}
			if got := entries(t, parent); len(got) != 2 {
				t.Errorf("after a failed New, %s holds %q; want only taken and file", parent, got)
			}
		})
	}
}

func TestLocateFramework(t *testing.T) {
	t.Setenv(EnvFrameworkPath, "")
	fw, err := LocateFramework("")
	if err != nil {
		t.Fatal(err)
	}
	// Tests run from the source tree, so the source is found.
	if fw.Dir == "" {
		t.Fatalf("LocateFramework() = %+v, want the source directory", fw)
	}
	if _, ok := frameworkGoVersion(fw.Dir); !ok {
		t.Errorf("LocateFramework() = %q, which has no go.mod of %s", fw.Dir, FrameworkModule)
	}
	want, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if fw.Dir != want {
		t.Errorf("LocateFramework().Dir = %q, want %q", fw.Dir, want)
	}
	got, err := LocateFramework(want)
	if err != nil || got.Dir != want || got.GoVersion == "" {
		t.Errorf("LocateFramework(%q) = %+v, %v", want, got, err)
	}
	if got.Requirement() != noVersion {
		t.Errorf("Requirement() = %q, want %q", got.Requirement(), noVersion)
	}
}
