// Package etcd is a service registry on etcd: a [Registry] is both a
// registry.Registrar, which announces instances of this process, and a
// registry.Discovery, which finds and follows the instances of a service.
//
// # Layout
//
// An instance is stored as the JSON encoding of its registry.ServiceInstance
// under the key "<namespace>/<name>/<id>" (namespace "/microservices" by
// default), the layout Kratos uses, so both can share a cluster. The key is
// attached to a lease of its own with the RegisterTTL, kept alive by a
// goroutine of the Registry: when the process dies, the lease expires and
// the instance disappears from discovery after at most the TTL.
//
// # Failures
//
// Register tries again with backoff when etcd cannot be reached, up to
// MaxRetry times. Once registered, an instance stays registered for as long
// as the Registry keeps it: when its lease is lost (etcd was unreachable for
// longer than the TTL, or lost its data), the instance is written again
// under a new lease as soon as etcd answers, however long that takes. The
// waits between attempts grow exponentially, with jitter, up to a cap (see
// [ExponentialBackoff] and [WithBackoff]). Kratos gives up after a few
// failed attempts and leaves the instance unregistered.
//
// A Watcher lists the service once, then follows an etcd watch from the
// revision of that list, so no change is missed between the two. When the
// watch fails or is cancelled by etcd (its revision was compacted, or the
// member lost its leader), the Watcher lists again and resumes from there.
//
// # Goroutines
//
// Each registered instance has one keep-alive goroutine. It ends when the
// instance is deregistered or registered again (a new one replaces it),
// when the Context option's context is done, or when the etcd client is
// closed. Watchers have no goroutine: Next does the work.
//
// The Registry does not own the etcd client: the caller closes it, after
// deregistering its instances.
package etcd
