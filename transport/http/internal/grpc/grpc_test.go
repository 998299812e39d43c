package grpc

import (
	"bytes"
	"encoding/base64"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/rpcwire"
)

func newProtocol() *Protocol {
	return New(rpcwire.Config{MaxMessage: 1 << 10, Codec: encoding.GetCodec})
}

var unarySpec = rpcwire.Spec{Procedure: "/pkg.Svc/M", StreamType: rpcwire.Unary}

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"1S", time.Second, true},
		{"250m", 250 * time.Millisecond, true},
		{"99999999H", math.MaxInt64, true},
		{"5n", 5, true},
		{"3u", 3 * time.Microsecond, true},
		{"2M", 2 * time.Minute, true},
		{"123456789S", 0, false},
		{"S", 0, false},
		{"10x", 0, false},
		{"-1S", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseTimeout(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseTimeout(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestEncodeMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"100%", "100%25"},
		{"a\nb", "a%0Ab"},
		{"☺", "%E2%98%BA"},
	}
	for _, tt := range tests {
		if got := encodeMessage(tt.in); got != tt.want {
			t.Errorf("encodeMessage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextReader(t *testing.T) {
	msg := rpcwire.AppendEnvelope(nil, 0, []byte("hello"))
	// Two chunks, each padded, as clients may send them.
	chunked := base64.StdEncoding.EncodeToString(msg[:4]) + base64.StdEncoding.EncodeToString(msg[4:])
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantErr bool
	}{
		{"one chunk", base64.StdEncoding.EncodeToString(msg), msg, false},
		{"padded chunks", chunked, msg, false},
		{"line breaks", base64.StdEncoding.EncodeToString(msg)[:4] + "\r\n" + base64.StdEncoding.EncodeToString(msg)[4:], msg, false},
		{"bad character", "ab*d", nil, true},
		{"truncated", "abc", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := io.ReadAll(&textReader{r: strings.NewReader(tt.in)})
			if (err != nil) != tt.wantErr {
				t.Fatalf("read = %q, %v, want error %v", got, err, tt.wantErr)
			}
			if !tt.wantErr && !bytes.Equal(got, tt.want) {
				t.Errorf("read = %q, want %q", got, tt.want)
			}
		})
	}
}

func call(r *http.Request, spec rpcwire.Spec) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	st, err := newProtocol().NewStream(w, r, spec)
	if err == nil {
		m := new(wrapperspb.StringValue)
		if err = st.Receive(m); err == nil {
			err = st.Send(m)
		}
	}
	st.Close(err)
	return w
}

func TestUnary(t *testing.T) {
	msg, _ := proto.Marshal(wrapperspb.String("hi"))
	one := rpcwire.AppendEnvelope(nil, 0, msg)
	tests := []struct {
		name     string
		ct       string
		body     []byte
		wantCode codes.Code
	}{
		{"grpc", "application/grpc", one, codes.OK},
		{"grpc-web", "application/grpc-web+proto", one, codes.OK},
		{"no message", "application/grpc", nil, codes.Unimplemented},
		{"two messages", "application/grpc", append(append([]byte{}, one...), one...), codes.Unimplemented},
		{"compressed without encoding", "application/grpc", rpcwire.AppendEnvelope(nil, 1, msg), codes.Internal},
		{"bad flags", "application/grpc", rpcwire.AppendEnvelope(nil, 4, msg), codes.Internal},
		{"over the limit", "application/grpc", rpcwire.AppendEnvelope(nil, 0, make([]byte, 2<<10)), codes.ResourceExhausted},
		{"bad message", "application/grpc", rpcwire.AppendEnvelope(nil, 0, []byte{0xff}), codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/M", bytes.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ct)
			w := call(r, unarySpec)
			got := w.Header().Get("Grpc-Status")
			if got == "" {
				got = w.Result().Trailer.Get("Grpc-Status")
			}
			if got == "" && strings.HasPrefix(tt.ct, "application/grpc-web") {
				// The status is in the trailers frame.
				if i := bytes.Index(w.Body.Bytes(), []byte("grpc-status: ")); i >= 0 {
					got = strings.TrimSpace(strings.SplitN(string(w.Body.Bytes()[i+len("grpc-status: "):]), "\r\n", 2)[0])
				}
			}
			if want := codeString(tt.wantCode); got != want {
				t.Errorf("grpc-status = %q, want %q (%v)", got, want, tt.wantCode)
			}
		})
	}
}

func codeString(c codes.Code) string { return strconv.Itoa(int(c)) }

// FuzzStream sends hostile bodies: the protocol must end each call with a
// status, never panic.
func FuzzStream(f *testing.F) {
	msg, _ := proto.Marshal(wrapperspb.String("hi"))
	f.Add("application/grpc", "", rpcwire.AppendEnvelope(nil, 0, msg))
	f.Add("application/grpc-web-text", "gzip", []byte("AAAAAAA="))
	f.Add("application/grpc+json", "gzip", rpcwire.AppendEnvelope(nil, 1, []byte{0x1f, 0x8b}))
	f.Fuzz(func(t *testing.T, ct, enc string, body []byte) {
		for _, spec := range []rpcwire.Spec{unarySpec, {Procedure: "/pkg.Svc/S", StreamType: rpcwire.BidiStream}} {
			r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/M", bytes.NewReader(body))
			r.Header.Set("Content-Type", ct)
			r.Header.Set("Grpc-Encoding", enc)
			w := call(r, spec)
			if w.Code == 0 {
				t.Fatalf("no reply for %q %q %q", ct, enc, body)
			}
		}
	})
}
