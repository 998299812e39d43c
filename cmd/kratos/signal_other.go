//go:build !unix

package main

import (
	"context"
	"errors"
	"os/exec"
)

// runForwardingSignals runs c and waits for it; the console delivers
// interrupts to the whole process tree.
func runForwardingSignals(ctx context.Context, c *exec.Cmd) error {
	err := c.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ctx.Err() != nil {
			return nil
		}
		return exitError{code: exit.ExitCode()}
	}
	return err
}
