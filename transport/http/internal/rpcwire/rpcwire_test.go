package rpcwire

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

func TestReadEnvelope(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		max       int64
		wantFlags byte
		wantData  string
		wantErr   error      // io.EOF, or nil
		wantCode  codes.Code // of a status error
	}{
		{"message", AppendEnvelope(nil, 1, []byte("abc")), 0, 1, "abc", nil, codes.OK},
		{"empty message", AppendEnvelope(nil, 0, nil), 0, 0, "", nil, codes.OK},
		{"end of body", nil, 0, 0, "", io.EOF, codes.OK},
		{"truncated prefix", []byte{0, 0, 0}, 0, 0, "", nil, codes.InvalidArgument},
		{"truncated payload", []byte{0, 0, 0, 0, 9, 'a'}, 0, 0, "", nil, codes.InvalidArgument},
		{"at the limit", AppendEnvelope(nil, 0, []byte("abcd")), 4, 0, "abcd", nil, codes.OK},
		{"over the limit", AppendEnvelope(nil, 0, []byte("abcde")), 4, 0, "", nil, codes.ResourceExhausted},
		{"huge length, tiny body", []byte{0, 0xff, 0xff, 0xff, 0xff}, 1 << 20, 0, "", nil, codes.ResourceExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			flags, err := ReadEnvelope(bytes.NewReader(tt.in), &buf, tt.max)
			switch {
			case tt.wantErr != nil:
				if err != tt.wantErr {
					t.Fatalf("ReadEnvelope() error = %v, want %v", err, tt.wantErr)
				}
				return
			case tt.wantCode != codes.OK:
				if got := status.Code(err); got != tt.wantCode {
					t.Fatalf("ReadEnvelope() code = %v (%v), want %v", got, err, tt.wantCode)
				}
				return
			case err != nil:
				t.Fatalf("ReadEnvelope() error = %v", err)
			}
			if flags != tt.wantFlags || buf.String() != tt.wantData {
				t.Errorf("ReadEnvelope() = %d %q, want %d %q", flags, buf.String(), tt.wantFlags, tt.wantData)
			}
		})
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func TestDecompress(t *testing.T) {
	bomb := gzipped(t, make([]byte, 10<<20)) // 10 MiB of zeros in about 10 KiB
	tests := []struct {
		name     string
		in       []byte
		max      int64
		want     string
		wantCode codes.Code
	}{
		{"gzip", gzipped(t, []byte("hello")), 0, "hello", codes.OK},
		{"not gzip", []byte("hello"), 0, "", codes.InvalidArgument},
		{"truncated", gzipped(t, []byte("hello"))[:10], 0, "", codes.InvalidArgument},
		{"bomb", bomb, 1 << 20, "", codes.ResourceExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Decompress(&out, tt.in, tt.max)
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("Decompress() code = %v (%v), want %v", got, err, tt.wantCode)
			}
			if err == nil && out.String() != tt.want {
				t.Errorf("Decompress() = %q, want %q", out.String(), tt.want)
			}
			if tt.max > 0 && int64(out.Len()) > tt.max+1 {
				t.Errorf("Decompress() inflated %d bytes, want at most the limit %d", out.Len(), tt.max)
			}
		})
	}
	// Compress and Decompress agree.
	var z, plain bytes.Buffer
	if err := Compress(&z, []byte("round trip")); err != nil {
		t.Fatal(err)
	}
	if err := Decompress(&plain, z.Bytes(), 0); err != nil || plain.String() != "round trip" {
		t.Errorf("Decompress(Compress()) = %q, %v, want %q", plain.String(), err, "round trip")
	}
}

func TestReadAll(t *testing.T) {
	var buf bytes.Buffer
	if err := ReadAll(strings.NewReader("abcd"), &buf, 4); err != nil || buf.String() != "abcd" {
		t.Errorf("ReadAll() = %q, %v, want abcd", buf.String(), err)
	}
	buf.Reset()
	if err := ReadAll(strings.NewReader("abcde"), &buf, 4); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("ReadAll() over the limit error = %v, want ResourceExhausted", err)
	}
	buf.Reset()
	if err := ReadAll(io.MultiReader(strings.NewReader("ab"), errReader{io.ErrUnexpectedEOF}), &buf, 0); status.Code(err) != codes.InvalidArgument {
		t.Errorf("ReadAll() of a cut body error = %v, want InvalidArgument", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestContentSubtype(t *testing.T) {
	tests := []struct {
		ct, prefix string
		want       string
		wantOK     bool
	}{
		{"application/json", "application/", "json", true},
		{"application/JSON; charset=utf-8", "application/", "json", true},
		{"Application/Proto", "application/", "proto", true},
		{"application/connect+proto", "application/connect+", "proto", true},
		{"text/plain", "application/", "", false},
		{"", "application/", "", false},
		{"application/grpc", "application/grpc", "", true},
	}
	for _, tt := range tests {
		got, ok := ContentSubtype(tt.ct, tt.prefix)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ContentSubtype(%q, %q) = %q, %v, want %q, %v", tt.ct, tt.prefix, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAccepts(t *testing.T) {
	tests := []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"br, gzip;q=0.5"}, true},
		{[]string{"identity", " gzip "}, true},
		{[]string{"gzipx, br"}, false},
	}
	for _, tt := range tests {
		if got := Accepts(tt.in); got != tt.want {
			t.Errorf("Accepts(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	kerr := kerrors.NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"user": "u"})
	tests := []struct {
		name     string
		err      error
		wantCode codes.Code
		wantMsg  string
	}{
		{"nil", nil, codes.OK, ""},
		{"kratos", kerr, codes.NotFound, "no such user"},
		// As grpc-go says it: the code of the wrapped status, the text of the whole error.
		{"wrapped kratos", fmt.Errorf("get: %w", kerr), codes.NotFound, "get: " + kerr.Error()},
		{"status", status.Error(codes.Aborted, "x"), codes.Aborted, "x"},
		{"deadline", context.DeadlineExceeded, codes.DeadlineExceeded, "context deadline exceeded"},
		{"canceled", fmt.Errorf("call: %w", context.Canceled), codes.Canceled, "call: context canceled"},
		{"plain", errors.New("boom"), codes.Unknown, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := StatusOf(tt.err)
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Errorf("StatusOf() = %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
		})
	}
	var info *errdetails.ErrorInfo
	for _, d := range StatusOf(kerr).Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info.GetReason() != "USER_NOT_FOUND" || info.GetMetadata()["user"] != "u" {
		t.Errorf("StatusOf(kratos error) ErrorInfo = %v, want reason and metadata", info)
	}
}

func TestCodeNames(t *testing.T) {
	tests := []struct {
		code     codes.Code
		wantName string
		wantHTTP int
	}{
		{codes.Canceled, "canceled", 499},
		{codes.NotFound, "not_found", 404},
		{codes.ResourceExhausted, "resource_exhausted", 429},
		{codes.Unimplemented, "unimplemented", 501},
		{codes.Unauthenticated, "unauthenticated", 401},
		{codes.Code(99), "unknown", 500},
	}
	for _, tt := range tests {
		if got := CodeName(tt.code); got != tt.wantName {
			t.Errorf("CodeName(%v) = %q, want %q", tt.code, got, tt.wantName)
		}
		if got := HTTPStatus(tt.code); got != tt.wantHTTP {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tt.code, got, tt.wantHTTP)
		}
	}
}

func FuzzReadEnvelope(f *testing.F) {
	f.Add(AppendEnvelope(nil, 0, []byte("abc")))
	f.Add([]byte{1, 0, 0, 0, 1})
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		var buf bytes.Buffer
		r := bytes.NewReader(in)
		for {
			_, err := ReadEnvelope(r, &buf, 1<<16)
			if err != nil {
				if err != io.EOF {
					if _, ok := status.FromError(err); !ok {
						t.Fatalf("ReadEnvelope() error %v is not a status error", err)
					}
				}
				return
			}
			if buf.Len() > 1<<16 {
				t.Fatalf("ReadEnvelope() read %d bytes, over the limit", buf.Len())
			}
		}
	})
}
