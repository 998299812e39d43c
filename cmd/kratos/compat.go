package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/compat"
)

func newCompatCommand(e *env) *cobra.Command {
	var dir string
	var opts compat.Options
	var verbose bool
	cmd := &cobra.Command{
		Use:   "compat",
		Short: "Generate a github.com/go-kratos/kratos/v2 module that forwards to this framework",
		Long: `compat writes, inside a Go project, a module whose path is github.com/go-kratos/kratos/v2
and whose packages forward to ` + compat.Ours + ` (type aliases, constants, functions
calling ours), and adds "replace github.com/go-kratos/kratos/v2 => ./` + compat.DefaultDir + `" to go.mod.
Code and third-party modules written for Kratos v2 then build against this framework.
The project must require ` + compat.Ours + `. Run it again after upgrading the framework:
the module is generated from the API of the version the project builds with.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := compat.Generate(cmd.Context(), dir, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s (%d packages)\n", res.Dir, len(res.Packages))
			if verbose {
				for _, s := range res.Skipped {
					fmt.Fprintf(e.stdout, "not forwarded: %s\n", s)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "dir", "C", ".", "project root (holds go.mod)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", compat.DefaultDir, "compat module directory, relative to the project root")
	cmd.Flags().StringVar(&opts.Aegis, "aegis", "", "make ratelimit.WithLimiter and circuitbreaker.WithCircuitBreaker take aegis types, requiring "+compat.Aegis+" at this version (e.g. v0.2.0); run go mod tidy afterwards")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list the names that could not be forwarded")
	return cmd
}
