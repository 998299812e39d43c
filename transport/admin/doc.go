// Package admin is the operator's listener of a service: a small HTTP
// server, separate from the ones serving the API, that an App runs next to
// them on its own address (":6060" by default) and that orchestrators,
// Prometheus and people at a terminal talk to.
//
// It answers:
//
//	GET /healthz          200 while the process serves (liveness)
//	GET /readyz           200 while the server has started, is not
//	                      stopping, and every readiness check passes;
//	                      503 otherwise, with the reasons (readiness)
//	GET /metrics          the handler of WithMetrics, e.g. Prometheus text
//	GET /debug/pprof/...  runtime profiles (see transport/http/pprof)
//	GET /loglevel         the level of WithLogLevel's LevelVar, as JSON
//	PUT /loglevel         change it: {"level":"debug"} or ?level=debug
//	GET /                 the list of these endpoints
//
// An endpoint whose option is not given answers 404, and so does any other
// path; handlers of WithHandler are added to the same mux. Nothing is
// registered on http.DefaultServeMux, and the listener has no request or
// write timeout, so a 30-second CPU profile is not cut short.
//
// The server takes part in an App's stop: it implements transport.Drainer,
// so /readyz answers 503 from the moment the App begins to stop — before
// the App's drain delay and before any listener closes — while every server
// goes on answering. WithReadiness adds checks, such as GRPCHealth, which
// asks a gRPC server's health service, so /readyz also follows it.
//
// The server does not implement transport.Endpointer: its address is not
// registered with the service's instance, and clients never pick it.
// Its endpoints change what the process does (log level) and reveal its
// internals (profiles): keep the address off public networks.
package admin
