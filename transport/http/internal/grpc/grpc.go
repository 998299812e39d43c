// Package grpc is the gRPC and gRPC-Web protocols on the server side.
//
// Both frame messages the same way (five-byte envelopes) and end a call
// with the same trailers (grpc-status, grpc-message,
// grpc-status-details-bin); gRPC sends them as HTTP/2 trailers, gRPC-Web
// in a last frame of the body (flag 0x80), so it works over HTTP/1.1, and
// its "-text" variant base64-encodes the body for clients that cannot
// read binary. The one Protocol serves application/grpc[+codec],
// application/grpc-web[+codec] and application/grpc-web-text[+codec].
package grpc

import (
	"bytes"
	"encoding/base64"
	stderrors "errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/rpcwire"
)

// The protocols' header names.
const (
	headerTimeout        = "Grpc-Timeout"
	headerEncoding       = "Grpc-Encoding"
	headerAcceptEncoding = "Grpc-Accept-Encoding"
	headerStatus         = "Grpc-Status"
	headerMessage        = "Grpc-Message"
	headerDetails        = "Grpc-Status-Details-Bin"

	prefixGRPC = "application/grpc"
	// compressMinBytes is the size from which replies are compressed
	// when the client accepts gzip: smaller ones gain nothing.
	compressMinBytes = 1024
	prefixWeb        = "application/grpc-web"
	prefixWebText    = "application/grpc-web-text"
)

// Protocol is the gRPC and gRPC-Web protocols.
type Protocol struct {
	cfg rpcwire.Config
}

// New returns the protocols with cfg.
func New(cfg rpcwire.Config) *Protocol { return &Protocol{cfg: cfg} }

// Accept reports whether r is a POST whose Content-Type is gRPC's or
// gRPC-Web's.
func (p *Protocol) Accept(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	_, ok := rpcwire.ContentSubtype(r.Header.Get("Content-Type"), prefixGRPC)
	return ok
}

type stream struct {
	p         *Protocol
	w         http.ResponseWriter
	r         *http.Request
	spec      rpcwire.Spec
	web, text bool
	ct        string // the Content-Type of the request, for the reply
	codec     encoding.Codec
	gzipIn    bool
	gzipOut   bool
	timeout   time.Duration
	hasTO     bool
	body      io.Reader
	received  int
	sentHead  bool
	closed    bool
	trailer   http.Header
	in, plain *bytes.Buffer
}

// NewStream starts a gRPC or gRPC-Web call.
func (p *Protocol) NewStream(w http.ResponseWriter, r *http.Request, spec rpcwire.Spec) (rpcwire.Stream, error) {
	s := &stream{p: p, w: w, r: r, spec: spec, body: r.Body}
	return s, s.init()
}

func (s *stream) init() error {
	h := s.r.Header
	ct := h.Get("Content-Type")
	sub, _ := rpcwire.ContentSubtype(ct, prefixGRPC)
	switch {
	case strings.HasPrefix(sub, "-web-text"):
		s.web, s.text, sub = true, true, sub[len("-web-text"):]
	case strings.HasPrefix(sub, "-web"):
		s.web, sub = true, sub[len("-web"):]
	}
	switch sub {
	case "", "+proto":
		sub = "proto"
	case "+json":
		sub = "json"
	default:
		sub = ""
	}
	if sub != "" {
		s.codec = s.p.cfg.Codec(sub)
	}
	if s.codec == nil {
		return &rpcwire.HTTPError{
			Status: http.StatusUnsupportedMediaType,
			Header: http.Header{"Accept-Post": {"application/grpc, application/grpc+proto, application/grpc+json, application/grpc-web, application/grpc-web+proto, application/grpc-web+json, application/grpc-web-text"}},
			Msg:    "unsupported media type",
		}
	}
	s.ct = prefixGRPC
	if s.web {
		s.ct = prefixWeb
		if s.text {
			s.ct = prefixWebText
		}
	}
	if sub != "proto" || ct != s.ct {
		s.ct += "+" + sub
	}
	if s.text {
		s.body = &textReader{r: s.r.Body}
	}
	if vs := h[headerTimeout]; len(vs) > 0 {
		d, ok := parseTimeout(vs[0])
		if !ok {
			return rpcwire.Errorf(codes.InvalidArgument, "malformed %s header %q", headerTimeout, vs[0])
		}
		s.timeout, s.hasTO = d, true
	}
	enc := h.Get(headerEncoding)
	if !rpcwire.SupportedCompression(enc) {
		return rpcwire.Errorf(codes.Unimplemented, "unknown compression %q: supported encodings are %s", enc, rpcwire.AcceptCompression)
	}
	s.gzipIn = enc == rpcwire.Gzip
	s.gzipOut = s.gzipIn || rpcwire.Accepts(h[headerAcceptEncoding])
	return nil
}

// parseTimeout parses a grpc-timeout value: 1 to 8 ASCII digits and a
// unit (H, M, S, m, u, n).
func parseTimeout(v string) (time.Duration, bool) {
	if len(v) < 2 || len(v) > 9 {
		return 0, false
	}
	var unit time.Duration
	switch v[len(v)-1] {
	case 'H':
		unit = time.Hour
	case 'M':
		unit = time.Minute
	case 'S':
		unit = time.Second
	case 'm':
		unit = time.Millisecond
	case 'u':
		unit = time.Microsecond
	case 'n':
		unit = time.Nanosecond
	default:
		return 0, false
	}
	var n int64
	for i := 0; i < len(v)-1; i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n > int64(math.MaxInt64/unit) {
		return math.MaxInt64, true
	}
	return time.Duration(n) * unit, true
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
	if s.in == nil {
		s.in = rpcwire.GetBuffer()
	}
	if !s.spec.StreamType.IsClientStream() && s.received > 0 {
		return io.EOF
	}
	flags, err := s.read()
	if err == io.EOF && !s.spec.StreamType.IsClientStream() {
		return rpcwire.Errorf(codes.Unimplemented, "protocol error: no request message for a unary method")
	}
	if err != nil {
		return err
	}
	s.received++
	data := s.in.Bytes()
	if flags&rpcwire.FlagCompressed != 0 {
		if s.plain == nil {
			s.plain = rpcwire.GetBuffer()
		}
		if err := rpcwire.Decompress(s.plain, data, s.p.cfg.MaxMessage); err != nil {
			return err
		}
		data = s.plain.Bytes()
	}
	if err := rpcwire.Unmarshal(s.codec, data, m); err != nil {
		return err
	}
	if !s.spec.StreamType.IsClientStream() {
		// A unary request is one message and the end of the body.
		var extra bytes.Buffer
		if _, err := s.read0(&extra); err != io.EOF {
			if err == nil {
				err = rpcwire.Errorf(codes.Unimplemented, "protocol error: more than one request message for a unary method")
			}
			return err
		}
	}
	return nil
}

// read reads the next envelope into s.in and checks its flags.
func (s *stream) read() (byte, error) { return s.read0(s.in) }

func (s *stream) read0(buf *bytes.Buffer) (byte, error) {
	flags, err := rpcwire.ReadEnvelope(s.body, buf, s.p.cfg.MaxMessage)
	if err != nil {
		return 0, err
	}
	switch {
	case flags&^rpcwire.FlagCompressed != 0:
		return 0, rpcwire.Errorf(codes.Internal, "protocol error: invalid message flags %#x", flags)
	case flags&rpcwire.FlagCompressed != 0 && !s.gzipIn:
		return 0, rpcwire.Errorf(codes.Internal, "protocol error: compressed message without %s", headerEncoding)
	}
	return flags, nil
}

func (s *stream) SendHeader() error {
	if !s.sentHead {
		s.writeHeader()
	}
	return nil
}

func (s *stream) writeHeader() {
	s.sentHead = true
	s.setHeader(s.w.Header())
	s.w.WriteHeader(http.StatusOK)
	flush(s.w)
}

// setHeader sets the protocol's response headers in h.
func (s *stream) setHeader(h http.Header) {
	h["Content-Type"] = []string{s.ct}
	if s.gzipOut {
		h[headerEncoding] = []string{rpcwire.Gzip}
	}
	h[headerAcceptEncoding] = []string{rpcwire.AcceptCompression}
}

func (s *stream) Send(m any) error {
	if !s.sentHead {
		s.writeHeader()
	}
	out := rpcwire.GetBuffer()
	defer rpcwire.PutBuffer(out)
	if err := rpcwire.Marshal(s.codec, out, m); err != nil {
		return err
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
	if err := s.write(frame.Bytes()); err != nil {
		return rpcwire.Errorf(codes.Canceled, "write reply: %v", err)
	}
	flush(s.w)
	return nil
}

// write writes b, base64-encoded for grpc-web-text.
func (s *stream) write(b []byte) error {
	if s.text {
		enc := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
		base64.StdEncoding.Encode(enc, b)
		b = enc
	}
	_, err := s.w.Write(b)
	return err
}

func (s *stream) Close(err error) {
	if s.closed {
		return
	}
	s.closed = true
	defer s.release()
	var he *rpcwire.HTTPError
	if stderrors.As(err, &he) && !s.sentHead {
		rpcwire.WriteHTTPError(s.w, he)
		return
	}
	st := rpcwire.StatusOf(err)
	trailers := make(http.Header, 3+len(s.trailer))
	for k, vs := range s.trailer {
		trailers[k] = vs
	}
	trailers[headerStatus] = []string{strconv.Itoa(int(st.Code()))}
	if msg := st.Message(); msg != "" {
		trailers[headerMessage] = []string{encodeMessage(msg)}
	}
	if len(st.Proto().GetDetails()) > 0 {
		if b, merr := proto.Marshal(st.Proto()); merr == nil {
			trailers[headerDetails] = []string{base64.RawStdEncoding.EncodeToString(b)}
		}
	}
	if !s.sentHead && (s.web || len(s.w.Header()) == 0) {
		// Trailers-only: the status travels in the header. (A gRPC
		// reply whose handler set headers sends them first, as grpc-go
		// does, for clients that tell headers from trailers.)
		h := s.w.Header()
		s.setHeader(h)
		for k, vs := range trailers {
			h[k] = vs
		}
		s.w.WriteHeader(http.StatusOK)
		return
	}
	if !s.sentHead {
		s.writeHeader()
	}
	if !s.web {
		h := s.w.Header()
		for k, vs := range trailers {
			h[http.TrailerPrefix+k] = vs
		}
		return
	}
	var block bytes.Buffer
	for k, vs := range trailers {
		lk := strings.ToLower(k)
		for _, v := range vs {
			block.WriteString(lk)
			block.WriteString(": ")
			block.WriteString(v)
			block.WriteString("\r\n")
		}
	}
	_ = s.write(rpcwire.AppendEnvelope(nil, rpcwire.FlagGRPCWebTrailer, block.Bytes()))
	flush(s.w)
}

func (s *stream) release() {
	rpcwire.PutBuffer(s.in)
	rpcwire.PutBuffer(s.plain)
	s.in, s.plain = nil, nil
}

// encodeMessage percent-encodes a grpc-message value: bytes outside
// printable ASCII, and '%'.
func encodeMessage(msg string) string {
	clean := true
	for i := 0; i < len(msg); i++ {
		if c := msg[i]; c < ' ' || c > '~' || c == '%' {
			clean = false
			break
		}
	}
	if clean {
		return msg
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c < ' ' || c > '~' || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// textReader decodes a grpc-web-text body: base64, which clients may
// send as several chunks, each padded, so it is decoded four characters
// at a time rather than as one base64 stream.
type textReader struct {
	r    io.Reader
	buf  [512]byte
	quad [4]byte
	nq   int
	out  []byte // decoded, not yet read
	dec  [384]byte
	err  error
}

func (t *textReader) Read(p []byte) (int, error) {
	for len(t.out) == 0 {
		if t.err != nil {
			if t.err == io.EOF && t.nq != 0 {
				return 0, rpcwire.Errorf(codes.InvalidArgument, "grpc-web-text: truncated base64")
			}
			return 0, t.err
		}
		n, err := t.r.Read(t.buf[:])
		t.err = err
		out := t.dec[:0]
		for _, c := range t.buf[:n] {
			if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
				continue
			}
			t.quad[t.nq] = c
			t.nq++
			if t.nq < 4 {
				continue
			}
			t.nq = 0
			var d [3]byte
			m, derr := base64.StdEncoding.Decode(d[:], t.quad[:])
			if derr != nil {
				t.err = rpcwire.Errorf(codes.InvalidArgument, "grpc-web-text: bad base64: %v", derr)
				break
			}
			out = append(out, d[:m]...)
		}
		t.out = out
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	return n, nil
}

func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}
