package errors

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/seed6ad8aa6b/kratos/internal/httpstatus"
)

// TestPreconditionFailedMapping checks that package errors follows the
// process-wide 412 <-> FailedPrecondition choice of internal/httpstatus.
func TestPreconditionFailedMapping(t *testing.T) {
	t.Cleanup(func() { httpstatus.SetPreconditionFailed(false) })
	tests := []struct {
		on           bool
		wantGRPC     codes.Code
		wantFromGRPC int
	}{
		{false, codes.Unknown, 400},
		{true, codes.FailedPrecondition, 412},
	}
	for _, tt := range tests {
		httpstatus.SetPreconditionFailed(tt.on)
		e := New(412, "STALE", "etag mismatch")
		if got := e.GRPCStatus().Code(); got != tt.wantGRPC {
			t.Errorf("on=%v: New(412).GRPCStatus().Code() = %v, want %v", tt.on, got, tt.wantGRPC)
		}
		if got := Code(status.Error(codes.FailedPrecondition, "x")); got != tt.wantFromGRPC {
			t.Errorf("on=%v: Code(FailedPrecondition status) = %d, want %d", tt.on, got, tt.wantFromGRPC)
		}
		back := FromError(e.GRPCStatus().Err())
		if tt.on && (back.Code != 412 || back.Reason != "STALE") {
			t.Errorf("on=%v: round trip = %d %q, want 412 STALE", tt.on, back.Code, back.Reason)
		}
	}
}
