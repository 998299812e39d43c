package selector

import (
	"context"
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func mark(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		reply, err := next(ctx, req)
		return "selected:" + reply.(string), err
	}
}

func TestSelector(t *testing.T) {
	build := func(b *Builder) middleware.Handler {
		return b.Build()(func(context.Context, any) (any, error) { return "h", nil })
	}
	tests := []struct {
		name   string
		b      *Builder
		client bool
		op     string
		want   bool
	}{
		{"prefix hit", Server(mark).Prefix("/admin.v1."), false, "/admin.v1.Users/List", true},
		{"prefix miss", Server(mark).Prefix("/admin.v1."), false, "/public.v1.Users/List", false},
		{"regex whole", Server(mark).Regex(`/.*/Delete.*`), false, "/a.B/DeleteUser", true},
		{"regex is anchored", Server(mark).Regex(`Delete`), false, "/a.B/DeleteUser", false},
		{"path exact", Server(mark).Path("/a.B/C"), false, "/a.B/C", true},
		{"path miss", Server(mark).Path("/a.B/C"), false, "/a.B/CD", false},
		{"match func", Server(mark).Match(func(_ context.Context, op string) bool { return strings.HasSuffix(op, "/Ping") }), false, "/x.Y/Ping", true},
		{"client reads client transport", Client(mark).Prefix("/"), true, "/a.B/C", true},
		{"server ignores client transport", Server(mark).Prefix("/"), true, "/a.B/C", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tr := transporttest.New(transport.KindHTTP, tt.op)
			if tt.client {
				ctx = transport.NewClientContext(ctx, tr)
			} else {
				ctx = transport.NewServerContext(ctx, tr)
			}
			reply, _ := build(tt.b)(ctx, nil)
			if got := reply == "selected:h"; got != tt.want {
				t.Errorf("selected = %v (reply %v), want %v", got, reply, tt.want)
			}
		})
	}
}

func TestInvalidRegexPanicsAtBuild(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Build with an invalid regex did not panic")
		}
	}()
	Server().Regex("(").Build()
}
