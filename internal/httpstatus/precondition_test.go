package httpstatus

import (
	"testing"

	"google.golang.org/grpc/codes"
)

func TestSetPreconditionFailed(t *testing.T) {
	t.Cleanup(func() { SetPreconditionFailed(false) })
	tests := []struct {
		on       bool
		wantTo   codes.Code
		wantFrom int
	}{
		{false, codes.Unknown, 400},
		{true, codes.FailedPrecondition, 412},
		{false, codes.Unknown, 400},
	}
	for _, tt := range tests {
		SetPreconditionFailed(tt.on)
		if got := PreconditionFailed(); got != tt.on {
			t.Errorf("PreconditionFailed() = %v, want %v", got, tt.on)
		}
		if got := ToGRPCCode(412); got != tt.wantTo {
			t.Errorf("on=%v: ToGRPCCode(412) = %v, want %v", tt.on, got, tt.wantTo)
		}
		if got := FromGRPCCode(codes.FailedPrecondition); got != tt.wantFrom {
			t.Errorf("on=%v: FromGRPCCode(FailedPrecondition) = %d, want %d", tt.on, got, tt.wantFrom)
		}
		// Nothing else moves.
		if got := ToGRPCCode(400); got != codes.InvalidArgument {
			t.Errorf("on=%v: ToGRPCCode(400) = %v, want InvalidArgument", tt.on, got)
		}
		if got := FromGRPCCode(codes.OutOfRange); got != 400 {
			t.Errorf("on=%v: FromGRPCCode(OutOfRange) = %d, want 400", tt.on, got)
		}
	}
	SetPreconditionFailed(true)
	if got := FromGRPCCode(ToGRPCCode(412)); got != 412 {
		t.Errorf("with the v3 mapping, FromGRPCCode(ToGRPCCode(412)) = %d, want 412", got)
	}
}
