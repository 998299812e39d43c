// Command kratos creates Kratos projects, generates code from .proto files
// and runs services, without protoc and without network access for its
// everyday work.
//
//	kratos new <name>                      create a project from the built-in template
//	kratos proto add <file.proto>          write a service definition
//	kratos proto client <file-or-dir>      generate Go code (messages, gRPC, HTTP, errors)
//	kratos proto server <file.proto> -t internal/service
//	                                       write service implementation stubs
//	kratos run [dir] [-- args]             go run a command of the project
//	kratos upgrade                         reinstall the CLI and plugins of this release
//	kratos changelog                       print the changes of each release
//
// Exit status: 0 on success, 2 for a usage error (unknown command or flag,
// wrong arguments), 1 for any other failure; kratos run exits with the
// status of the program it ran.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError marks errors in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitError carries the exit status of a program kratos run started.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand(&env{stdin: stdin, stdout: stdout, stderr: stderr})
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var exit exitError
	if errors.As(err, &exit) {
		return exit.code
	}
	fmt.Fprintf(stderr, "kratos: %v\n", err)
	var usage usageError
	if errors.As(err, &usage) {
		fmt.Fprintln(stderr, "Run 'kratos --help' for usage.")
		return 2
	}
	return 1
}
