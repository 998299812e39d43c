package validate

import (
	"context"
	"errors"
	"testing"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

func TestValidators(t *testing.T) {
	own := errors.New("own: invalid")
	custom := errors.New("custom: invalid")
	second := errors.New("second: invalid")
	rejectStrings := func(req any) error {
		if _, ok := req.(string); ok {
			return custom
		}
		return nil
	}
	rejectAll := func(any) error { return second }
	var calls int
	counting := func(any) error { calls++; return nil }
	tests := []struct {
		name       string
		validators []ValidatorFunc
		req        any
		wantErr    error
		wantCalls  int
	}{
		{"no validators", nil, "plain", nil, 0},
		{"custom rejects", []ValidatorFunc{rejectStrings}, "plain", custom, 0},
		{"custom passes other types", []ValidatorFunc{rejectStrings}, 42, nil, 0},
		{"Validate method first", []ValidatorFunc{counting, rejectAll}, req{err: own}, own, 0},
		{"in order, first error wins", []ValidatorFunc{counting, rejectStrings, rejectAll}, "plain", custom, 1},
		{"later validator", []ValidatorFunc{rejectStrings, rejectAll}, 42, second, 0},
		{"nil skipped", []ValidatorFunc{nil, counting}, req{}, nil, 1},
		{"nil request", []ValidatorFunc{counting}, nil, nil, 1},
	}
	for _, tt := range tests {
		calls = 0
		reached := false
		h := Validators(tt.validators...)(func(context.Context, any) (any, error) { reached = true; return "ok", nil })
		_, err := h(context.Background(), tt.req)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.wantErr)
		}
		if calls != tt.wantCalls {
			t.Errorf("%s: counting validator calls = %d, want %d", tt.name, calls, tt.wantCalls)
		}
		if reached != (tt.wantErr == nil) {
			t.Errorf("%s: handler reached = %v, want %v", tt.name, reached, tt.wantErr == nil)
		}
		if tt.wantErr == nil {
			continue
		}
		e := kerrors.FromError(err)
		if e.Code != 400 || e.Reason != "VALIDATOR" || e.Message != tt.wantErr.Error() {
			t.Errorf("%s: error = %d %q %q, want 400 %q %q", tt.name, e.Code, e.Reason, e.Message, "VALIDATOR", tt.wantErr.Error())
		}
	}
}
