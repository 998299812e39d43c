// Package data implements the repositories package biz defines. This
// template keeps greetings in memory; put database and cache clients in
// Data.
package data

import (
	"context"
	"sync"

	"github.com/seed6ad8aa6b/kratos/log"

	"helloworld/internal/biz"
)

// Data holds the clients the repositories share.
type Data struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewData returns the shared Data and a function that releases it.
func NewData(logger log.Logger) (*Data, func(), error) {
	d := &Data{counts: make(map[string]int)}
	cleanup := func() {
		log.NewHelper(logger).Info("closing the data resources")
	}
	return d, cleanup, nil
}

type greeterRepo struct {
	data *Data
}

// NewGreeterRepo returns the biz.GreeterRepo kept in d.
func NewGreeterRepo(d *Data) biz.GreeterRepo {
	return &greeterRepo{data: d}
}

func (r *greeterRepo) Save(ctx context.Context, g *biz.Greeting) (*biz.Greeting, error) {
	r.data.mu.Lock()
	defer r.data.mu.Unlock()
	r.data.counts[g.Name]++
	return &biz.Greeting{Name: g.Name, Count: r.data.counts[g.Name]}, nil
}
