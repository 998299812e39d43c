// Package registry defines how services announce themselves (Registrar) and
// find each other (Discovery). Implementations live in their own packages,
// such as contrib/registry/etcd.
package registry

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// Registrar registers and deregisters service instances.
type Registrar interface {
	// Register announces service; it may keep it alive until Deregister.
	Register(ctx context.Context, service *ServiceInstance) error
	// Deregister withdraws service.
	Deregister(ctx context.Context, service *ServiceInstance) error
}

// Discovery finds service instances by name.
type Discovery interface {
	// GetService returns the instances currently registered under serviceName.
	GetService(ctx context.Context, serviceName string) ([]*ServiceInstance, error)
	// Watch returns a Watcher for serviceName.
	Watch(ctx context.Context, serviceName string) (Watcher, error)
}

// Watcher follows the instances of one service.
type Watcher interface {
	// Next blocks until the instance list first becomes known or changes,
	// then returns the whole list. It returns an error once the watcher is
	// stopped or its context is done.
	Next() ([]*ServiceInstance, error)
	// Stop ends the watch and unblocks Next.
	Stop() error
}

// ServiceInstance is one running instance of a service.
type ServiceInstance struct {
	// ID is unique among the instances of a service.
	ID string `json:"id"`
	// Name is the service name.
	Name string `json:"name"`
	// Version is the service version.
	Version string `json:"version"`
	// Metadata holds free-form attributes, such as "weight".
	Metadata map[string]string `json:"metadata"`
	// Endpoints are URLs such as "http://127.0.0.1:8000" and "grpc://127.0.0.1:9000".
	Endpoints []string `json:"endpoints"`
}

// String returns "name-id".
func (i *ServiceInstance) String() string {
	return fmt.Sprintf("%s-%s", i.Name, i.ID)
}

// Equal reports whether o is a *ServiceInstance with the same ID, name,
// version, metadata and set of endpoints (in any order). It does not modify
// either instance.
func (i *ServiceInstance) Equal(o any) bool {
	if i == nil && o == nil {
		return true
	}
	t, ok := o.(*ServiceInstance)
	if !ok || i == nil || t == nil {
		return i == nil && t == nil && ok
	}
	if i.ID != t.ID || i.Name != t.Name || i.Version != t.Version {
		return false
	}
	if len(i.Endpoints) != len(t.Endpoints) || len(i.Metadata) != len(t.Metadata) {
		return false
	}
	if !maps.Equal(i.Metadata, t.Metadata) {
		return false
	}
	a, b := slices.Clone(i.Endpoints), slices.Clone(t.Endpoints)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
