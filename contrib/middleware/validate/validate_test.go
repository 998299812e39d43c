package validate_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/contrib/middleware/validate"
	"github.com/seed6ad8aa6b/kratos/contrib/middleware/validate/internal/testpb"
	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
)

// Messages of the buf.validate rules in testpb/users.proto, as protovalidate
// writes them.
const (
	nameTooShort  = "must be at least 1 characters"
	ageOutOfRange = "must be greater than or equal to 0 and less than or equal to 150"
	emailInvalid  = "must be a valid email address"
	cityTooShort  = "must be at least 1 characters"
	tooManyTags   = "must contain no more than 2 item(s)"
	nameIsEmail   = "name and email must differ"
)

func validUser() *testpb.CreateUserRequest {
	return &testpb.CreateUserRequest{
		Name:    "ada",
		Age:     36,
		Email:   "ada@example.com",
		Address: &testpb.Address{City: "London"},
		Tags:    []string{"math"},
	}
}

// user returns a valid request changed by edit.
func user(edit func(*testpb.CreateUserRequest)) *testpb.CreateUserRequest {
	r := validUser()
	edit(r)
	return r
}

// selfChecked is a request that is not a protobuf message and validates
// itself.
type selfChecked struct{ err error }

func (r selfChecked) Validate() error { return r.err }

// validatorFunc adapts a function to a protovalidate.Validator.
type validatorFunc func(proto.Message) error

func (f validatorFunc) Validate(m proto.Message, _ ...protovalidate.ValidationOption) error {
	return f(m)
}

type result struct {
	called   bool // whether the next handler ran
	code     int
	reason   string
	message  string
	metadata map[string]string
}

func (r result) String() string {
	return fmt.Sprintf("{called: %t, code: %d, reason: %q, message: %q, metadata: %v}",
		r.called, r.code, r.reason, r.message, r.metadata)
}

func (r result) equal(o result) bool {
	return r.called == o.called && r.code == o.code && r.reason == o.reason &&
		r.message == o.message && maps.Equal(r.metadata, o.metadata)
}

// run sends req through m to a handler that records that it ran.
func run(t *testing.T, m middleware.Middleware, req any) (result, error) {
	t.Helper()
	var got result
	h := m(func(_ context.Context, r any) (any, error) {
		got.called = true
		if r != req {
			t.Errorf("handler got request %v, want %v", r, req)
		}
		return "reply", nil
	})
	reply, err := h(context.Background(), req)
	if err == nil {
		if reply != "reply" {
			t.Errorf("reply = %v, want %q", reply, "reply")
		}
		got.code = 200
		return got, nil
	}
	if reply != nil {
		t.Errorf("reply = %v with error %v, want nil", reply, err)
	}
	e := kerrors.FromError(err)
	got.code, got.reason, got.message = int(e.Code), e.Reason, e.Message
	if len(e.Metadata) > 0 {
		got.metadata = e.Metadata
	}
	return got, err
}

func rejected(message string, metadata map[string]string) result {
	return result{code: 400, reason: "VALIDATOR", message: message, metadata: metadata}
}

var passed = result{called: true, code: 200}

func TestServer(t *testing.T) {
	plainErr := errors.New("name: must not be empty")
	tests := []struct {
		name string
		req  any
		want result
		// cause is the error a rejection must wrap; nil means a
		// *protovalidate.ValidationError.
		cause error
	}{
		{"valid message", validUser(), passed, nil},
		{"message without rules", &testpb.CreateUserReply{}, passed, nil},
		{"empty name", user(func(r *testpb.CreateUserRequest) { r.Name = "" }),
			rejected("name: "+nameTooShort, map[string]string{"name": nameTooShort}), nil},
		{"age below range", user(func(r *testpb.CreateUserRequest) { r.Age = -1 }),
			rejected("age: "+ageOutOfRange, map[string]string{"age": ageOutOfRange}), nil},
		{"age above range", user(func(r *testpb.CreateUserRequest) { r.Age = 151 }),
			rejected("age: "+ageOutOfRange, map[string]string{"age": ageOutOfRange}), nil},
		{"age at bounds", user(func(r *testpb.CreateUserRequest) { r.Age = 150 }), passed, nil},
		{"bad email", user(func(r *testpb.CreateUserRequest) { r.Email = "ada.example.com" }),
			rejected("email: "+emailInvalid, map[string]string{"email": emailInvalid}), nil},
		{"nested field", user(func(r *testpb.CreateUserRequest) { r.Address.City = "" }),
			rejected("address.city: "+cityTooShort, map[string]string{"address.city": cityTooShort}), nil},
		{"no nested message", user(func(r *testpb.CreateUserRequest) { r.Address = nil }), passed, nil},
		{"repeated field", user(func(r *testpb.CreateUserRequest) { r.Tags = []string{"a", "b", "c"} }),
			rejected("tags: "+tooManyTags, map[string]string{"tags": tooManyTags}), nil},
		{"message rule names no field", user(func(r *testpb.CreateUserRequest) { r.Name = r.Email }),
			rejected(nameIsEmail, nil), nil},
		{"every violation in order",
			user(func(r *testpb.CreateUserRequest) { r.Name, r.Age, r.Email = "", 200, "nope" }),
			rejected("name: "+nameTooShort+"; age: "+ageOutOfRange+"; email: "+emailInvalid,
				map[string]string{"name": nameTooShort, "age": ageOutOfRange, "email": emailInvalid}), nil},
		{"Validate method of a message", user(func(r *testpb.CreateUserRequest) { r.Name = "admin" }),
			rejected(testpb.ErrReservedName.Error(), nil), testpb.ErrReservedName},
		{"rules checked before Validate method",
			user(func(r *testpb.CreateUserRequest) { r.Name, r.Age = "admin", -1 }),
			rejected("age: "+ageOutOfRange, map[string]string{"age": ageOutOfRange}), nil},
		{"Validate method of a non-message", selfChecked{err: plainErr}, rejected(plainErr.Error(), nil), plainErr},
		{"valid non-message", selfChecked{}, passed, nil},
		{"plain value", "hello", passed, nil},
		{"nil request", nil, passed, nil},
		{"nil message is checked as empty", (*testpb.CreateUserRequest)(nil),
			rejected(nameIsEmail+"; name: "+nameTooShort+"; email: value is empty, which is not a valid email address",
				map[string]string{"name": nameTooShort, "email": "value is empty, which is not a valid email address"}), nil},
	}
	m := validate.Server()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(t, m, tt.req)
			if !got.equal(tt.want) {
				t.Errorf("Server() on %v = %v, want %v", tt.req, got, tt.want)
			}
			if err == nil {
				return
			}
			if tt.cause != nil {
				if !errors.Is(err, tt.cause) {
					t.Errorf("Server() error %v does not wrap %v", err, tt.cause)
				}
				return
			}
			var verr *protovalidate.ValidationError
			if !errors.As(err, &verr) {
				t.Errorf("Server() error %v does not wrap a *protovalidate.ValidationError", err)
			}
		})
	}
}

// TestValidateMethodReturnsViolations covers a hand-written Validate method
// that reports protovalidate violations itself: they are listed as if the
// middleware had found them, and its error, wrapping included, stays the
// cause.
func TestValidateMethodReturnsViolations(t *testing.T) {
	verr := protovalidate.Validate(user(func(r *testpb.CreateUserRequest) { r.Age = -1 }))
	if verr == nil {
		t.Fatal("protovalidate.Validate() = nil, want a violation")
	}
	wrapped := fmt.Errorf("create user: %w", verr)
	emptyViolations := &protovalidate.ValidationError{Violations: []*protovalidate.Violation{nil}}
	tests := []struct {
		name string
		err  error
		want result
	}{
		{"violations", wrapped, rejected("age: "+ageOutOfRange, map[string]string{"age": ageOutOfRange})},
		{"no violation listed", emptyViolations, rejected(emptyViolations.Error(), nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(t, validate.Server(), selfChecked{err: tt.err})
			if !got.equal(tt.want) {
				t.Errorf("Server() = %v, want %v", got, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Server() error %v does not wrap %v", err, tt.err)
			}
		})
	}
}

func TestRulesThatCannotBeEvaluated(t *testing.T) {
	got, err := run(t, validate.Server(), &testpb.Broken{Name: "x"})
	want := result{code: 500, reason: "VALIDATOR",
		message: "validate: the rules of kratos.contrib.validate.testpb.Broken cannot be evaluated"}
	if !got.equal(want) {
		t.Errorf("Server() on Broken = %v, want %v", got, want)
	}
	var cerr *protovalidate.CompilationError
	if !errors.As(err, &cerr) {
		t.Errorf("Server() error %v does not wrap a *protovalidate.CompilationError", err)
	}

	other := errors.New("validator unavailable")
	m := validate.Server(validate.WithValidator(validatorFunc(func(proto.Message) error { return other })))
	got, err = run(t, m, validUser())
	want.message = "validate: the rules of kratos.contrib.validate.testpb.CreateUserRequest cannot be evaluated"
	if !got.equal(want) {
		t.Errorf("Server() with a failing validator = %v, want %v", got, want)
	}
	if !errors.Is(err, other) {
		t.Errorf("Server() error %v does not wrap %v", err, other)
	}
}

func TestWithValidator(t *testing.T) {
	failFast, err := protovalidate.New(protovalidate.WithFailFast())
	if err != nil {
		t.Fatalf("protovalidate.New() error = %v", err)
	}
	var seen []proto.Message
	recording := validatorFunc(func(m proto.Message) error {
		seen = append(seen, m)
		return nil
	})
	invalid := user(func(r *testpb.CreateUserRequest) { r.Name, r.Age = "", -1 })
	tests := []struct {
		name string
		v    protovalidate.Validator
		want result
	}{
		{"nil is the default", nil, rejected("name: "+nameTooShort+"; age: "+ageOutOfRange,
			map[string]string{"name": nameTooShort, "age": ageOutOfRange})},
		{"fail fast", failFast, rejected("name: "+nameTooShort, map[string]string{"name": nameTooShort})},
		{"custom", recording, passed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := run(t, validate.Server(validate.WithValidator(tt.v)), invalid)
			if !got.equal(tt.want) {
				t.Errorf("Server(WithValidator(%T)) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
	if len(seen) != 1 || seen[0] != invalid {
		t.Errorf("custom validator saw %v, want [%v]", seen, invalid)
	}

	// The last option wins.
	m := validate.Server(validate.WithValidator(recording), validate.WithValidator(failFast))
	if got, _ := run(t, m, invalid); got.called {
		t.Errorf("Server(WithValidator(custom), WithValidator(failFast)) let an invalid request through")
	}
}

func TestClient(t *testing.T) {
	tests := []struct {
		name string
		req  any
		want result
	}{
		{"valid", validUser(), passed},
		{"invalid", user(func(r *testpb.CreateUserRequest) { r.Email = "x" }),
			rejected("email: "+emailInvalid, map[string]string{"email": emailInvalid})},
		{"Validate method", selfChecked{err: errors.New("bad")}, rejected("bad", nil)},
		{"plain value", 42, passed},
	}
	m := validate.Client()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := run(t, m, tt.req); !got.equal(tt.want) {
				t.Errorf("Client() on %v = %v, want %v", tt.req, got, tt.want)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	m := validate.Server()
	h := m(func(context.Context, any) (any, error) { return "reply", nil })
	done := make(chan error)
	for i := range 8 {
		go func() {
			req := validUser()
			if i%2 == 1 {
				req.Age = -1
			}
			_, err := h(context.Background(), req)
			if (err != nil) != (i%2 == 1) {
				done <- fmt.Errorf("request %d: error = %v", i, err)
				return
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkServer(b *testing.B) {
	h := validate.Server()(func(context.Context, any) (any, error) { return nil, nil })
	ctx := context.Background()
	b.Run("valid", func(b *testing.B) {
		req := validUser()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("invalid", func(b *testing.B) {
		req := user(func(r *testpb.CreateUserRequest) { r.Name = "" })
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h(ctx, req); err == nil {
				b.Fatal("invalid request passed")
			}
		}
	})
}

// TestProtoValidate runs Kratos v2.9.2's TestTable cases, adapted to our
// test messages: ProtoValidate() lets valid requests through and rejects
// invalid ones, whether by rule or by Validate method, with a 400.
func TestProtoValidate(t *testing.T) {
	tests := []struct {
		name           string
		req            any
		wantBadRequest bool
	}{
		{"valid", validUser(), false},
		{"rule broken", user(func(r *testpb.CreateUserRequest) { r.Age = 151 }), true},
		{"nested rule broken", user(func(r *testpb.CreateUserRequest) { r.Address.City = "" }), true},
		{"Validate method fails", user(func(r *testpb.CreateUserRequest) { r.Name = "admin" }), true},
		{"non-message with failing Validate", selfChecked{err: errors.New("bad")}, true},
		{"plain value", "hello", false},
	}
	h := validate.ProtoValidate()(func(context.Context, any) (any, error) { return "ok", nil })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h(context.Background(), tt.req)
			if got := kerrors.IsBadRequest(err); got != tt.wantBadRequest {
				t.Errorf("ProtoValidate() on %v: IsBadRequest(%v) = %v, want %v", tt.req, err, got, tt.wantBadRequest)
			}
			if err != nil && kerrors.Reason(err) != "VALIDATOR" {
				t.Errorf("ProtoValidate() reason = %q, want VALIDATOR", kerrors.Reason(err))
			}
		})
	}
}
