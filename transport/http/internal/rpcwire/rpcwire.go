package rpcwire

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/seed6ad8aa6b/kratos/encoding"
)

// StreamType says how many messages each side of a method sends.
type StreamType uint8

// The stream types.
const (
	Unary        StreamType = iota // one request, one reply
	ClientStream                   // many requests, one reply
	ServerStream                   // one request, many replies
	BidiStream                     // many requests, many replies
)

// IsClientStream reports whether the client sends many messages.
func (t StreamType) IsClientStream() bool { return t == ClientStream || t == BidiStream }

// IsServerStream reports whether the server sends many messages.
func (t StreamType) IsServerStream() bool { return t == ServerStream || t == BidiStream }

// Spec describes the method a call is for.
type Spec struct {
	// Procedure is the full method name, "/pkg.Service/Method".
	Procedure string
	// StreamType is the method's stream type.
	StreamType StreamType
	// NoSideEffects is set for methods marked with the idempotency level
	// NO_SIDE_EFFECTS, which Connect lets clients call with GET.
	NoSideEffects bool
}

// Config is what every protocol needs from the server.
type Config struct {
	// MaxMessage bounds the size of one request message, after
	// decompression, in bytes (for a unary Connect call, of the body).
	// Zero or less means no bound.
	MaxMessage int64
	// Codec returns the codec registered under name ("proto", "json"), or
	// nil.
	Codec func(name string) encoding.Codec
}

// Protocol is one wire protocol on the HTTP port.
type Protocol interface {
	// Accept reports whether the request, by its method and Content-Type,
	// is one of this protocol's.
	Accept(r *http.Request) bool
	// NewStream starts serving a call of spec. It always returns a
	// Stream; a non-nil error (a status error, see Errorf) says the
	// request cannot be served, and the caller ends the stream with it.
	NewStream(w http.ResponseWriter, r *http.Request, spec Spec) (Stream, error)
}

// Stream is the server side of one call. It is not safe for concurrent
// use, except that Receive and Send may run at the same time.
type Stream interface {
	// Timeout returns the time the caller has left, when it sent one.
	Timeout() (time.Duration, bool)
	// Receive decodes the next request message into m. It returns io.EOF
	// after the last one, and a status error when the request is bad.
	Receive(m any) error
	// Header is the response header; changes after the header is sent
	// (by SendHeader, the first Send or Close) are ignored.
	Header() http.Header
	// Trailer is the response trailer, sent by Close (for a unary
	// Connect call, with the reply).
	Trailer() http.Header
	// SendHeader sends the response header now, for streaming replies.
	SendHeader() error
	// Send encodes and sends a reply message.
	Send(m any) error
	// Close ends the call: with err nil successfully, else with err's
	// status (see StatusOf). It must be called once, last.
	Close(err error)
}

// HTTPError is an error a protocol answers with a bare HTTP status rather
// than in its own framing: a request that is not a call of the protocol
// at all (an unsupported media type, a method not allowed).
type HTTPError struct {
	Status int
	// Header is added to the response's header.
	Header http.Header
	Msg    string
}

func (e *HTTPError) Error() string { return e.Msg }

// WriteHTTPError writes e as a bare HTTP response.
func WriteHTTPError(w http.ResponseWriter, e *HTTPError) {
	for k, vs := range e.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(e.Status)
	_, _ = io.WriteString(w, e.Msg)
}

// ContentSubtype returns what follows prefix in the Content-Type ct, up
// to a parameter, lower-cased and trimmed ("json" for
// "application/json; charset=utf-8" and prefix "application/"), and false
// when ct does not start with prefix.
func ContentSubtype(ct, prefix string) (string, bool) {
	if len(ct) < len(prefix) || !strings.EqualFold(ct[:len(prefix)], prefix) {
		return "", false
	}
	s := ct[len(prefix):]
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s), true
		}
	}
	return s, true
}
