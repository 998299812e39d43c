package main

import (
	"bufio"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
)

func newRunCommand(e *env) *cobra.Command {
	var workDir string
	cmd := &cobra.Command{
		Use:   "run [dir] [-- args...]",
		Short: "go run a command of the project",
		Long: `run finds the main packages in <dir>/cmd/* (dir defaults to "."; a dir that is itself a
main package is run directly) and runs the one found with go run, passing the arguments
after "--". When there are several, it asks which one on a terminal and fails, listing
them, otherwise. The program runs in --work (default: the root of its Go module, where
"-conf ./configs" is found).`,
		Example: `  kratos run
  kratos run -- -conf ./configs
  kratos run cmd/helloworld -w /tmp/run`,
		Args: func(cmd *cobra.Command, args []string) error {
			n := len(args)
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				n = dash
			}
			if n > 1 {
				return usageError{fmt.Errorf("%s takes at most one directory; put program arguments after \"--\"", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, progArgs := ".", args
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				progArgs = args[dash:]
				if dash == 1 {
					dir = args[0]
				}
			} else if len(args) == 1 {
				dir, progArgs = args[0], nil
			}
			mains, err := findMains(dir)
			if err != nil {
				return err
			}
			main, err := chooseMain(mains, e)
			if err != nil {
				return err
			}
			root, _, err := gomod.ModuleOf(main)
			if err != nil {
				return err
			}
			wd := root
			if workDir != "" {
				if wd, err = filepath.Abs(workDir); err != nil {
					return err
				}
				if rel, err := filepath.Rel(root, wd); err != nil || !(rel == "." || filepath.IsLocal(rel)) {
					return fmt.Errorf("--work %s is outside the module at %s, where go run must run", workDir, root)
				}
			}
			goBin, err := exec.LookPath("go")
			if err != nil {
				return fmt.Errorf("the go command is not in PATH: %w", err)
			}
			c := exec.Command(goBin, append([]string{"run", main}, progArgs...)...)
			c.Dir = wd
			c.Stdin, c.Stdout, c.Stderr = e.stdin, e.stdout, e.stderr
			fmt.Fprintf(e.stderr, "go run %s %s\n", relPath(main), strings.Join(progArgs, " "))
			return runForwardingSignals(cmd.Context(), c)
		},
	}
	cmd.Flags().StringVarP(&workDir, "work", "w", "", "working directory of the program (default: its module root)")
	return cmd
}

// findMains returns the absolute directories of the main packages that
// kratos run may start from dir.
func findMains(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if isMain(abs) {
		return []string{abs}, nil
	}
	entries, err := os.ReadDir(filepath.Join(abs, "cmd"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var mains []string
	for _, ent := range entries {
		if d := filepath.Join(abs, "cmd", ent.Name()); ent.IsDir() && isMain(d) {
			mains = append(mains, d)
		}
	}
	if len(mains) == 0 {
		return nil, fmt.Errorf("no main package in %s or in %s", dir, filepath.Join(dir, "cmd", "*"))
	}
	sort.Strings(mains)
	return mains, nil
}

// isMain reports whether dir holds a Go main package.
func isMain(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || filepath.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// chooseMain picks one of mains, asking on a terminal when there are
// several.
func chooseMain(mains []string, e *env) (string, error) {
	if len(mains) == 1 {
		return mains[0], nil
	}
	var list strings.Builder
	for i, m := range mains {
		fmt.Fprintf(&list, "  %d) %s\n", i+1, relPath(m))
	}
	if !isTerminal(e.stdin) {
		return "", fmt.Errorf("several commands to run; name one (kratos run <dir>):\n%s", strings.TrimRight(list.String(), "\n"))
	}
	return askMain(mains, e)
}

// askMain asks on e.stdin which of mains to run.
func askMain(mains []string, e *env) (string, error) {
	fmt.Fprintln(e.stderr, "Which command?")
	for i, m := range mains {
		fmt.Fprintf(e.stderr, "  %d) %s\n", i+1, relPath(m))
	}
	in := bufio.NewReader(e.stdin)
	for {
		fmt.Fprintf(e.stderr, "number [1-%d]: ", len(mains))
		line, err := in.ReadString('\n')
		if n, convErr := strconv.Atoi(strings.TrimSpace(line)); convErr == nil && n >= 1 && n <= len(mains) {
			return mains[n-1], nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", errors.New("no command chosen")
			}
			return "", err
		}
	}
}

// isTerminal reports whether r is a character device such as a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
