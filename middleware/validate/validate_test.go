package validate

import (
	"context"
	"errors"
	"testing"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

type req struct{ err error }

func (r req) Validate() error { return r.err }

func TestValidator(t *testing.T) {
	invalid := errors.New("name: must not be empty")
	tests := []struct {
		name       string
		req        any
		wantCode   int
		wantReason string
	}{
		{"valid", req{}, 200, ""},
		{"invalid", req{err: invalid}, 400, "VALIDATOR"},
		{"no validator", "plain", 200, ""},
		{"nil request", nil, 200, ""},
	}
	for _, tt := range tests {
		h := Validator()(func(context.Context, any) (any, error) { return "ok", nil })
		_, err := h(context.Background(), tt.req)
		if got := kerrors.Code(err); got != tt.wantCode {
			t.Errorf("%s: Code = %d, want %d", tt.name, got, tt.wantCode)
		}
		if got := kerrors.Reason(err); got != tt.wantReason {
			t.Errorf("%s: Reason = %q, want %q", tt.name, got, tt.wantReason)
		}
		if tt.wantCode == 400 {
			if !errors.Is(err, invalid) {
				t.Errorf("%s: error %v does not wrap the validation error", tt.name, err)
			}
			if got := kerrors.FromError(err).Message; got != invalid.Error() {
				t.Errorf("%s: Message = %q, want %q", tt.name, got, invalid.Error())
			}
		}
	}
}
