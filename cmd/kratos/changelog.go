package main

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

//go:embed CHANGELOG.md
var changelog string

func newChangelogCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "changelog [version]",
		Short: "Print the changes of each release (or of one), from the binary",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("%s takes at most one version", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprint(e.stdout, changelog)
				return nil
			}
			section, ok := changelogSection(changelog, args[0])
			if !ok {
				return fmt.Errorf("no release %s in the changelog; this binary is %s", args[0], release)
			}
			fmt.Fprint(e.stdout, section)
			return nil
		},
	}
}

// changelogSection returns the "## <version>" section of log.
func changelogSection(log, version string) (string, bool) {
	version = "v" + strings.TrimPrefix(version, "v")
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(log, "\n") {
		if strings.HasPrefix(line, "## ") {
			fields := strings.Fields(line)
			in = len(fields) > 1 && fields[1] == version
		}
		if in {
			b.WriteString(line)
		}
	}
	return b.String(), b.Len() > 0
}
