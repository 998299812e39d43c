// Package registrytest helps test service registries: [Run] is a
// conformance suite that every implementation of registry.Registrar and
// registry.Discovery should pass, and [Memory] is an in-memory registry for
// tests and examples that passes it.
//
// A backend runs the suite from its own tests:
//
//	func TestConformance(t *testing.T) {
//		registrytest.Run(t, func(t *testing.T) (registry.Registrar, registry.Discovery) {
//			r := etcd.New(newClient(t)) // closed by a t.Cleanup in newClient
//			return r, r
//		},
//			registrytest.WithCrash(crash, 15*time.Second),
//			registrytest.WithRestart(restartServer, 30*time.Second),
//		)
//	}
//
// The suite never sleeps to let a backend settle: it waits on watchers, and
// polls GetService, until what it expects is seen or a deadline passes.
package registrytest
