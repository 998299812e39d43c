//go:build unix

package main

import (
	"context"
	"errors"
	"os/exec"
	"syscall"
)

// runForwardingSignals runs c in its own process group and, when ctx is
// cancelled (kratos got SIGINT or SIGTERM), sends SIGINT to the whole
// group, so that the program go run started stops too (go run itself
// ignores SIGINT and waits for it), then waits for it.
// The program's exit status becomes an exitError.
func runForwardingSignals(ctx context.Context, c *exec.Cmd) error {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			syscall.Kill(-c.Process.Pid, syscall.SIGINT)
		case <-done:
		}
	}()
	err := c.Wait()
	close(done)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ctx.Err() != nil {
			return nil // stopped on request
		}
		return exitError{code: exit.ExitCode()}
	}
	return err
}
