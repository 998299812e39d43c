package biz

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/log"

	v1 "helloworld/api/helloworld/v1"
	"helloworld/internal/conf"
)

// memRepo is a GreeterRepo kept in a map.
type memRepo map[string]int

func (r memRepo) Save(_ context.Context, g *Greeting) (*Greeting, error) {
	r[g.Name]++
	return &Greeting{Name: g.Name, Count: r[g.Name]}, nil
}

func TestGreet(t *testing.T) {
	uc := NewGreeterUsecase(&conf.Greeter{MaxNameLength: 5}, memRepo{}, log.NewStdLogger(io.Discard))
	ctx := context.Background()
	for want := 1; want <= 2; want++ {
		g, err := uc.Greet(ctx, "kim")
		if err != nil || g.Count != want {
			t.Fatalf("Greet(kim) = %+v, %v; want count %d", g, err, want)
		}
	}
	for _, name := range []string{"", strings.Repeat("x", 6)} {
		if _, err := uc.Greet(ctx, name); !v1.IsNameInvalid(err) {
			t.Errorf("Greet(%q) error = %v, want NAME_INVALID", name, err)
		}
	}
}
