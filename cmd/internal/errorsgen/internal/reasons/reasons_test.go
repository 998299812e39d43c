// The tests of this package run the helpers that errorsgen generated for
// ../../testdata/reasons.proto (checked by TestGolden in errorsgen).
package reasons

import (
	stderrors "errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/seed6ad8aa6b/kratos/errors"
)

func TestHelpers(t *testing.T) {
	tests := []struct {
		name   string
		err    *errors.Error
		is     func(error) bool
		reason fmt.Stringer
		code   int32
	}{
		{"ReasonUnspecified", ErrorReasonUnspecified("x %d", 1), IsReasonUnspecified, Reason_REASON_UNSPECIFIED, 500},
		{"UserNotFound", ErrorUserNotFound("x %d", 1), IsUserNotFound, Reason_USER_NOT_FOUND, 404},
		{"UserNameMissing", ErrorUserNameMissing("x %d", 1), IsUserNameMissing, Reason_user_name_missing, 400},
		{"Http2", ErrorHttp2("x %d", 1), IsHttp2, Reason_HTTP2, 505},
		{"Error2FaRequired", ErrorError2FaRequired("x %d", 1), IsError2FaRequired, Reason_ERROR_2FA_REQUIRED, 401},
		{"FooBAR", ErrorFooBAR("x %d", 1), IsFooBAR, Reason_fooBAR, 500},
		{"MixedCaseValue", ErrorMixedCaseValue("x %d", 1), IsMixedCaseValue, Reason_Mixed_CASE_value, 409},
		{"V1Beta2", ErrorV1Beta2("x %d", 1), IsV1Beta2, Reason_V1_BETA2, 500},
		{"TooMany", ErrorTooMany("x %d", 1), IsTooMany, Partial_TOO_MANY, 429},
	}
	for _, tt := range tests {
		e := tt.err
		if e.Code != tt.code || e.Reason != tt.reason.String() || e.Message != "x 1" {
			t.Errorf("Error%s() = %d %q %q, want %d %q %q", tt.name, e.Code, e.Reason, e.Message, tt.code, tt.reason, "x 1")
		}
		if !tt.is(e) {
			t.Errorf("Is%s(Error%s()) = false", tt.name, tt.name)
		}
		if !tt.is(fmt.Errorf("wrapped: %w", e)) {
			t.Errorf("Is%s(wrapped) = false", tt.name)
		}
		// Through a gRPC status and back: the code survives when a gRPC
		// code maps back to it (not 505).
		if tt.code != 505 && !tt.is(status.Convert(e).Err()) {
			t.Errorf("Is%s(gRPC status) = false", tt.name)
		}
		if tt.is(nil) {
			t.Errorf("Is%s(nil) = true", tt.name)
		}
		if tt.is(errors.New(int(tt.code)+1, tt.reason.String(), "")) {
			t.Errorf("Is%s(other code) = true", tt.name)
		}
		if tt.is(errors.New(int(tt.code), "OTHER", "")) {
			t.Errorf("Is%s(other reason) = true", tt.name)
		}
		if tt.is(stderrors.New("plain")) {
			t.Errorf("Is%s(plain error) = true", tt.name)
		}
	}
	if IsUserNotFound(status.Error(codes.NotFound, "no reason")) {
		t.Error("IsUserNotFound(status without reason) = true")
	}
}
