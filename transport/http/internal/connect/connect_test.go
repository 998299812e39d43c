package connect

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
		{"0", 0, true},
		{"250", 250 * time.Millisecond, true},
		{"9999999999", 9999999999 * time.Millisecond, true},
		{"10000000000", 0, false},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"1s", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseTimeout(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseTimeout(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAccept(t *testing.T) {
	tests := []struct {
		method, ct string
		want       bool
	}{
		{http.MethodPost, "application/json", true},
		{http.MethodPost, "application/connect+proto", true},
		{http.MethodPost, "application/grpc", false},
		{http.MethodPost, "text/plain", false},
		{http.MethodGet, "", true},
		{http.MethodPut, "application/json", false},
	}
	p := newProtocol()
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/pkg.Svc/M", nil)
		r.Header.Set("Content-Type", tt.ct)
		if got := p.Accept(r); got != tt.want {
			t.Errorf("Accept(%s %q) = %v, want %v", tt.method, tt.ct, got, tt.want)
		}
	}
}

// call runs one unary call with body and header through the protocol,
// echoing the request as the reply, and returns the recorded response.
func call(t testing.TB, r *http.Request, spec rpcwire.Spec) *httptest.ResponseRecorder {
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

func TestUnaryGet(t *testing.T) {
	get := rpcwire.Spec{Procedure: "/pkg.Svc/M", StreamType: rpcwire.Unary, NoSideEffects: true}
	tests := []struct {
		name       string
		query      string
		spec       rpcwire.Spec
		wantStatus int
		wantBody   string
	}{
		{"json", "encoding=json&message=%22hi%22&connect=v1", get, 200, `"hi"`},
		{"base64 proto", "encoding=proto&base64=1&message=CgJoaQ", get, 200, "\n\x02hi"},
		{"base64 padded", "encoding=proto&base64=1&message=CgJoaQ%3D%3D", get, 200, "\n\x02hi"},
		{"no encoding", "message=%22hi%22", get, 400, ""},
		{"bad base64", "encoding=proto&base64=1&message=***", get, 400, ""},
		{"bad connect version", "encoding=json&message=%22hi%22&connect=v2", get, 400, ""},
		{"bad compression", "encoding=json&message=%22hi%22&compression=br", get, 501, ""},
		{"side effects", "encoding=json&message=%22hi%22", unarySpec, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := call(t, httptest.NewRequest(http.MethodGet, "/pkg.Svc/M?"+tt.query, nil), tt.spec)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d (%s), want %d", w.Code, w.Body, tt.wantStatus)
			}
			if tt.wantBody != "" && w.Body.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", w.Body, tt.wantBody)
			}
		})
	}
}

func TestUnaryErrorJSON(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/M", strings.NewReader(`"x"`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	st, _ := newProtocol().NewStream(w, r, unarySpec)
	st.Trailer().Set("X-T", "v")
	st.Close(status.Error(codes.AlreadyExists, "exists"))
	if w.Code != 409 || w.Header().Get("Trailer-X-T") != "v" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("error reply = %d %v, want 409 with Trailer-X-T", w.Code, w.Header())
	}
	var e wireError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != "already_exists" || e.Message != "exists" {
		t.Errorf("error body = %s (%v), want already_exists", w.Body, err)
	}
}

func TestStreamEnd(t *testing.T) {
	body := rpcwire.AppendEnvelope(nil, 0, []byte(`"a"`))
	r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/S", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/connect+json")
	w := httptest.NewRecorder()
	st, err := newProtocol().NewStream(w, r, rpcwire.Spec{Procedure: "/pkg.Svc/S", StreamType: rpcwire.BidiStream})
	if err != nil {
		t.Fatal(err)
	}
	m := new(wrapperspb.StringValue)
	if err := st.Receive(m); err != nil || m.GetValue() != "a" {
		t.Fatalf("Receive() = %v, %v", m, err)
	}
	if err := st.Receive(m); !errors.Is(err, io.EOF) {
		t.Fatalf("Receive() at the end = %v, want io.EOF", err)
	}
	if err := st.Send(m); err != nil {
		t.Fatal(err)
	}
	st.Trailer().Set("X-T", "v")
	st.Close(nil)
	var flags []byte
	var last []byte
	out := bytes.NewReader(w.Body.Bytes())
	for {
		var buf bytes.Buffer
		f, err := rpcwire.ReadEnvelope(out, &buf, 0)
		if err != nil {
			break
		}
		flags, last = append(flags, f), buf.Bytes()
	}
	if !bytes.Equal(flags, []byte{0, rpcwire.FlagConnectEndStream}) || string(last) != `{"metadata":{"X-T":["v"]}}` {
		t.Errorf("frames = %v, end of stream %s", flags, last)
	}
}

// FuzzUnary sends hostile bodies and headers: the protocol must answer
// each with a reply or a Connect error, never panic.
func FuzzUnary(f *testing.F) {
	f.Add("application/json", "", []byte(`"hi"`))
	f.Add("application/proto", "gzip", []byte{0x1f, 0x8b})
	f.Add("application/connect+proto", "", rpcwire.AppendEnvelope(nil, 1, []byte("x")))
	f.Add("application/json", "", []byte(`{"value":`))
	f.Fuzz(func(t *testing.T, ct, enc string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/M", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Content-Encoding", enc)
		r.Header.Set("Connect-Content-Encoding", enc)
		for _, spec := range []rpcwire.Spec{unarySpec, {Procedure: "/pkg.Svc/S", StreamType: rpcwire.ClientStream}} {
			w := call(t, r, spec)
			if w.Code == 0 {
				t.Fatalf("no reply for %q %q %q", ct, enc, body)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
	})
}
