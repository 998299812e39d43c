package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/project"
)

// envLayoutRepo names the variable holding the default of --repo-url.
const envLayoutRepo = "KRATOS_LAYOUT_REPO"

// printTree writes the files under dir as an indented tree, directories
// first, as `tree` does.
func printTree(w io.Writer, dir string) error {
	fmt.Fprintf(w, "%s/\n", filepath.Base(dir))
	var walk func(dir, prefix string) error
	walk = func(dir, prefix string) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].IsDir() && !entries[j].IsDir() })
		for i, ent := range entries {
			branch, indent := "├── ", "│   "
			if i == len(entries)-1 {
				branch, indent = "└── ", "    "
			}
			if ent.IsDir() {
				fmt.Fprintf(w, "%s%s%s/\n", prefix, branch, ent.Name())
				if err := walk(filepath.Join(dir, ent.Name()), prefix+indent); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(w, "%s%s%s\n", prefix, branch, ent.Name())
		}
		return nil
	}
	return walk(dir, "")
}

func newNewCommand(e *env) *cobra.Command {
	var (
		opts    project.Options
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "new <name>",
		Short: "Create a project from the built-in template (or a git one)",
		Long: `new creates a project in the directory <name> (a name, a path below the current
directory, or an absolute path), whose last element names the project and its command.

The template is built into kratos, so nothing is downloaded except the Go modules the
project needs. The project's go.mod reaches the framework through a replace directive to
the framework source this kratos was built from; --kratos-path or KRATOS_PATH choose
another source directory.

With --repo-url (default: KRATOS_LAYOUT_REPO, as in Kratos) the template is that git
repository instead: its module path is replaced by the project's, its command directory
becomes cmd/<name>, and imports of github.com/go-kratos/kratos/v2 become imports of this
framework.`,
		Example: `  kratos new helloworld
  kratos new /tmp/shop --module example.com/shop
  kratos new user --nomod            # inside an existing module
  kratos new svc -r https://example.com/templates/layout.git -b main`,
		Args: exactArgs(1, "the project name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			opts.Log = e.stderr
			if !cmd.Flags().Changed("repo-url") {
				opts.RepoURL = os.Getenv(envLayoutRepo)
			}
			ctx, cancel := context.WithTimeoutCause(cmd.Context(), timeout,
				fmt.Errorf("kratos new took longer than --timeout %s", timeout))
			defer cancel()
			res, err := project.New(ctx, opts)
			if err != nil {
				return err
			}
			rel := relPath(res.Dir)
			fmt.Fprintf(e.stdout, "Created %s (module %s):\n\n", res.Dir, res.Module)
			if err := printTree(e.stdout, res.Dir); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "\nStart it with:\n\n")
			fmt.Fprintf(e.stdout, "  cd %s && go run ./cmd/%s -conf ./configs\n\n", rel, res.Name)
			if opts.RepoURL == "" {
				fmt.Fprintf(e.stdout, "then:\n\n")
				fmt.Fprintf(e.stdout, "  curl localhost:8000/helloworld/kratos    # the API (gRPC on :9000)\n")
				fmt.Fprintf(e.stdout, "  curl localhost:6060/readyz               # the admin listener: /healthz /readyz /metrics /debug/pprof/ /loglevel\n")
				fmt.Fprintf(e.stdout, "  make help                                # build, test, regenerate (kratos proto client), docker\n")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Module, "module", "m", "", "module path of the project (default: the name)")
	f.StringVarP(&opts.RepoURL, "repo-url", "r", "", "git repository to use as the template instead of the built-in one (default: "+envLayoutRepo+")")
	f.StringVarP(&opts.Branch, "branch", "b", "", "branch of --repo-url (default: its default branch)")
	f.BoolVar(&opts.NoMod, "nomod", false, "add the service to the module enclosing it instead of creating a go.mod")
	f.DurationVarP(&timeout, "timeout", "t", 2*time.Minute, "give up after this long")
	f.StringVar(&opts.FrameworkPath, "kratos-path", "", "framework source directory for the go.mod replace (default: detected; env "+project.EnvFrameworkPath+")")
	return cmd
}
