package httpstatus

import (
	"math"
	"testing"

	"google.golang.org/grpc/codes"
)

func TestFromGRPCCode(t *testing.T) {
	tests := []struct {
		code codes.Code
		want int
	}{
		{codes.OK, 200},
		{codes.Canceled, 499},
		{codes.Unknown, 500},
		{codes.InvalidArgument, 400},
		{codes.DeadlineExceeded, 504},
		{codes.NotFound, 404},
		{codes.AlreadyExists, 409},
		{codes.PermissionDenied, 403},
		{codes.Unauthenticated, 401},
		{codes.ResourceExhausted, 429},
		{codes.FailedPrecondition, 400},
		{codes.Aborted, 409},
		{codes.OutOfRange, 400},
		{codes.Unimplemented, 501},
		{codes.Internal, 500},
		{codes.Unavailable, 503},
		{codes.DataLoss, 500},
		// Outside the range grpc defines.
		{codes.Code(17), 500},
		{codes.Code(math.MaxUint32), 500},
	}
	for _, tt := range tests {
		if got := FromGRPCCode(tt.code); got != tt.want {
			t.Errorf("FromGRPCCode(%v) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestToGRPCCode(t *testing.T) {
	tests := []struct {
		code int
		want codes.Code
	}{
		{200, codes.OK},
		{400, codes.InvalidArgument},
		{401, codes.Unauthenticated},
		{403, codes.PermissionDenied},
		{404, codes.NotFound},
		{409, codes.Aborted},
		{429, codes.ResourceExhausted},
		{ClientClosed, codes.Canceled},
		{500, codes.Internal},
		{501, codes.Unimplemented},
		{503, codes.Unavailable},
		{504, codes.DeadlineExceeded},
		// Without a counterpart.
		{201, codes.Unknown},
		{204, codes.Unknown},
		{302, codes.Unknown},
		{405, codes.Unknown},
		{502, codes.Unknown},
		// Not HTTP status codes.
		{0, codes.Unknown},
		{-1, codes.Unknown},
		{1000, codes.Unknown},
		{math.MaxInt, codes.Unknown},
		{math.MinInt, codes.Unknown},
	}
	for _, tt := range tests {
		if got := ToGRPCCode(tt.code); got != tt.want {
			t.Errorf("ToGRPCCode(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// TestRoundTrip checks that every HTTP status code ToGRPCCode knows comes
// back unchanged through FromGRPCCode.
func TestRoundTrip(t *testing.T) {
	for _, code := range []int{200, 400, 401, 403, 404, 409, 429, 499, 500, 501, 503, 504} {
		if got := FromGRPCCode(ToGRPCCode(code)); got != code {
			t.Errorf("FromGRPCCode(ToGRPCCode(%d)) = %d, want %d", code, got, code)
		}
	}
}
