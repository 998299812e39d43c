// Package e2e holds end-to-end tests that run the framework's pieces
// together against real servers: Apps serving HTTP and gRPC, registering
// in a real etcd, and clients finding them through discovery. It has no
// code of its own; see the _test.go files.
//
// TestDiscovery runs the instances in the test process. TestFailover runs
// them as processes of their own (the program in internal/node, built by
// the test), so that it can kill one with SIGKILL, hang one with SIGSTOP
// and stop one with SIGTERM, and measures what the clients go through for
// each way of setting them up: failed calls, recovery time, goodput.
//
// Both need an etcd server and skip without one: run them through
// hack/test.sh, or set KRATOS_TEST_ETCD (to anything) and
// KRATOS_TEST_ETCD_BIN (the etcd binary) by hand.
//
// TestBrowserStreams serves a page (testdata/browser.html) that a headless
// Chromium loads: the page reads a Server-Sent Events stream with
// EventSource and talks to a WebSocket bidi stream, and POSTs what it saw
// back to the server for the test to check. It needs chromium (the Debian
// package, which hack/test.sh installs when run as root, or the binary
// named by KRATOS_TEST_CHROMIUM); without one it skips, unless CI is set.
package e2e
