//go:build unix && !linux

package e2e

import "os/exec"

// dieWithParent does nothing here: only Linux kills a child when its
// parent dies. The test's cleanup kills the nodes it started.
func dieWithParent(*exec.Cmd) {}
