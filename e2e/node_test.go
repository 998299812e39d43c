//go:build unix

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildNode builds the program of internal/node into a temporary directory
// of t and returns its path.
func buildNode(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "node")
	cmd := exec.Command("go", "build", "-o", bin, "./internal/node")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./internal/node: %v\n%s", err, out)
	}
	return bin
}

// nodeProc is an instance of the greeter service running as a process of
// its own (internal/node), so that it can be killed or hung for real.
type nodeProc struct {
	id     string
	cmd    *exec.Cmd
	out    *syncBuffer   // its stdout and stderr
	exited chan struct{} // closed once the process has been waited for
}

// startNode starts the node id, registering in the etcd server at
// endpoint. It is killed, if it still runs, when t ends; its output is
// logged then if t failed.
func startNode(t *testing.T, bin, endpoint, id string) *nodeProc {
	t.Helper()
	n := &nodeProc{id: id, out: new(syncBuffer), exited: make(chan struct{})}
	n.cmd = exec.Command(bin, "-etcd", endpoint, "-id", id, "-ttl", nodeTTL.String())
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	dieWithParent(n.cmd)
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start node %s: %v", id, err)
	}
	go func() {
		_ = n.cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() {
		_ = n.cmd.Process.Signal(syscall.SIGKILL) // also ends a stopped process
		<-n.exited
		if t.Failed() && n.out.Len() > 0 {
			t.Logf("node %s output:\n%s", id, n.out.String())
		}
	})
	return n
}

// signal sends sig to the node.
func (n *nodeProc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("node %s: send %v: %v", n.id, sig, err)
	}
}

// waitExit waits until the node has exited and returns when it noticed.
func (n *nodeProc) waitExit(t *testing.T) time.Time {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	select {
	case <-n.exited:
		return time.Now()
	case <-timer.C:
		t.Fatalf("node %s did not exit within %v", n.id, waitLimit)
		return time.Time{}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
