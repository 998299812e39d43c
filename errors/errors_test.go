package errors

import (
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"math"
	"net"
	"reflect"
	"testing"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
)

func TestNew(t *testing.T) {
	tests := []struct {
		code            int
		reason, message string
		wantCode        int32
	}{
		{404, "USER_NOT_FOUND", "no such user", 404},
		{0, "", "", 0},
		{-1, "r", "m", -1},
		{1000, "r", "m", 1000},
		{math.MaxInt32, "r", "m", math.MaxInt32},
		{math.MinInt32, "r", "m", math.MinInt32},
		{math.MaxInt32 + 1, "r", "m", UnknownCode},
		{math.MinInt32 - 1, "r", "m", UnknownCode},
		{1<<32 + 404, "r", "m", UnknownCode},
	}
	for _, tt := range tests {
		e := New(tt.code, tt.reason, tt.message)
		if e.Code != tt.wantCode || e.Reason != tt.reason || e.Message != tt.message || e.Metadata != nil || e.cause != nil {
			t.Errorf("New(%d, %q, %q) = %+v, want code %d and no metadata or cause",
				tt.code, tt.reason, tt.message, e, tt.wantCode)
		}
	}
}

func TestNewfErrorf(t *testing.T) {
	e := Newf(400, "BAD", "field %q: %d", "name", 3)
	if got, want := e.Message, `field "name": 3`; got != want {
		t.Errorf("Newf().Message = %q, want %q", got, want)
	}
	err := Errorf(400, "BAD", "field %q: %d", "name", 3)
	var se *Error
	if !stderrors.As(err, &se) {
		t.Fatalf("Errorf() = %T, want *Error", err)
	}
	if se.Code != 400 || se.Reason != "BAD" || se.Message != e.Message {
		t.Errorf("Errorf() = %v, want %v", se, e)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{
			New(404, "USER_NOT_FOUND", "no such user"),
			"error: code = 404 reason = USER_NOT_FOUND message = no such user metadata = map[] cause = <nil>",
		},
		{
			New(500, "", "").WithMetadata(map[string]string{"b": "2", "a": "1"}).WithCause(io.EOF),
			"error: code = 500 reason =  message =  metadata = map[a:1 b:2] cause = EOF",
		},
		{nil, "<nil>"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestWithCause(t *testing.T) {
	orig := NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"id": "7"})
	got := orig.WithCause(io.EOF)
	if got == orig {
		t.Fatal("WithCause() returned its receiver, want a copy")
	}
	if orig.cause != nil {
		t.Errorf("after WithCause(), receiver cause = %v, want nil", orig.cause)
	}
	if got.Unwrap() != io.EOF {
		t.Errorf("WithCause(io.EOF).Unwrap() = %v, want EOF", got.Unwrap())
	}
	if !Is(got, io.EOF) {
		t.Error("Is(WithCause(io.EOF), io.EOF) = false, want true")
	}
	if got.Code != 404 || got.Reason != "USER_NOT_FOUND" || got.Message != "no such user" || got.Metadata["id"] != "7" {
		t.Errorf("WithCause() = %v, want the receiver's fields", got)
	}
	got.Metadata["id"] = "8"
	if orig.Metadata["id"] != "7" {
		t.Errorf("copy shares metadata with receiver: receiver id = %q, want 7", orig.Metadata["id"])
	}
	if again := got.WithCause(nil); again.Unwrap() != nil {
		t.Errorf("WithCause(nil).Unwrap() = %v, want nil", again.Unwrap())
	}
}

func TestWithMetadata(t *testing.T) {
	orig := BadRequest("BAD", "m").WithCause(io.EOF)
	md := map[string]string{"k": "v"}
	got := orig.WithMetadata(md)
	if got == orig {
		t.Fatal("WithMetadata() returned its receiver, want a copy")
	}
	if len(orig.Metadata) != 0 {
		t.Errorf("after WithMetadata(), receiver metadata = %v, want empty", orig.Metadata)
	}
	if !reflect.DeepEqual(got.Metadata, md) {
		t.Errorf("WithMetadata().Metadata = %v, want %v", got.Metadata, md)
	}
	if got.Unwrap() != io.EOF {
		t.Errorf("WithMetadata().Unwrap() = %v, want the receiver's cause", got.Unwrap())
	}
	md["k"] = "changed"
	if got.Metadata["k"] != "v" {
		t.Errorf("WithMetadata() kept the caller's map: k = %q, want v", got.Metadata["k"])
	}
	if cleared := got.WithMetadata(nil); cleared.Metadata != nil {
		t.Errorf("WithMetadata(nil).Metadata = %v, want nil", cleared.Metadata)
	}
}

func TestClone(t *testing.T) {
	if got := Clone(nil); got != nil {
		t.Errorf("Clone(nil) = %v, want nil", got)
	}
	orig := Conflict("DUP", "m").WithCause(io.EOF).WithMetadata(map[string]string{"a": "1"})
	got := Clone(orig)
	if got == orig {
		t.Fatal("Clone() returned its argument, want a copy")
	}
	if got.Code != orig.Code || got.Reason != orig.Reason || got.Message != orig.Message ||
		!reflect.DeepEqual(got.Metadata, orig.Metadata) || got.cause != orig.cause {
		t.Errorf("Clone() = %v, want %v", got, orig)
	}
	got.Metadata["a"] = "2"
	if orig.Metadata["a"] != "1" {
		t.Errorf("Clone() shares metadata: original a = %q, want 1", orig.Metadata["a"])
	}
	// A clone of an error without metadata can be written to.
	empty := Clone(New(500, "", ""))
	if empty.Metadata == nil {
		t.Error("Clone(no metadata).Metadata = nil, want an empty map")
	}
}

func TestIs(t *testing.T) {
	notFound := NotFound("USER_NOT_FOUND", "a")
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same", notFound, notFound, true},
		{"other message", notFound, NotFound("USER_NOT_FOUND", "b"), true},
		{"other metadata", notFound.WithMetadata(map[string]string{"x": "y"}), notFound, true},
		{"other reason", notFound, NotFound("ORDER_NOT_FOUND", "a"), false},
		{"other code", notFound, BadRequest("USER_NOT_FOUND", "a"), false},
		{"wrapped err", fmt.Errorf("get user: %w", notFound), NotFound("USER_NOT_FOUND", ""), true},
		{"wrapped target", notFound, fmt.Errorf("x: %w", NotFound("USER_NOT_FOUND", "")), true},
		{"cause", InternalServer("DB", "").WithCause(notFound), NotFound("USER_NOT_FOUND", ""), true},
		{"plain target", notFound, io.EOF, false},
		{"nil target", notFound, nil, false},
		{"typed nil target", notFound, (*Error)(nil), false},
		{"nil err", nil, notFound, false},
		{"plain err", io.EOF, notFound, false},
	}
	for _, tt := range tests {
		if got := Is(tt.err, tt.target); got != tt.want {
			t.Errorf("%s: Is(%v, %v) = %v, want %v", tt.name, tt.err, tt.target, got, tt.want)
		}
	}
	var nilErr *Error
	if nilErr.Is(notFound) {
		t.Error("(*Error)(nil).Is() = true, want false")
	}
}

func TestAsUnwrap(t *testing.T) {
	e := Forbidden("NO", "m")
	wrapped := fmt.Errorf("op: %w", e)
	var se *Error
	if !As(wrapped, &se) || se != e {
		t.Errorf("As(wrapped) = %v, want %v", se, e)
	}
	if got := Unwrap(wrapped); got != e {
		t.Errorf("Unwrap(wrapped) = %v, want %v", got, e)
	}
	if got := Unwrap(e); got != nil {
		t.Errorf("Unwrap(no cause) = %v, want nil", got)
	}
}

func TestNilError(t *testing.T) {
	var e *Error
	if got := e.Unwrap(); got != nil {
		t.Errorf("nil.Unwrap() = %v, want nil", got)
	}
	if got := e.WithCause(io.EOF); got != nil {
		t.Errorf("nil.WithCause() = %v, want nil", got)
	}
	if got := e.WithMetadata(map[string]string{"a": "b"}); got != nil {
		t.Errorf("nil.WithMetadata() = %v, want nil", got)
	}
	if got := e.GRPCStatus(); got != nil {
		t.Errorf("nil.GRPCStatus() = %v, want nil", got)
	}
	// A typed nil in an error interface is an unknown error.
	var err error = e
	if got := FromError(err); got == nil || got.Code != UnknownCode || got.Reason != UnknownReason {
		t.Errorf("FromError(typed nil) = %v, want code %d", got, UnknownCode)
	}
	if got := Code(fmt.Errorf("x: %w", err)); got != UnknownCode {
		t.Errorf("Code(wrapped typed nil) = %d, want %d", got, UnknownCode)
	}
	if s, _ := status.FromError(err); s.Code() != codes.Unknown {
		t.Errorf("status.FromError(typed nil).Code() = %v, want Unknown", s.Code())
	}
}

// grpcErr builds a gRPC status error with the given details.
func grpcErr(t *testing.T, c codes.Code, msg string, details ...proto.Message) error {
	t.Helper()
	p := &spb.Status{Code: int32(c), Message: msg}
	for _, d := range details {
		a, err := anypb.New(d)
		if err != nil {
			t.Fatal(err)
		}
		p.Details = append(p.Details, a)
	}
	return status.ErrorProto(p)
}

func TestFromError(t *testing.T) {
	kerr := NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"id": "7"})
	info := &errdetails.ErrorInfo{Reason: "QUOTA", Domain: "example.com", Metadata: map[string]string{"k": "v"}}
	tests := []struct {
		name string
		err  error
		want *Error // nil: want nil
		same bool   // want the very *Error inside err
	}{
		{name: "nil", err: nil, want: nil},
		{name: "kratos", err: kerr, want: kerr, same: true},
		{name: "wrapped kratos", err: fmt.Errorf("get: %w", kerr), want: kerr, same: true},
		{name: "joined kratos", err: stderrors.Join(io.EOF, kerr), want: kerr, same: true},
		{name: "plain", err: io.EOF, want: New(500, "", "EOF")},
		{name: "wrapped plain", err: fmt.Errorf("read: %w", io.EOF), want: New(500, "", "read: EOF")},
		{
			name: "grpc with ErrorInfo",
			err:  grpcErr(t, codes.ResourceExhausted, "slow down", info),
			want: New(429, "QUOTA", "slow down").WithMetadata(map[string]string{"k": "v"}),
		},
		{
			name: "grpc without details",
			err:  status.Error(codes.NotFound, "gone"),
			want: New(404, UnknownReason, "gone"),
		},
		{
			name: "grpc with other details first",
			err:  grpcErr(t, codes.InvalidArgument, "bad", &errdetails.BadRequest{}, info, &errdetails.ErrorInfo{Reason: "SECOND"}),
			want: New(400, "QUOTA", "bad").WithMetadata(map[string]string{"k": "v"}),
		},
		{
			name: "grpc ErrorInfo without metadata",
			err:  grpcErr(t, codes.Unavailable, "down", &errdetails.ErrorInfo{Reason: "DOWN"}),
			want: New(503, "DOWN", "down"),
		},
		{
			name: "grpc with undecodable detail",
			err:  grpcErr(t, codes.Aborted, "x", &anypb.Any{TypeUrl: "type.googleapis.com/no.such.Type", Value: []byte{1}}),
			want: New(409, "", "x"),
		},
		{
			name: "grpc code out of range",
			err:  grpcErr(t, codes.Code(99), "odd"),
			want: New(500, "", "odd"),
		},
		{
			// grpc-go puts the whole wrapping text into the message.
			name: "wrapped grpc",
			err:  fmt.Errorf("call: %w", status.Error(codes.PermissionDenied, "no")),
			want: New(403, "", "call: rpc error: code = PermissionDenied desc = no"),
		},
		{
			name: "context canceled",
			err:  status.FromContextError(context.Canceled).Err(),
			want: New(499, "", "context canceled"),
		},
	}
	for _, tt := range tests {
		got := FromError(tt.err)
		if tt.want == nil {
			if got != nil {
				t.Errorf("%s: FromError() = %v, want nil", tt.name, got)
			}
			continue
		}
		if got == nil {
			t.Errorf("%s: FromError() = nil, want %v", tt.name, tt.want)
			continue
		}
		if tt.same && got != tt.want {
			t.Errorf("%s: FromError() = %p, want the wrapped error %p", tt.name, got, tt.want)
		}
		if got.Code != tt.want.Code || got.Reason != tt.want.Reason || got.Message != tt.want.Message ||
			len(got.Metadata) != len(tt.want.Metadata) || (len(got.Metadata) > 0 && !reflect.DeepEqual(got.Metadata, tt.want.Metadata)) {
			t.Errorf("%s: FromError() = %v, want %v", tt.name, got, tt.want)
		}
		if c := Code(tt.err); c != int(tt.want.Code) {
			t.Errorf("%s: Code() = %d, want %d", tt.name, c, tt.want.Code)
		}
		if r := Reason(tt.err); r != tt.want.Reason {
			t.Errorf("%s: Reason() = %q, want %q", tt.name, r, tt.want.Reason)
		}
	}
}

func TestCodeReasonNil(t *testing.T) {
	if got := Code(nil); got != 200 {
		t.Errorf("Code(nil) = %d, want 200", got)
	}
	if got := Reason(nil); got != UnknownReason {
		t.Errorf("Reason(nil) = %q, want %q", got, UnknownReason)
	}
}

func TestGRPCStatus(t *testing.T) {
	tests := []struct {
		code     int
		wantCode codes.Code
	}{
		{400, codes.InvalidArgument},
		{401, codes.Unauthenticated},
		{403, codes.PermissionDenied},
		{404, codes.NotFound},
		{409, codes.Aborted},
		{429, codes.ResourceExhausted},
		{499, codes.Canceled},
		{500, codes.Internal},
		{501, codes.Unimplemented},
		{503, codes.Unavailable},
		{504, codes.DeadlineExceeded},
		{418, codes.Unknown},
		{0, codes.Unknown},
		{-7, codes.Unknown},
		{200, codes.Unknown}, // an error never travels as OK
	}
	for _, tt := range tests {
		e := New(tt.code, "R", "msg").WithMetadata(map[string]string{"a": "b"})
		s := e.GRPCStatus()
		if s.Code() != tt.wantCode || s.Message() != "msg" {
			t.Errorf("New(%d).GRPCStatus() = %v %q, want %v %q", tt.code, s.Code(), s.Message(), tt.wantCode, "msg")
		}
		// Exactly one detail: ErrorInfo with reason and metadata, empty domain.
		want := &spb.Status{Code: int32(tt.wantCode), Message: "msg"}
		a, err := anypb.New(&errdetails.ErrorInfo{Reason: "R", Metadata: map[string]string{"a": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		want.Details = []*anypb.Any{a}
		if got := s.Proto(); !proto.Equal(got, want) {
			t.Errorf("New(%d).GRPCStatus().Proto() = %v, want %v", tt.code, got, want)
		}
		if got := want.Details[0].GetTypeUrl(); got != "type.googleapis.com/google.rpc.ErrorInfo" {
			t.Errorf("detail type URL = %q, want type.googleapis.com/google.rpc.ErrorInfo", got)
		}
	}
}

func TestGRPCStatusInvalidUTF8(t *testing.T) {
	e := New(400, "R\xff", "m\xfe").WithMetadata(map[string]string{"k\xff": "v\xfe", "ok": "fine"})
	s := e.GRPCStatus()
	if len(s.Details()) != 1 {
		t.Fatalf("GRPCStatus().Details() = %v, want one ErrorInfo", s.Details())
	}
	if _, err := proto.Marshal(s.Proto()); err != nil {
		t.Fatalf("proto.Marshal(GRPCStatus().Proto()) = %v, want nil", err)
	}
	got := FromError(s.Err())
	if got.Code != 400 || got.Reason != "R\uFFFD" || got.Message != "m\uFFFD" ||
		got.Metadata["k\uFFFD"] != "v\uFFFD" || got.Metadata["ok"] != "fine" {
		t.Errorf("FromError(GRPCStatus()) = %v, want bad bytes replaced by U+FFFD", got)
	}
	if e.Reason != "R\xff" || e.Metadata["k\xff"] != "v\xfe" {
		t.Errorf("GRPCStatus() changed its receiver: %v", e)
	}
}

// TestGRPCRoundTrip converts *Error to a gRPC status error and back, as a
// client would see it.
func TestGRPCRoundTrip(t *testing.T) {
	tests := []struct {
		err      *Error
		wantCode int32
	}{
		{New(400, "BAD", "bad"), 400},
		{Unauthorized("AUTH", "who").WithMetadata(map[string]string{"realm": "x"}), 401},
		{Forbidden("", ""), 403},
		{NotFound("USER_NOT_FOUND", "no user 7").WithMetadata(map[string]string{"id": "7", "": ""}), 404},
		{Conflict("DUP", "dup"), 409},
		{New(429, "SLOW", "slow"), 429},
		{ClientClosed("GONE", "gone"), 499},
		{InternalServer("DB", "db").WithCause(io.EOF), 500},
		{New(501, "NI", "later"), 501},
		{ServiceUnavailable("DOWN", "down"), 503},
		{GatewayTimeout("LATE", "late"), 504},
		// Codes without a gRPC counterpart come back as 500.
		{New(418, "TEAPOT", "short and stout"), 500},
		{New(200, "OK", "not really"), 500},
		{New(0, "", ""), 500},
	}
	for _, tt := range tests {
		for _, viaBytes := range []bool{false, true} {
			err := tt.err.GRPCStatus().Err()
			if viaBytes {
				// What grpc-go puts on the wire and reads back.
				b, merr := proto.Marshal(status.Convert(err).Proto())
				if merr != nil {
					t.Fatal(merr)
				}
				var p spb.Status
				if uerr := proto.Unmarshal(b, &p); uerr != nil {
					t.Fatal(uerr)
				}
				err = status.ErrorProto(&p)
			}
			got := FromError(err)
			if got.Code != tt.wantCode || got.Reason != tt.err.Reason || got.Message != tt.err.Message ||
				!sameMetadata(got.Metadata, tt.err.Metadata) {
				t.Errorf("FromError(%v.GRPCStatus().Err()) = %v, want code %d", tt.err, got, tt.wantCode)
			}
			if got.Unwrap() != nil {
				t.Errorf("cause crossed the wire: %v", got.Unwrap())
			}
		}
	}
}

func sameMetadata(a, b map[string]string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// healthServer fails every check with the configured error.
type healthServer struct {
	grpc_health_v1.UnimplementedHealthServer
	err error
}

func (s *healthServer) Check(context.Context, *grpc_health_v1.HealthCheckRequest) (*grpc_health_v1.HealthCheckResponse, error) {
	return nil, s.err
}

// TestGRPCWire sends errors through a real gRPC server and client over an
// in-memory listener.
func TestGRPCWire(t *testing.T) {
	lis := bufconn.Listen(1 << 20)
	hs := &healthServer{}
	srv := grpc.NewServer()
	grpc_health_v1.RegisterHealthServer(srv, hs)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-done; err != nil {
			t.Errorf("Serve() = %v", err)
		}
	})
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := grpc_health_v1.NewHealthClient(conn)

	tests := []struct {
		name string
		err  error
		want *Error
	}{
		{
			name: "kratos",
			err:  NotFound("USER_NOT_FOUND", "no user 7").WithMetadata(map[string]string{"id": "7"}),
			want: NotFound("USER_NOT_FOUND", "no user 7").WithMetadata(map[string]string{"id": "7"}),
		},
		{
			// The server sees the wrapping text too.
			name: "wrapped kratos",
			err:  fmt.Errorf("load: %w", BadRequest("BAD", "bad")),
			want: BadRequest("BAD", "load: error: code = 400 reason = BAD message = bad metadata = map[] cause = <nil>"),
		},
		{name: "plain", err: io.ErrUnexpectedEOF, want: New(500, "", "unexpected EOF")},
		{name: "typed nil", err: (*Error)(nil), want: New(500, "", "<nil>")},
	}
	for _, tt := range tests {
		hs.err = tt.err
		_, err := client.Check(context.Background(), &grpc_health_v1.HealthCheckRequest{})
		got := FromError(err)
		if got == nil || got.Code != tt.want.Code || got.Reason != tt.want.Reason || got.Message != tt.want.Message ||
			!sameMetadata(got.Metadata, tt.want.Metadata) {
			t.Errorf("%s: FromError(Check()) = %v, want %v", tt.name, got, tt.want)
		}
		if !Is(got, tt.want) {
			t.Errorf("%s: Is(FromError(Check()), %v) = false, want true", tt.name, tt.want)
		}
	}
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		name string
		new  func(reason, message string) *Error
		is   func(error) bool
		code int32
	}{
		{"BadRequest", BadRequest, IsBadRequest, 400},
		{"Unauthorized", Unauthorized, IsUnauthorized, 401},
		{"Forbidden", Forbidden, IsForbidden, 403},
		{"NotFound", NotFound, IsNotFound, 404},
		{"Conflict", Conflict, IsConflict, 409},
		{"TooManyRequests", TooManyRequests, IsTooManyRequests, 429},
		{"ClientClosed", ClientClosed, IsClientClosed, 499},
		{"InternalServer", InternalServer, IsInternalServer, 500},
		{"ServiceUnavailable", ServiceUnavailable, IsServiceUnavailable, 503},
		{"GatewayTimeout", GatewayTimeout, IsGatewayTimeout, 504},
	}
	for _, tt := range tests {
		e := tt.new("R", "m")
		if e.Code != tt.code || e.Reason != "R" || e.Message != "m" {
			t.Errorf("%s(R, m) = %v, want code %d", tt.name, e, tt.code)
		}
		if !tt.is(e) {
			t.Errorf("Is%s(%s()) = false, want true", tt.name, tt.name)
		}
		if !tt.is(fmt.Errorf("w: %w", e)) {
			t.Errorf("Is%s(wrapped) = false, want true", tt.name)
		}
		if !tt.is(e.GRPCStatus().Err()) {
			t.Errorf("Is%s(GRPCStatus().Err()) = false, want true", tt.name)
		}
		if tt.is(nil) {
			t.Errorf("Is%s(nil) = true, want false", tt.name)
		}
		if other := New(418, "R", "m"); tt.is(other) {
			t.Errorf("Is%s(418) = true, want false", tt.name)
		}
	}
	// A plain error counts as 500.
	if !IsInternalServer(io.EOF) {
		t.Error("IsInternalServer(io.EOF) = false, want true")
	}
}

func TestDescriptor(t *testing.T) {
	fd, err := protoregistry.GlobalFiles.FindFileByPath("errors/errors.proto")
	if err != nil {
		t.Fatalf("FindFileByPath(errors/errors.proto) = %v", err)
	}
	if fd != File_errors_errors_proto {
		t.Error("registered file is not File_errors_errors_proto")
	}
	if got := fd.Package(); got != "errors" {
		t.Errorf("Package() = %q, want errors", got)
	}
	st := fd.Messages().ByName("Status")
	if st == nil {
		t.Fatal("no message errors.Status")
	}
	fields := []struct {
		name   protoreflect.Name
		number protoreflect.FieldNumber
	}{{"code", 1}, {"reason", 2}, {"message", 3}, {"metadata", 4}}
	for _, f := range fields {
		fdesc := st.Fields().ByName(f.name)
		if fdesc == nil || fdesc.Number() != f.number {
			t.Errorf("Status field %s = %v, want number %d", f.name, fdesc, f.number)
		}
	}
	exts := []struct {
		ext      protoreflect.ExtensionType
		name     protoreflect.FullName
		number   protoreflect.FieldNumber
		extendee protoreflect.FullName
	}{
		{E_DefaultCode, "errors.default_code", 1108, "google.protobuf.EnumOptions"},
		{E_Code, "errors.code", 1109, "google.protobuf.EnumValueOptions"},
	}
	for _, e := range exts {
		d := e.ext.TypeDescriptor()
		if d.FullName() != e.name || d.Number() != e.number || d.ContainingMessage().FullName() != e.extendee ||
			d.Kind() != protoreflect.Int32Kind {
			t.Errorf("extension %s = %d on %s (%v), want %d on %s (int32)",
				d.FullName(), d.Number(), d.ContainingMessage().FullName(), d.Kind(), e.number, e.extendee)
		}
	}
	// The extensions work on real options.
	opts := &descriptorpb.EnumValueOptions{}
	proto.SetExtension(opts, E_Code, int32(404))
	b, err := proto.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	back := &descriptorpb.EnumValueOptions{}
	if err := proto.Unmarshal(b, back); err != nil {
		t.Fatal(err)
	}
	if got := proto.GetExtension(back, E_Code).(int32); got != 404 {
		t.Errorf("GetExtension(E_Code) = %d, want 404", got)
	}
}

// TestErrorIsProtoMessage checks that *Error marshals as its Status.
func TestErrorIsProtoMessage(t *testing.T) {
	e := NotFound("R", "m").WithMetadata(map[string]string{"a": "b"})
	b, err := proto.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var st Status
	if err := proto.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if st.GetCode() != 404 || st.GetReason() != "R" || st.GetMessage() != "m" || st.GetMetadata()["a"] != "b" {
		t.Errorf("Unmarshal(Marshal(*Error)) = %v, want %v", &st, &e.Status)
	}
}

func FuzzFromError(f *testing.F) {
	seed, _ := proto.Marshal(NotFound("R", "m").WithMetadata(map[string]string{"k": "v"}).GRPCStatus().Proto())
	f.Add(seed, 404, "R", "m", "k", "v")
	f.Add([]byte{}, 0, "", "", "", "")
	f.Add([]byte{0xff, 0x01}, -1, "\xff", "\xfe", "\x00", "")
	f.Fuzz(func(t *testing.T, wire []byte, code int, reason, message, key, value string) {
		// Whatever a peer sends decodes without panicking.
		var p spb.Status
		if proto.Unmarshal(wire, &p) == nil && p.GetCode() != 0 {
			if got := FromError(status.ErrorProto(&p)); got == nil {
				t.Fatal("FromError(status) = nil")
			}
		}
		// Whatever we build survives the trip, valid UTF-8 intact.
		e := New(code, reason, message).WithMetadata(map[string]string{key: value})
		got := FromError(e.GRPCStatus().Err())
		if got == nil {
			t.Fatal("FromError(GRPCStatus().Err()) = nil")
		}
		if utf8.ValidString(reason) && got.Reason != reason {
			t.Errorf("Reason = %q, want %q", got.Reason, reason)
		}
		if utf8.ValidString(message) && got.Message != message {
			t.Errorf("Message = %q, want %q", got.Message, message)
		}
		if utf8.ValidString(key) && utf8.ValidString(value) && got.Metadata[key] != value {
			t.Errorf("Metadata[%q] = %q, want %q", key, got.Metadata[key], value)
		}
	})
}
