package ratelimit

import (
	"context"
	"errors"
	"testing"

	internalratelimit "github.com/seed6ad8aa6b/kratos/internal/ratelimit"
)

// A limiter written against the internal names, as Kratos v3 declares
// them, is a Limiter of this package.
type internalLimiter struct{ infos []internalratelimit.DoneInfo }

func (l *internalLimiter) Allow() (internalratelimit.DoneFunc, error) {
	return func(d internalratelimit.DoneInfo) { l.infos = append(l.infos, d) }, nil
}

var _ Limiter = (*internalLimiter)(nil)

func TestAliases(t *testing.T) {
	l := &internalLimiter{}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		handler error
	}{
		{"success", nil},
		{"failure", boom},
	}
	for i, tt := range tests {
		h := Server(WithLimiter(l))(func(context.Context, any) (any, error) { return nil, tt.handler })
		if _, err := h(context.Background(), nil); !errors.Is(err, tt.handler) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.handler)
		}
		if got := len(l.infos); got != i+1 {
			t.Fatalf("%s: done calls = %d, want %d", tt.name, got, i+1)
		}
		var d DoneInfo = l.infos[i]
		if !errors.Is(d.Err, tt.handler) {
			t.Errorf("%s: DoneInfo.Err = %v, want %v", tt.name, d.Err, tt.handler)
		}
	}
}
