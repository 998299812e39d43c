// Package biz holds the business rules. It defines the repositories it
// needs as interfaces; package data implements them.
package biz

import (
	"context"
	"unicode/utf8"

	"github.com/seed6ad8aa6b/kratos/log"

	v1 "helloworld/api/helloworld/v1"
	"helloworld/internal/conf"
)

// Greeting is one greeting: who was greeted and how often so far.
type Greeting struct {
	Name  string
	Count int
}

// GreeterRepo stores greetings.
type GreeterRepo interface {
	// Save records a greeting for g.Name and returns it with its count.
	Save(ctx context.Context, g *Greeting) (*Greeting, error)
}

// GreeterUsecase greets people.
type GreeterUsecase struct {
	repo   GreeterRepo
	maxLen int
	log    *log.Helper
}

// NewGreeterUsecase returns a GreeterUsecase storing greetings in repo.
func NewGreeterUsecase(c *conf.Greeter, repo GreeterRepo, logger log.Logger) *GreeterUsecase {
	maxLen := int(c.GetMaxNameLength())
	if maxLen <= 0 {
		maxLen = 64
	}
	return &GreeterUsecase{repo: repo, maxLen: maxLen, log: log.NewHelper(logger)}
}

// Greet records a greeting for name. An empty or too long name fails with
// NAME_INVALID.
func (uc *GreeterUsecase) Greet(ctx context.Context, name string) (*Greeting, error) {
	if name == "" {
		return nil, v1.ErrorNameInvalid("name is empty")
	}
	if n := utf8.RuneCountInString(name); n > uc.maxLen {
		return nil, v1.ErrorNameInvalid("name has %d characters, at most %d are allowed", n, uc.maxLen)
	}
	g, err := uc.repo.Save(ctx, &Greeting{Name: name})
	if err != nil {
		return nil, err
	}
	uc.log.WithContext(ctx).Debugf("greeted %q %d times", g.Name, g.Count)
	return g, nil
}
