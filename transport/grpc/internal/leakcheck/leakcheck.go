// Package leakcheck finds goroutines that tests left running. It is used
// by the TestMain functions of transport/grpc and its resolvers.
package leakcheck

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// watched are the code locations whose goroutines must all have ended:
// grpc-go's and this module's.
var watched = []string{
	"google.golang.org/grpc",
	"github.com/seed6ad8aa6b/kratos",
}

// ignored are frames of goroutines that are not leaks: the test runner and
// the goroutine doing the check.
var ignored = []string{
	"testing.(*M).",
	"testing.Main(",
	"testing.tRunner(",
	"leakcheck.Leaked(",
	"leakcheck.Check(",
	"runtime.goexit0",
}

// Leaked returns the stacks of the goroutines, other than the caller's,
// that run code from grpc-go or this module.
func Leaked() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var leaked []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if !containsAny(g, watched) || containsAny(g, ignored) {
			continue
		}
		leaked = append(leaked, g)
	}
	return leaked
}

// Check waits up to timeout for Leaked to report nothing, polling, and
// returns an error listing the goroutines still running after that.
func Check(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		leaked := Leaked()
		if len(leaked) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("leakcheck: %d goroutines still running after %v:\n\n%s",
				len(leaked), timeout, strings.Join(leaked, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
