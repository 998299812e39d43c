package etcd_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed6ad8aa6b/kratos/contrib/registry/etcd"
	"github.com/seed6ad8aa6b/kratos/contrib/registry/etcd/etcdtest"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
)

// testTTL is the lease TTL of the tests: short, so expiry tests are quick,
// and no shorter than etcd's minimum for its default election timeout.
const testTTL = 2 * time.Second

// fastBackoff keeps retries quick in tests.
func fastBackoff(int) time.Duration { return 20 * time.Millisecond }

// TestConformance runs the registry conformance suite against the shared
// etcd server, with a crash (the registrar's client is closed) but no
// restart, which would disturb the other tests using that server.
func TestConformance(t *testing.T) {
	ep := etcdtest.Shared(t)
	runSuite(t, func(t testing.TB) *clientv3.Client { return etcdtest.NewClient(t, ep) }, nil)
}

// TestConformanceOwnServer runs the suite against an etcd server of its
// own, which the Restart test kills and starts again.
func TestConformanceOwnServer(t *testing.T) {
	srv := etcdtest.Start(t)
	runSuite(t, srv.Client, srv.Restart)
}

func runSuite(t *testing.T, newClient func(testing.TB) *clientv3.Client, restart func(testing.TB)) {
	ns := fmt.Sprintf("/kratos-test/%s-%08x", t.Name(), rand.Uint32())
	var mu sync.Mutex
	clients := map[registry.Registrar]*clientv3.Client{}
	newRegistry := func(t *testing.T) (registry.Registrar, registry.Discovery) {
		rc, dc := newClient(t), newClient(t)
		r := etcd.New(rc, etcd.Namespace(ns), etcd.RegisterTTL(testTTL), etcd.WithBackoff(fastBackoff))
		d := etcd.New(dc, etcd.Namespace(ns), etcd.WithBackoff(fastBackoff))
		mu.Lock()
		clients[r] = rc
		mu.Unlock()
		return r, d
	}
	crash := func(t *testing.T, r registry.Registrar, _ *registry.ServiceInstance) {
		mu.Lock()
		c := clients[r]
		mu.Unlock()
		if err := c.Close(); err != nil {
			t.Logf("closing the registrar's client: %v", err)
		}
	}
	opts := []registrytest.Option{
		// etcd checks for expired leases twice a second, and may extend a
		// lease by an election timeout when a leader takes over.
		registrytest.WithCrash(crash, testTTL+5*time.Second),
	}
	if restart != nil {
		opts = append(opts, registrytest.WithRestart(func(t *testing.T) { restart(t) }, 30*time.Second))
	}
	registrytest.Run(t, newRegistry, opts...)
}

func Example() {
	client, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:2379"}})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	r := etcd.New(client, etcd.RegisterTTL(10*time.Second))

	ctx := context.Background()
	ins := &registry.ServiceInstance{
		ID:        "greeter-1",
		Name:      "greeter",
		Endpoints: []string{"grpc://127.0.0.1:9000"},
	}
	if err := r.Register(ctx, ins); err != nil {
		panic(err)
	}
	defer r.Deregister(ctx, ins)

	w, err := r.Watch(ctx, "greeter")
	if err != nil {
		panic(err)
	}
	defer w.Stop()
	list, err := w.Next() // the current instances, then every change
	if err != nil {
		panic(err)
	}
	fmt.Println(len(list))
}
