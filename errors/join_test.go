package errors

import (
	stderrors "errors"
	"fmt"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestJoinFromError(t *testing.T) {
	notFound := NotFound("USER", "no user")
	conflict := Conflict("DUP", "dup")
	tests := []struct {
		name        string
		err         error
		wantCode    int
		wantReason  string
		wantMessage string
	}{
		{"first *Error wins", Join(io.EOF, notFound, conflict), 404, "USER", "no user"},
		{"order of arguments", Join(conflict, notFound), 409, "DUP", "dup"},
		{"wrapped inside a join", Join(io.EOF, fmt.Errorf("load: %w", conflict)), 409, "DUP", "dup"},
		{"join inside a wrap", fmt.Errorf("op: %w", Join(notFound)), 404, "USER", "no user"},
		{"no *Error", Join(io.EOF, io.ErrUnexpectedEOF), 500, "", "EOF\nunexpected EOF"},
		{"gRPC status inside", Join(status.Error(codes.ResourceExhausted, "slow")), 429, "", "rpc error: code = ResourceExhausted desc = slow"},
		{"ErrUnsupported", ErrUnsupported, 500, "", "unsupported operation"},
	}
	for _, tt := range tests {
		e := FromError(tt.err)
		if got := int(e.Code); got != tt.wantCode {
			t.Errorf("%s: FromError().Code = %d, want %d", tt.name, got, tt.wantCode)
		}
		if got := Code(tt.err); got != tt.wantCode {
			t.Errorf("%s: Code() = %d, want %d", tt.name, got, tt.wantCode)
		}
		if got := Reason(tt.err); got != tt.wantReason {
			t.Errorf("%s: Reason() = %q, want %q", tt.name, got, tt.wantReason)
		}
		if e.Message != tt.wantMessage {
			t.Errorf("%s: FromError().Message = %q, want %q", tt.name, e.Message, tt.wantMessage)
		}
	}
}

func TestJoin(t *testing.T) {
	if got := Join(); got != nil {
		t.Errorf("Join() = %v, want nil", got)
	}
	if got := Join(nil, nil); got != nil {
		t.Errorf("Join(nil, nil) = %v, want nil", got)
	}
	if got := Code(Join(nil)); got != 200 {
		t.Errorf("Code(Join(nil)) = %d, want 200", got)
	}
	err := Join(io.EOF, NotFound("USER", ""))
	if !Is(err, io.EOF) {
		t.Error("Is(Join(io.EOF, ...), io.EOF) = false, want true")
	}
	if !Is(err, NotFound("USER", "other message")) {
		t.Error("Is(Join(..., NotFound(USER)), NotFound(USER)) = false, want true")
	}
	if !IsNotFound(err) {
		t.Error("IsNotFound(Join(io.EOF, NotFound)) = false, want true")
	}
	if got, want := err.Error(), "EOF\n"+NotFound("USER", "").Error(); got != want {
		t.Errorf("Join().Error() = %q, want %q", got, want)
	}
}

func TestErrUnsupported(t *testing.T) {
	if ErrUnsupported != stderrors.ErrUnsupported {
		t.Error("ErrUnsupported != errors.ErrUnsupported, want the same value")
	}
	if !Is(fmt.Errorf("seek: %w", stderrors.ErrUnsupported), ErrUnsupported) {
		t.Error("Is(wrapped errors.ErrUnsupported, ErrUnsupported) = false, want true")
	}
}
