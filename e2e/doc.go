// Package e2e holds end-to-end tests that run the framework's pieces
// together against real servers: Apps serving HTTP and gRPC, registering
// in a real etcd, and clients finding them through discovery. It has no
// code of its own; see the _test.go files.
package e2e
