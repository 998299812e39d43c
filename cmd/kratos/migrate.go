package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/compat"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/migrate"
)

func newMigrateCommand(e *env) *cobra.Command {
	var dir, version string
	var write bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move a Kratos v2 project to this framework's import path",
		Long: `migrate rewrites a project's imports of github.com/go-kratos/kratos/v2 to ` + compat.Ours + `
(Go files, and go_package options of .proto files that name Kratos) and updates go.mod: it
requires ` + compat.Ours + ` and drops Kratos and its replace, unless a dependency still
imports Kratos, in which case the compat module (kratos compat) stays.
By default it prints the changes as a diff and writes nothing; -w writes them.
Run go mod tidy afterwards.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := migrate.Plan(cmd.Context(), dir, version)
			if err != nil {
				return err
			}
			for _, p := range res.NeededBy {
				fmt.Fprintf(e.stderr, "kratos migrate: %s imports Kratos; keeping the compat module\n", p)
			}
			if !write {
				fmt.Fprint(e.stdout, res.Diff())
				return nil
			}
			if err := res.Write(); err != nil {
				return err
			}
			for _, c := range res.Changes {
				fmt.Fprintf(e.stdout, "wrote %s\n", c.Path)
			}
			if res.RemoveDir != "" {
				fmt.Fprintf(e.stdout, "removed %s\n", res.RemoveDir)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "dir", "C", ".", "project root (holds go.mod)")
	cmd.Flags().BoolVarP(&write, "write", "w", false, "write the changes instead of printing a diff")
	cmd.Flags().StringVar(&version, "version", release, "version of "+compat.Ours+" to require when go.mod does not require it")
	return cmd
}
