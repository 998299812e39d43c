package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// release is this CLI's version; the templates and plugins it installs
// belong to the same release.
const release = "v0.1.0"

// env is what commands read and write instead of the process's globals.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "kratos",
		Short: "Create, generate and run Kratos services",
		Long: `kratos creates Kratos projects, generates Go code from .proto files and runs services.
It compiles .proto files itself: neither protoc nor protoc plugins are needed.`,
		Version:       release,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.SetVersionTemplate("kratos version {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%s: %w", cmd.CommandPath(), err)}
	})
	root.AddCommand(
		newNewCommand(e),
		newProtoCommand(e),
		newRunCommand(e),
		newUpgradeCommand(e),
		newChangelogCommand(e),
		newCompatCommand(e),
		newMigrateCommand(e),
	)
	return root
}

// noArgs rejects arguments, naming an unknown subcommand as such.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
	}
	return usageError{fmt.Errorf("%s takes no arguments, got %s", cmd.CommandPath(), strings.Join(args, " "))}
}

// exactArgs requires n arguments, described by what.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s needs %s (got %d arguments)", cmd.CommandPath(), what, len(args))}
		}
		return nil
	}
}
