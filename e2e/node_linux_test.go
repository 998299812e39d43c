package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the process of cmd when the test
// process dies, so that no node outlives a test killed by its timeout, not
// even a stopped one.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
