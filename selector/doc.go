// Package selector is client-side load balancing: it keeps the nodes of one
// service and picks one of them for each call.
//
// The pieces fit together like this:
//
//   - A [Node] is one address of a service instance, usually built from
//     discovery with [NewNode].
//   - A [WeightedNode] wraps a Node with the statistics a balancer needs
//     (its current weight, when it was last picked). A [WeightedNodeBuilder]
//     makes them; selector/node/direct (static weights) and
//     selector/node/ewma (weights from observed latency and errors) are the
//     two provided.
//   - A [Balancer] picks one WeightedNode out of candidates; selector/wrr,
//     selector/random and selector/p2c are the provided algorithms.
//   - A [Selector] owns the current node set ([Rebalancer.Apply]) and picks
//     per call ([Selector.Select]), narrowing the set with [NodeFilter]s
//     first. [Default] is the Selector made of a node builder and a
//     balancer; [DefaultBuilder] builds one Default per client.
//   - Default also ejects failing nodes, whatever the balancer: it watches
//     the outcome of every call and takes a node that refuses connections,
//     or keeps failing while others succeed, out of the rotation for a
//     growing back-off, then probes it back in (see [Ejection]; on by
//     default, unlike Kratos).
//   - A call may carry node filters in its context
//     ([NewNodeFilterContext]), as a retry does to avoid the node that
//     just failed; Default runs them after the SelectOption filters.
//
// A transport client uses it like this: build a Selector once with
// GlobalSelector().Build() (or a Builder of its own), call Apply with the
// nodes each time discovery reports a change, and for every call run
// Select, send the request to the returned node, and then call the returned
// [DoneFunc] with the outcome so that adaptive balancers can learn.
//
// [GlobalSelector] is a process-wide default Builder. Unless
// [SetGlobalSelector] replaces it, it builds smooth weighted round robin
// selectors over static weights, the same algorithm as selector/wrr. The
// algorithm is implemented in an internal package shared with selector/wrr,
// because selector/wrr imports this package and cannot be imported by it.
package selector
