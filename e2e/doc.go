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
package e2e
