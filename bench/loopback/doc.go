// Package loopback holds a benchmark of whole servers on loopback: the
// framework's HTTP and gRPC servers next to a raw net/http server and a
// raw grpc-go server serving the same Greeter, each in its own process,
// driven by the same client from the benchmark process, in one
// interleaved run. It reports the server process's CPU time per request,
// which in-process benchmarks (ServeHTTP, bufconn) cannot see: connection
// handling, timers, header and body writing, and the rest of the work
// net/http and grpc-go do around a handler.
//
// Run it (about a minute):
//
//	go test ./bench/loopback -run '^$' -bench . -benchtime 20000x
//
// Each server process runs with GOMAXPROCS=1 and, when taskset is
// installed and the machine has two or more CPUs, pinned to the last
// CPU. For steadier figures keep the client off that CPU:
//
//	taskset -c 0 go test ./bench/loopback -run '^$' -bench . -benchtime 20000x
//
// Every case reports, per server, "<server>-µs/req" (server CPU time,
// user plus system, per request, read with getrusage in the server
// process before and after each batch) and "<server>/raw" (the ratio to
// the raw server of the same transport). The servers take turns in
// batches, in rotating order, so that the rest of the machine's load
// falls on all of them alike.
//
// To see where a server spends its time, set KRATOS_LOOPBACK_PROFILE to a
// directory: each server process writes a CPU profile of its life there,
// <kind>.cpu.prof, for go tool pprof.
//
// The servers:
//
//   - raw: net/http with a ServeMux pattern and protojson, or a bare
//     grpc-go server;
//   - recovery: the framework's server with the recovery middleware,
//     routes in the shape protoc-gen-go-http generates;
//   - chain: recovery, logging to a discarding std logger and metadata,
//     the chain a scaffolded service runs.
package loopback
