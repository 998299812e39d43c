package status_test

import (
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/transport/http/status"
)

func TestSetPreconditionFailed(t *testing.T) {
	t.Cleanup(func() { status.SetPreconditionFailed(false) })
	for _, c := range []struct {
		on       bool
		wantGRPC codes.Code
		wantHTTP int
	}{
		{false, codes.Unknown, http.StatusBadRequest},
		{true, codes.FailedPrecondition, http.StatusPreconditionFailed},
		{false, codes.Unknown, http.StatusBadRequest},
	} {
		status.SetPreconditionFailed(c.on)
		if got := status.ToGRPCCode(http.StatusPreconditionFailed); got != c.wantGRPC {
			t.Errorf("on=%v: ToGRPCCode(412) = %v, want %v", c.on, got, c.wantGRPC)
		}
		if got := status.FromGRPCCode(codes.FailedPrecondition); got != c.wantHTTP {
			t.Errorf("on=%v: FromGRPCCode(FailedPrecondition) = %d, want %d", c.on, got, c.wantHTTP)
		}
		if got := kerrors.FromError(grpcstatus.Error(codes.FailedPrecondition, "x")).Code; int(got) != c.wantHTTP {
			t.Errorf("on=%v: errors.FromError(FailedPrecondition).Code = %d, want %d", c.on, got, c.wantHTTP)
		}
	}
}
