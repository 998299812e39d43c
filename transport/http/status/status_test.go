package status

import (
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		http int
		grpc codes.Code
	}{
		{http.StatusOK, codes.OK},
		{http.StatusBadRequest, codes.InvalidArgument},
		{http.StatusUnauthorized, codes.Unauthenticated},
		{http.StatusForbidden, codes.PermissionDenied},
		{http.StatusNotFound, codes.NotFound},
		{http.StatusTooManyRequests, codes.ResourceExhausted},
		{ClientClosed, codes.Canceled},
		{http.StatusInternalServerError, codes.Internal},
		{http.StatusNotImplemented, codes.Unimplemented},
		{http.StatusServiceUnavailable, codes.Unavailable},
		{http.StatusGatewayTimeout, codes.DeadlineExceeded},
	}
	for _, tt := range tests {
		if got := ToGRPCCode(tt.http); got != tt.grpc {
			t.Errorf("ToGRPCCode(%d) = %v, want %v", tt.http, got, tt.grpc)
		}
		if got := FromGRPCCode(tt.grpc); got != tt.http {
			t.Errorf("FromGRPCCode(%v) = %d, want %d", tt.grpc, got, tt.http)
		}
	}
}

func TestUnknown(t *testing.T) {
	if got := ToGRPCCode(418); got != codes.Unknown {
		t.Errorf("ToGRPCCode(418) = %v, want %v", got, codes.Unknown)
	}
	if got := FromGRPCCode(codes.Code(99)); got != http.StatusInternalServerError {
		t.Errorf("FromGRPCCode(99) = %d, want 500", got)
	}
}

type fixed struct{}

func (fixed) ToGRPCCode(int) codes.Code   { return codes.Aborted }
func (fixed) FromGRPCCode(codes.Code) int { return 418 }

func TestDefaultConverterReplaced(t *testing.T) {
	old := DefaultConverter
	t.Cleanup(func() { DefaultConverter = old })
	DefaultConverter = fixed{}
	if got := ToGRPCCode(200); got != codes.Aborted {
		t.Errorf("ToGRPCCode(200) = %v, want %v", got, codes.Aborted)
	}
	if got := FromGRPCCode(codes.OK); got != 418 {
		t.Errorf("FromGRPCCode(OK) = %d, want 418", got)
	}
}
