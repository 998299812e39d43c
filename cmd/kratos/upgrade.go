package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
)

// cmdModule is the module this CLI and the protoc plugins live in.
const cmdModule = "github.com/seed6ad8aa6b/kratos/cmd"

// grpcPluginVersion is the protoc-gen-go-grpc release whose output shape
// kratos proto client reproduces; upgrade installs it for protoc users.
const grpcPluginVersion = "v1.6.2"

func newUpgradeCommand(e *env) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Reinstall the kratos CLI and the protoc plugins of this release",
		Long: `upgrade runs go install for kratos, protoc-gen-go-http, protoc-gen-go-errors and protoc-gen-openapi at this
release (from the source tree this kratos was built from, when it was built from one), and
for protoc-gen-go and protoc-gen-go-grpc at the versions this release generates code like.
kratos itself needs none of the plugins; they are for running protoc by hand.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			steps := upgradeSteps()
			goBin, err := exec.LookPath("go")
			if err != nil && !dryRun {
				return fmt.Errorf("the go command is not in PATH: %w", err)
			}
			for _, s := range steps {
				line := "go " + strings.Join(s.args, " ")
				if s.dir != "" {
					line = "(cd " + s.dir + " && " + line + ")"
				}
				fmt.Fprintln(e.stdout, line)
				if dryRun {
					continue
				}
				c := exec.CommandContext(cmd.Context(), goBin, s.args...)
				c.Dir = s.dir
				c.Stdout, c.Stderr = e.stdout, e.stderr
				if err := c.Run(); err != nil {
					return fmt.Errorf("%s: %w", line, err)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "print the go commands without running them")
	return cmd
}

type goStep struct {
	dir  string // "" runs outside any module
	args []string
}

// upgradeSteps returns the go install commands of this release.
func upgradeSteps() []goStep {
	var steps []goStep
	tools := []string{"kratos", "protoc-gen-go-http", "protoc-gen-go-errors", "protoc-gen-openapi"}
	if dir := cmdSourceDir(); dir != "" {
		var pkgs []string
		for _, t := range tools {
			if _, err := os.Stat(filepath.Join(dir, t)); err == nil {
				pkgs = append(pkgs, "./"+t)
			}
		}
		steps = append(steps, goStep{dir: dir, args: append([]string{"install"}, pkgs...)})
	} else {
		version := "latest"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, t := range tools {
			steps = append(steps, goStep{args: []string{"install", cmdModule + "/" + t + "@" + version}})
		}
	}
	steps = append(steps,
		goStep{args: []string{"install", "google.golang.org/protobuf/cmd/protoc-gen-go@" + depVersion("google.golang.org/protobuf")}},
		goStep{args: []string{"install", "google.golang.org/grpc/cmd/protoc-gen-go-grpc@" + grpcPluginVersion}},
	)
	return steps
}

// cmdSourceDir returns the directory of the cmd module's source this
// binary was built from, or "" when it was not built from a source tree
// that is still there.
func cmdSourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(file))
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	if mod, _ := gomod.Parse(data); mod != cmdModule {
		return ""
	}
	return dir
}

// depVersion is the version of module path this binary was built with,
// or "latest".
func depVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path && d.Version != "" {
				return d.Version
			}
		}
	}
	return "latest"
}
