package errorsgen_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/errorsgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
)

const (
	module  = "module=github.com/seed6ad8aa6b/kratos/cmd"
	cmdRoot = "../.."
)

func errorsPlugin(param string) gentest.Plugin {
	return gentest.Plugin{Name: "protoc-gen-go-errors", Param: param, Run: func(gen *protogen.Plugin) error {
		return errorsgen.Generate(gen)
	}}
}

// TestCamelCase checks the names of Kratos's case conversion (cases.Title
// of golang.org/x/text on each underscore-separated word).
func TestCamelCase(t *testing.T) {
	for in, want := range map[string]string{
		"USER_NOT_FOUND":     "UserNotFound",
		"user_name_missing":  "UserNameMissing",
		"HTTP2":              "Http2",
		"ERROR_2FA_REQUIRED": "Error2FaRequired",
		"a2b":                "A2b",
		"fooBAR":             "FooBAR",
		"Foo_BAR":            "FooBar",
		"_LEADING":           "Leading",
		"TRAILING_":          "Trailing",
		"A__B":               "AB",
		"x":                  "X",
		"X":                  "X",
		"v1_BETA2":           "V1Beta2",
		"abc9def":            "Abc9def",
		"ABC9DEF":            "Abc9def",
		"Ab_cD":              "AbCD",
		"snake_Case_X":       "SnakeCaseX",
		"NO":                 "No",
		"a1b2c3_d4E5":        "A1b2c3D4E5",
		"USER_NOT_FOUND_V2":  "UserNotFoundV2",
		"iPhone_X":           "IPhoneX",
		"9_LIVES":            "9Lives",
		"__":                 "",
	} {
		if got := errorsgen.CamelCase(in); got != want {
			t.Errorf("CamelCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGolden regenerates the code of testdata/reasons.proto and compares
// it with the package checked in under internal/reasons, whose tests run
// it.
func TestGolden(t *testing.T) {
	req, err := gentest.Compile([]string{"testdata"}, "reasons.proto")
	if err != nil {
		t.Fatal(err)
	}
	files, err := gentest.Run(req, gentest.GoPlugin(module), errorsPlugin(module))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["internal/errorsgen/internal/reasons/reasons_errors.pb.go"]; !ok {
		t.Fatalf("reasons_errors.pb.go not generated; got %v", len(files))
	}
	gentest.Golden(t, cmdRoot, files)
}

func generate(t *testing.T, src string) (map[string][]byte, error) {
	t.Helper()
	req, err := gentest.CompileSources(map[string]string{"e.proto": src}, "e.proto")
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return gentest.Run(req, errorsPlugin(""))
}

const header = `syntax = "proto3";
package e.v1;
import "errors/errors.proto";
option go_package = "example.com/e;e";
`

func TestBadCodes(t *testing.T) {
	tests := []struct {
		enum string
		want string
	}{
		{`enum R { option (errors.default_code) = 700; R_UNSPECIFIED = 0; }`,
			"e.proto: enum e.v1.R: errors.default_code 700 is outside 0 to 600"},
		{`enum R { option (errors.default_code) = -1; R_UNSPECIFIED = 0; }`,
			"e.proto: enum e.v1.R: errors.default_code -1 is outside 0 to 600"},
		{`enum R { R_UNSPECIFIED = 0; BIG = 1 [(errors.code) = 601]; }`,
			"e.proto: enum e.v1.R: value BIG: errors.code 601 is outside 0 to 600"},
		{`enum R { R_UNSPECIFIED = 0; NEG = 1 [(errors.code) = -404]; }`,
			"e.proto: enum e.v1.R: value NEG: errors.code -404 is outside 0 to 600"},
		{`enum R { R_UNSPECIFIED = 0; A_B = 1 [(errors.code) = 400]; } enum S { S_UNSPECIFIED = 0; a_b = 1 [(errors.code) = 400]; }`,
			"e.proto: enum e.v1.S: value a_b: helpers IsAB and ErrorAB are already made for e.v1.A_B"},
		{`enum R { R_UNSPECIFIED = 0; __ = 1 [(errors.code) = 400]; }`,
			"e.proto: enum e.v1.R: value __: no Go name can be made from it"},
	}
	for _, tt := range tests {
		files, err := generate(t, header+tt.enum)
		if err == nil {
			t.Errorf("%s: Generate() wrote %d files, want an error", tt.enum, len(files))
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q, want %q", tt.enum, err, tt.want)
		}
		if len(files) != 0 {
			t.Errorf("%s: files written despite the error", tt.enum)
		}
	}
}

func TestNoOutput(t *testing.T) {
	for _, body := range []string{
		``,
		`message M { string a = 1; }`,
		`enum R { R_UNSPECIFIED = 0; ONE = 1; }`,
		`enum R { option (errors.default_code) = 0; R_UNSPECIFIED = 0; ONE = 1 [(errors.code) = 0]; }`,
		`message M { enum N { option (errors.default_code) = 400; N_UNSPECIFIED = 0; } }`,
	} {
		files, err := generate(t, header+body)
		if err != nil {
			t.Errorf("%q: Generate() error = %v", body, err)
		}
		if len(files) != 0 {
			t.Errorf("%q: Generate() wrote %d files, want none", body, len(files))
		}
	}
}

// FuzzCamelCase checks that any name converts without underscores and that
// names without underscores keep their length in runes.
func FuzzCamelCase(f *testing.F) {
	for _, s := range []string{"USER_NOT_FOUND", "fooBAR", "a2b", "__", "ÇA_VA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := errorsgen.CamelCase(in)
		if strings.Contains(out, "_") {
			t.Errorf("CamelCase(%q) = %q has an underscore", in, out)
		}
	})
}
