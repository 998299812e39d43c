// Package connect is the Connect protocol on the server side: unary calls
// as plain HTTP requests (POST with application/proto or application/json,
// or GET for methods without side effects), streaming calls as enveloped
// messages (application/connect+proto, application/connect+json) ending
// with an end-of-stream message that carries the error and the trailers.
package connect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	stderrors "errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/rpcwire"
)

// The protocol's header names and values.
const (
	headerTimeout            = "Connect-Timeout-Ms"
	headerProtocolVersion    = "Connect-Protocol-Version"
	headerStreamEncoding     = "Connect-Content-Encoding"
	headerStreamAccept       = "Connect-Accept-Encoding"
	trailerPrefix            = "Trailer-"
	protocolVersion          = "1"
	unaryPrefix              = "application/"
	streamPrefix             = "application/connect+"
	compressMinBytes         = 1024
	maxTimeoutDigits         = 10
	queryEncoding            = "encoding"
	queryMessage             = "message"
	queryBase64              = "base64"
	queryCompression         = "compression"
	queryConnect             = "connect"
	queryConnectValue        = "v1"
	contentTypeJSON          = "application/json"
	contentTypeJSONCharset   = "application/json; charset=utf-8"
	acceptPostUnary          = "application/json, application/proto"
	acceptPostStream         = "application/connect+json, application/connect+proto"
	reasonUnsupportedMediaTy = "unsupported media type"
)

// Protocol is the Connect protocol.
type Protocol struct {
	cfg rpcwire.Config
}

// New returns the Connect protocol with cfg.
func New(cfg rpcwire.Config) *Protocol { return &Protocol{cfg: cfg} }

// Accept reports whether r is a Connect request: a GET, or a POST whose
// Content-Type is application/ and not one of gRPC's.
func (p *Protocol) Accept(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet:
		return true
	case http.MethodPost:
		ct := r.Header.Get("Content-Type")
		_, ok := rpcwire.ContentSubtype(ct, unaryPrefix)
		return ok && !strings.HasPrefix(ct, "application/grpc")
	}
	return false
}

// stream is a Connect call.
type stream struct {
	p         *Protocol
	w         http.ResponseWriter
	r         *http.Request
	spec      rpcwire.Spec
	streaming bool
	codec     encoding.Codec
	codecName string
	gzipIn    bool // the request is compressed
	gzipOut   bool // replies may be compressed
	timeout   time.Duration
	hasTO     bool
	get       []byte // the message of a GET request
	isGet     bool
	received  bool
	sentHead  bool
	sent      bool
	closed    bool
	trailer   http.Header
	in, plain *bytes.Buffer
}

// NewStream starts a Connect call.
func (p *Protocol) NewStream(w http.ResponseWriter, r *http.Request, spec rpcwire.Spec) (rpcwire.Stream, error) {
	s := &stream{p: p, w: w, r: r, spec: spec}
	return s, s.init()
}

func (s *stream) init() error {
	h := s.r.Header
	if vs := h[headerTimeout]; len(vs) > 0 {
		d, ok := parseTimeout(vs[0])
		if !ok {
			return rpcwire.Errorf(codes.InvalidArgument, "malformed %s header %q", headerTimeout, vs[0])
		}
		s.timeout, s.hasTO = d, true
	}
	if s.r.Method == http.MethodGet {
		return s.initGet()
	}
	ct := h.Get("Content-Type")
	if sub, ok := rpcwire.ContentSubtype(ct, streamPrefix); ok {
		s.streaming, s.codecName = true, sub
	} else {
		s.codecName, _ = rpcwire.ContentSubtype(ct, unaryPrefix)
	}
	if s.streaming != (s.spec.StreamType != rpcwire.Unary) || !s.setCodec() {
		accept := acceptPostUnary
		if s.spec.StreamType != rpcwire.Unary {
			accept = acceptPostStream
		}
		return &rpcwire.HTTPError{
			Status: http.StatusUnsupportedMediaType,
			Header: http.Header{"Accept-Post": {accept}},
			Msg:    reasonUnsupportedMediaTy,
		}
	}
	if v := h.Get(headerProtocolVersion); v != "" && v != protocolVersion {
		return rpcwire.Errorf(codes.InvalidArgument, "%s must be %q: got %q", headerProtocolVersion, protocolVersion, v)
	}
	encHeader, acceptHeader := "Content-Encoding", "Accept-Encoding"
	if s.streaming {
		encHeader, acceptHeader = headerStreamEncoding, headerStreamAccept
	}
	if err := s.setCompression(h.Get(encHeader)); err != nil {
		return err
	}
	s.gzipOut = rpcwire.Accepts(h[acceptHeader])
	return nil
}

// initGet reads the query of a GET call.
func (s *stream) initGet() error {
	s.isGet = true
	if s.spec.StreamType != rpcwire.Unary || !s.spec.NoSideEffects {
		return &rpcwire.HTTPError{
			Status: http.StatusMethodNotAllowed,
			Header: http.Header{"Allow": {http.MethodPost}},
			Msg:    "method not allowed",
		}
	}
	q := s.r.URL.Query()
	if v, ok := q[queryConnect]; ok && (len(v) != 1 || v[0] != queryConnectValue) {
		return rpcwire.Errorf(codes.InvalidArgument, "query parameter %q must be %q", queryConnect, queryConnectValue)
	}
	s.codecName = q.Get(queryEncoding)
	if !s.setCodec() {
		return rpcwire.Errorf(codes.InvalidArgument, "query parameter %q: unsupported codec %q", queryEncoding, s.codecName)
	}
	msg := q.Get(queryMessage)
	if q.Get(queryBase64) == "1" {
		msg = strings.TrimRight(msg, "=")
		b, err := base64.RawURLEncoding.DecodeString(msg)
		if err != nil {
			return rpcwire.Errorf(codes.InvalidArgument, "query parameter %q: bad base64: %v", queryMessage, err)
		}
		s.get = b
	} else {
		s.get = []byte(msg)
	}
	if err := s.setCompression(q.Get(queryCompression)); err != nil {
		return err
	}
	s.gzipOut = rpcwire.Accepts(s.r.Header["Accept-Encoding"])
	return nil
}

// setCodec sets the codec named by s.codecName, reporting false when it
// is not one the protocol serves.
func (s *stream) setCodec() bool {
	if s.codecName != "proto" && s.codecName != "json" {
		return false
	}
	s.codec = s.p.cfg.Codec(s.codecName)
	return s.codec != nil
}

func (s *stream) setCompression(name string) error {
	if !rpcwire.SupportedCompression(name) {
		return rpcwire.Errorf(codes.Unimplemented, "unknown compression %q: supported encodings are %s", name, rpcwire.AcceptCompression)
	}
	s.gzipIn = name == rpcwire.Gzip
	return nil
}

// parseTimeout parses a Connect-Timeout-Ms value: 1 to 10 ASCII digits.
func parseTimeout(v string) (time.Duration, bool) {
	if v == "" || len(v) > maxTimeoutDigits {
		return 0, false
	}
	var ms int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		ms = ms*10 + int64(c-'0')
	}
	return time.Duration(ms) * time.Millisecond, true
}

func (s *stream) Timeout() (time.Duration, bool) { return s.timeout, s.hasTO }

func (s *stream) Header() http.Header { return s.w.Header() }

func (s *stream) Trailer() http.Header {
	if s.trailer == nil {
		s.trailer = make(http.Header)
	}
	return s.trailer
}

func (s *stream) Receive(m any) error {
	if !s.streaming {
		if s.received {
			return io.EOF
		}
		s.received = true
		if s.isGet {
			return s.decode(s.get, s.gzipIn, m)
		}
		if s.in == nil {
			s.in = rpcwire.GetBuffer()
		}
		max := s.p.cfg.MaxMessage
		if err := rpcwire.ReadAll(s.r.Body, s.in, max); err != nil {
			return err
		}
		return s.decode(s.in.Bytes(), s.gzipIn, m)
	}
	if s.in == nil {
		s.in = rpcwire.GetBuffer()
	}
	one := !s.spec.StreamType.IsClientStream()
	if one && s.received {
		return io.EOF
	}
	flags, err := s.readEnvelope(s.in)
	if err == io.EOF && one {
		return rpcwire.Errorf(codes.Unimplemented, "protocol error: no request message for a method with one")
	}
	if err != nil {
		return err
	}
	s.received = true
	if err := s.decode(s.in.Bytes(), flags&rpcwire.FlagCompressed != 0, m); err != nil {
		return err
	}
	if one {
		// The one request must be followed by the end of the body.
		var extra bytes.Buffer
		if _, err := s.readEnvelope(&extra); err != io.EOF {
			if err == nil {
				err = rpcwire.Errorf(codes.Unimplemented, "protocol error: more than one request message for a method with one")
			}
			return err
		}
	}
	return nil
}

// readEnvelope reads the next envelope of a streaming request into buf
// and checks its flags.
func (s *stream) readEnvelope(buf *bytes.Buffer) (byte, error) {
	flags, err := rpcwire.ReadEnvelope(s.r.Body, buf, s.p.cfg.MaxMessage)
	if err != nil {
		return 0, err
	}
	switch {
	case flags&^rpcwire.FlagCompressed != 0:
		return 0, rpcwire.Errorf(codes.InvalidArgument, "protocol error: invalid envelope flags %#x", flags)
	case flags&rpcwire.FlagCompressed != 0 && !s.gzipIn:
		return 0, rpcwire.Errorf(codes.Internal, "protocol error: compressed message without %s", headerStreamEncoding)
	}
	return flags, nil
}

// WriteUnknown answers a request for a method that is not registered when
// it is a Connect request (it has a Connect-Protocol-Version header or a
// streaming Content-Type): with 404 and the Connect error unimplemented,
// which Connect clients read. It reports whether it did.
func (p *Protocol) WriteUnknown(w http.ResponseWriter, r *http.Request) bool {
	_, streaming := rpcwire.ContentSubtype(r.Header.Get("Content-Type"), streamPrefix)
	if !streaming && r.Header.Get(headerProtocolVersion) == "" {
		return false
	}
	b, _ := json.Marshal(&wireError{Code: rpcwire.CodeName(codes.Unimplemented), Message: r.URL.Path + " is not implemented"})
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(b)
	return true
}

func (s *stream) decode(data []byte, compressed bool, m any) error {
	if compressed {
		if s.plain == nil {
			s.plain = rpcwire.GetBuffer()
		}
		if err := rpcwire.Decompress(s.plain, data, s.p.cfg.MaxMessage); err != nil {
			return err
		}
		data = s.plain.Bytes()
	}
	return rpcwire.Unmarshal(s.codec, data, m)
}

// contentType returns the Content-Type of the replies.
func (s *stream) contentType() string {
	switch {
	case s.streaming:
		return streamPrefix + s.codecName
	case s.codecName == "json":
		return contentTypeJSON
	case s.codecName == "proto":
		return "application/proto"
	}
	return unaryPrefix + s.codecName
}

func (s *stream) SendHeader() error {
	if s.sentHead || !s.streaming {
		return nil
	}
	s.writeStreamHeader()
	return nil
}

func (s *stream) writeStreamHeader() {
	s.sentHead = true
	h := s.w.Header()
	h["Content-Type"] = []string{s.contentType()}
	if s.gzipOut {
		h[headerStreamEncoding] = []string{rpcwire.Gzip}
	}
	h[headerStreamAccept] = []string{rpcwire.AcceptCompression}
	s.w.WriteHeader(http.StatusOK)
	flush(s.w)
}

func (s *stream) Send(m any) error {
	out := rpcwire.GetBuffer()
	defer rpcwire.PutBuffer(out)
	if err := rpcwire.Marshal(s.codec, out, m); err != nil {
		return err
	}
	if !s.streaming {
		return s.sendUnary(out)
	}
	if !s.sentHead {
		s.writeStreamHeader()
	}
	var flags byte
	payload := out.Bytes()
	if s.gzipOut && len(payload) >= compressMinBytes {
		z := rpcwire.GetBuffer()
		defer rpcwire.PutBuffer(z)
		if err := rpcwire.Compress(z, payload); err != nil {
			return rpcwire.Errorf(codes.Internal, "compress reply: %v", err)
		}
		flags, payload = rpcwire.FlagCompressed, z.Bytes()
	}
	frame := rpcwire.GetBuffer()
	defer rpcwire.PutBuffer(frame)
	frame.Write(rpcwire.AppendEnvelope(frame.AvailableBuffer(), flags, payload))
	if _, err := s.w.Write(frame.Bytes()); err != nil {
		return rpcwire.Errorf(codes.Canceled, "write reply: %v", err)
	}
	flush(s.w)
	return nil
}

// sendUnary writes the reply of a unary call, with the trailers as
// Trailer- headers.
func (s *stream) sendUnary(out *bytes.Buffer) error {
	if s.sent {
		return rpcwire.Errorf(codes.Internal, "a unary call sends one reply")
	}
	s.sent = true
	h := s.w.Header()
	body := out.Bytes()
	if s.gzipOut && len(body) >= compressMinBytes {
		z := rpcwire.GetBuffer()
		defer rpcwire.PutBuffer(z)
		if err := rpcwire.Compress(z, body); err == nil {
			body = z.Bytes()
			h["Content-Encoding"] = []string{rpcwire.Gzip}
		}
	}
	h["Content-Type"] = []string{s.contentType()}
	h["Accept-Encoding"] = []string{rpcwire.AcceptCompression}
	if s.isGet {
		h["Vary"] = append(h["Vary"], "Accept-Encoding")
	}
	s.addTrailers(h)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	s.w.WriteHeader(http.StatusOK)
	_, err := s.w.Write(body)
	if err != nil {
		return rpcwire.Errorf(codes.Canceled, "write reply: %v", err)
	}
	return nil
}

// addTrailers adds the trailers to h as Trailer- headers.
func (s *stream) addTrailers(h http.Header) {
	for k, vs := range s.trailer {
		k = trailerPrefix + k
		h[k] = append(h[k], vs...)
	}
}

func (s *stream) Close(err error) {
	if s.closed {
		return
	}
	s.closed = true
	defer s.release()
	var he *rpcwire.HTTPError
	if stderrors.As(err, &he) && !s.sentHead && !s.sent {
		rpcwire.WriteHTTPError(s.w, he)
		return
	}
	if !s.streaming {
		if err == nil && !s.sent {
			err = rpcwire.Errorf(codes.Internal, "the handler returned no reply")
		}
		if err != nil && !s.sent {
			s.writeUnaryError(err)
		}
		return
	}
	if !s.sentHead {
		s.writeStreamHeader()
	}
	end := endStream{Metadata: s.trailer}
	if err != nil {
		end.Error = wireErrorOf(rpcwire.StatusOf(err))
	}
	b, merr := json.Marshal(&end)
	if merr != nil {
		b = []byte(`{"error":{"code":"internal","message":"marshal end of stream"}}`)
	}
	frame := rpcwire.AppendEnvelope(make([]byte, 0, len(b)+rpcwire.EnvelopeHeaderLen), rpcwire.FlagConnectEndStream, b)
	_, _ = s.w.Write(frame)
	flush(s.w)
}

func (s *stream) release() {
	rpcwire.PutBuffer(s.in)
	rpcwire.PutBuffer(s.plain)
	s.in, s.plain = nil, nil
}

// writeUnaryError writes err as the Connect error of a unary call.
func (s *stream) writeUnaryError(err error) {
	st := rpcwire.StatusOf(err)
	b, merr := json.Marshal(wireErrorOf(st))
	if merr != nil {
		b = []byte(`{"code":"internal","message":"marshal error"}`)
	}
	h := s.w.Header()
	delete(h, "Content-Encoding")
	h["Content-Type"] = []string{contentTypeJSON}
	h["Accept-Encoding"] = []string{rpcwire.AcceptCompression}
	s.addTrailers(h)
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	s.w.WriteHeader(rpcwire.HTTPStatus(st.Code()))
	_, _ = s.w.Write(b)
}

// wireError is the JSON of a Connect error.
type wireError struct {
	Code    string       `json:"code"`
	Message string       `json:"message,omitempty"`
	Details []wireDetail `json:"details,omitempty"`
}

// wireDetail is an error detail: the message's full type name and its
// protobuf encoding in base64 without padding.
type wireDetail struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// endStream is the JSON of the end-of-stream message.
type endStream struct {
	Error    *wireError  `json:"error,omitempty"`
	Metadata http.Header `json:"metadata,omitempty"`
}

func wireErrorOf(st *status.Status) *wireError {
	e := &wireError{Code: rpcwire.CodeName(st.Code()), Message: st.Message()}
	if st.Code() == codes.OK {
		e.Code = rpcwire.CodeName(codes.Unknown)
	}
	for _, d := range st.Proto().GetDetails() {
		name := d.GetTypeUrl()
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		e.Details = append(e.Details, wireDetail{Type: name, Value: base64.RawStdEncoding.EncodeToString(d.GetValue())})
	}
	return e
}

func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}
