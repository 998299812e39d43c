package conformance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// conformanceTimeout bounds the whole suite run; it takes about 15s here.
const conformanceTimeout = 10 * time.Minute

// TestConformance builds the conformance runner and the server under test
// and runs the suite in server mode with config.yaml. It fails on any
// failed case and logs the passed cases per suite and protocol.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("the conformance suite takes a while; not in -short mode")
	}
	dir := t.TempDir()
	runner := filepath.Join(dir, "connectconformance")
	server := filepath.Join(dir, "kratosconformance")
	goBuild(t, runner, "connectrpc.com/conformance/cmd/connectconformance")
	goBuild(t, server, "./cmd/kratosconformance")

	ctx, cancel := context.WithTimeout(context.Background(), conformanceTimeout)
	defer cancel()
	run := func(args ...string) (runResult, []byte, error) {
		args = append([]string{"--mode", "server", "--conf", "config.yaml", "--vv"}, args...)
		cmd := exec.CommandContext(ctx, runner, append(args, "--", server)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return parseRun(out.Bytes()), out.Bytes(), err
	}
	res, out, err := run()
	for _, line := range res.table() {
		t.Log(line)
	}
	if err != nil && res.total > 0 && rerunnable(res) {
		// See rerunnable: these cases race in the reference client. Each
		// gets its own second run; a case that fails twice fails the test.
		t.Logf("%d timeout case(s) failed; running them again:\n%s", len(res.failed), strings.Join(res.failures, "\n"))
		res.failures, err = nil, nil
		for name := range res.failed {
			again, o, rerr := run("--run", name)
			out = append(out, o...)
			if rerr != nil || len(again.failed) > 0 || again.total != 1 {
				res.failures = append(res.failures, again.failures...)
				err = fmt.Errorf("%s failed twice: %v", name, rerr)
			}
		}
		if err == nil {
			res.failed = nil
		}
	}
	if len(res.failed) > 0 || err != nil || res.total == 0 {
		t.Errorf("conformance run: %v; %d of %d cases failed:\n%s", err, len(res.failed), res.total, strings.Join(res.failures, "\n"))
	}
	if bytes.Contains(out, []byte("http: panic serving")) {
		t.Errorf("the server panicked:\n%s", out)
	}
	if ctx.Err() != nil {
		t.Errorf("the suite did not finish within %v", conformanceTimeout)
	}
}

// rerunnable reports whether every failure of res is a case of the
// Timeouts suite that may fail by a race in the reference client, not in
// the server: the server's deadline, from the Connect-Timeout-Ms the client
// sends, ends a moment before the client's own, so the server's
// deadline_exceeded error can reach the client just as its deadline
// cancels the read of the error body, and the client's wire check then
// reports the empty body it saw ("connect error JSON: unexpected end of
// JSON input"). A few such failures get a second run; anything else fails
// the test at once.
func rerunnable(res runResult) bool {
	if len(res.failed) == 0 || len(res.failed) > 3 {
		return false
	}
	for name := range res.failed {
		if !strings.HasPrefix(name, "Timeouts/") {
			return false
		}
	}
	return true
}

func goBuild(t *testing.T, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = os.Environ()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// runResult is what a run of the suite printed.
type runResult struct {
	cases    map[string]bool // case name -> passed
	failed   map[string]bool
	failures []string // the FAILED blocks
	total    int
}

var (
	sendingRe = regexp.MustCompile(`^Sending request for "(.*)"\.\.\.$`)
	failedRe  = regexp.MustCompile(`^FAILED: (.*):$`)
	totalRe   = regexp.MustCompile(`^Total cases: (\d+)$`)
	protoRe   = regexp.MustCompile(`/Protocol:(PROTOCOL_[A-Z_]+)/`)
)

func parseRun(out []byte) runResult {
	res := runResult{cases: map[string]bool{}, failed: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var block []string
	for sc.Scan() {
		line := sc.Text()
		if m := sendingRe.FindStringSubmatch(line); m != nil {
			res.cases[m[1]] = true
		}
		if m := failedRe.FindStringSubmatch(line); m != nil {
			res.failed[m[1]] = true
			res.cases[m[1]] = true
			block = []string{line}
			continue
		}
		if block != nil {
			if strings.HasPrefix(line, "\t") || line == "" {
				block = append(block, line)
				continue
			}
			res.failures = append(res.failures, strings.Join(block, "\n"))
			block = nil
		}
		if m := totalRe.FindStringSubmatch(line); m != nil {
			_, _ = fmt.Sscan(m[1], &res.total)
		}
	}
	if block != nil {
		res.failures = append(res.failures, strings.Join(block, "\n"))
	}
	return res
}

// table returns one line per suite: the passed cases of each protocol.
func (r runResult) table() []string {
	type key struct{ suite, protocol string }
	passed, all := map[key]int{}, map[key]int{}
	suites := map[string]bool{}
	for name := range r.cases {
		suite, _, _ := strings.Cut(name, "/")
		proto := "any protocol"
		if m := protoRe.FindStringSubmatch(name); m != nil {
			proto = strings.TrimPrefix(m[1], "PROTOCOL_")
		}
		k := key{suite, proto}
		all[k]++
		if !r.failed[name] {
			passed[k]++
		}
		suites[suite] = true
	}
	names := make([]string, 0, len(suites))
	for s := range suites {
		names = append(names, s)
	}
	sort.Strings(names)
	lines := []string{fmt.Sprintf("%d cases, %d failed", r.total, len(r.failed))}
	for _, s := range names {
		var parts []string
		for _, p := range []string{"CONNECT", "GRPC", "GRPC_WEB", "any protocol"} {
			if n := all[key{s, p}]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d/%d", p, passed[key{s, p}], n))
			}
		}
		lines = append(lines, fmt.Sprintf("%-40s %s", s, strings.Join(parts, ", ")))
	}
	return lines
}
