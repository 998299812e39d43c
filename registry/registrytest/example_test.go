package registrytest_test

import (
	"context"
	"fmt"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
)

func ExampleNewMemory() {
	ctx := context.Background()
	m := registrytest.NewMemory()

	w, _ := m.Watch(ctx, "greeter")
	defer w.Stop()
	first, _ := w.Next()
	fmt.Println("at start:", len(first))

	m.Register(ctx, &registry.ServiceInstance{
		ID:        "1",
		Name:      "greeter",
		Endpoints: []string{"grpc://127.0.0.1:9000"},
	})
	list, _ := w.Next()
	fmt.Println("after register:", list[0].Endpoints)
	// Output:
	// at start: 0
	// after register: [grpc://127.0.0.1:9000]
}
