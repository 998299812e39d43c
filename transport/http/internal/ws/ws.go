// Package ws is the WebSocket side of the HTTP streams: the handshake, and
// the framing of a stream on a connection, over github.com/gorilla/websocket,
// which stays hidden behind this package.
//
// Each message of the stream is one WebSocket message: a text frame for a
// text payload, a binary frame for a binary one. Two control messages, both
// text frames starting with the ASCII record separator (0x1E) so that no
// JSON, XML or protobuf payload can be mistaken for them, carry what
// WebSocket itself has no frame for, in the form Kratos v3 uses:
//
//	"\x1eend"            the sender will send no more messages (half-close)
//	"\x1eerror:" payload  the stream failed; payload describes the error
//
// The stream then ends with a close frame (1000 after success, 1011 after
// an error).
package ws

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Close codes (RFC 6455, section 7.4.1).
const (
	CloseNormal        = websocket.CloseNormalClosure
	CloseGoingAway     = websocket.CloseGoingAway
	ClosePolicy        = websocket.ClosePolicyViolation
	CloseTooBig        = websocket.CloseMessageTooBig
	CloseInternalError = websocket.CloseInternalServerErr
)

// The control messages.
const (
	endMessage  = "\x1eend"
	errorPrefix = "\x1eerror:"
)

// closeWait bounds how long writing a close frame may block when the
// connection has no write deadline.
const closeWait = time.Second

// Kind tells what a message read is.
type Kind uint8

const (
	// Data is a message of the stream.
	Data Kind = iota
	// End is the peer's half-close: it sends no more messages.
	End
	// Error is the peer's error; Message.Data is its payload.
	Error
)

// Message is one message read from a connection.
type Message struct {
	Kind   Kind
	Binary bool   // a binary frame (Data only)
	Data   []byte // the payload; valid until the next Read
}

// CloseError is the error Read returns once the peer closed the connection.
type CloseError struct {
	Code int
	Text string
}

func (e *CloseError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("websocket: closed with code %d", e.Code)
	}
	return fmt.Sprintf("websocket: closed with code %d: %s", e.Code, e.Text)
}

// Normal reports whether the peer closed normally (1000) or went away
// (1001), as a browser does when its page goes.
func (e *CloseError) Normal() bool { return e.Code == CloseNormal || e.Code == CloseGoingAway }

// ErrTooLarge is returned by Read for a message over the read limit; the
// connection is closed with code 1009.
var ErrTooLarge = errors.New("websocket: message over the read limit")

// HandshakeError is a request that is not a WebSocket handshake this
// package accepts. Status is the HTTP status to answer it with.
type HandshakeError struct {
	Status int
	Reason string
}

func (e *HandshakeError) Error() string { return "websocket: " + e.Reason }

// Check reports whether r is a WebSocket handshake that Upgrade accepts: a
// GET with "Connection: upgrade", "Upgrade: websocket", version 13, a
// well-formed key, and an Origin, when there is one, of the request's own
// host. It writes nothing.
func Check(r *http.Request) error {
	switch {
	case r.Method != http.MethodGet:
		return &HandshakeError{http.StatusMethodNotAllowed, "handshake method is not GET"}
	case !hasToken(r.Header, "Connection", "upgrade"):
		return &HandshakeError{http.StatusBadRequest, "not a websocket handshake: no 'upgrade' token in the Connection header"}
	case !hasToken(r.Header, "Upgrade", "websocket"):
		return &HandshakeError{http.StatusBadRequest, "not a websocket handshake: no 'websocket' token in the Upgrade header"}
	case !hasToken(r.Header, "Sec-Websocket-Version", "13"):
		return &HandshakeError{http.StatusBadRequest, "unsupported version: 13 is not in the Sec-WebSocket-Version header"}
	case !validKey(r.Header.Get("Sec-Websocket-Key")):
		return &HandshakeError{http.StatusBadRequest, "not a websocket handshake: malformed Sec-WebSocket-Key"}
	case !sameOrigin(r):
		return &HandshakeError{http.StatusForbidden, "request origin not allowed"}
	}
	return nil
}

func hasToken(h http.Header, key, token string) bool {
	for _, v := range h[key] {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func validKey(key string) bool {
	if key == "" {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(key)
	return err == nil && len(b) == 16
}

func sameOrigin(r *http.Request) bool {
	origin := r.Header["Origin"]
	if len(origin) == 0 {
		return true
	}
	u, err := url.Parse(origin[0])
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// Conn is one side of a stream on a WebSocket connection. One goroutine
// may read while others write: writes are serialized.
type Conn struct {
	c   *websocket.Conn
	wmu sync.Mutex
	buf bytes.Buffer
}

// Upgrade answers the handshake r on w with a 101 response carrying
// header, and returns the connection. w, or a writer it unwraps to
// (Unwrap() http.ResponseWriter), must be an http.Hijacker. Messages over
// readLimit bytes fail Read (0 or less for no limit). A request that fails
// Check is answered by nobody: Upgrade returns the *HandshakeError and
// writes nothing. After a failed hijack the connection is unusable.
func Upgrade(w http.ResponseWriter, r *http.Request, header http.Header, readLimit int64) (*Conn, error) {
	if err := Check(r); err != nil {
		return nil, err
	}
	hw, ok := hijacker(w)
	if !ok {
		return nil, &HandshakeError{http.StatusInternalServerError, "response writer cannot be hijacked"}
	}
	var upgradeErr error
	u := websocket.Upgrader{
		CheckOrigin: func(*http.Request) bool { return true }, // Check did
		Error: func(_ http.ResponseWriter, _ *http.Request, status int, reason error) {
			upgradeErr = &HandshakeError{status, strings.TrimPrefix(reason.Error(), "websocket: ")}
		},
	}
	c, err := u.Upgrade(hw, r, header)
	if err != nil {
		if upgradeErr != nil {
			return nil, upgradeErr
		}
		return nil, err
	}
	return newConn(c, readLimit), nil
}

// hijacker finds the http.Hijacker behind w, unwrapping it as
// http.ResponseController does.
func hijacker(w http.ResponseWriter) (http.ResponseWriter, bool) {
	for {
		if _, ok := w.(http.Hijacker); ok {
			return w, true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil, false
		}
		w = u.Unwrap()
	}
}

func newConn(c *websocket.Conn, readLimit int64) *Conn {
	if readLimit > 0 {
		c.SetReadLimit(readLimit)
	}
	return &Conn{c: c}
}

// Dialer opens client connections.
type Dialer struct {
	// DialContext dials the TCP connection; nil for net.Dialer's.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy returns the proxy for a request, as in http.Transport.
	Proxy func(*http.Request) (*url.URL, error)
	// TLSClientConfig is the TLS configuration of wss URLs.
	TLSClientConfig *tls.Config
	// ReadLimit bounds the messages read (0 or less for no limit).
	ReadLimit int64
}

// Dial opens a connection to rawURL ("ws://" or "wss://") with the request
// header. ctx bounds the dial and the handshake only. When the server
// answers the handshake with another status, Dial returns the response
// (its body holds the first KiB of the server's body) with the error, so
// the caller can read the server's error from it; the caller closes it.
func (d Dialer) Dial(ctx context.Context, rawURL string, header http.Header) (*Conn, *http.Response, error) {
	var (
		mu    sync.Mutex
		stops []func() bool
	)
	dial := d.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	gd := websocket.Dialer{
		Proxy:           d.Proxy,
		TLSClientConfig: d.TLSClientConfig,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// gorilla watches ctx only for its deadline: make a
			// cancellation unblock the handshake too.
			mu.Lock()
			stops = append(stops, context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) }))
			mu.Unlock()
			return nc, nil
		},
	}
	c, res, err := gd.DialContext(ctx, rawURL, header)
	mu.Lock()
	fired := false
	for _, stop := range stops {
		if !stop() {
			fired = true
		}
	}
	mu.Unlock()
	if err == nil && fired {
		// Canceled right after the handshake: the deadline in the past
		// may have reached the connection.
		_ = c.Close()
		return nil, nil, context.Cause(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			// gorilla closed the connection.
			if res != nil {
				_ = res.Body.Close()
			}
			return nil, nil, fmt.Errorf("websocket: dial: %w", context.Cause(ctx))
		}
		return nil, res, err
	}
	return newConn(c, d.ReadLimit), res, nil
}

// Read returns the next message. It returns a *CloseError once the peer
// closed the connection, ErrTooLarge for a message over the read limit,
// and the connection's error otherwise (os.ErrDeadlineExceeded past the
// read deadline). Unknown control messages are skipped. Only one goroutine
// may read.
func (c *Conn) Read() (Message, error) {
	for {
		typ, r, err := c.c.NextReader()
		if err != nil {
			return Message{}, readError(err)
		}
		c.buf.Reset()
		if _, err := c.buf.ReadFrom(r); err != nil {
			return Message{}, readError(err)
		}
		data := c.buf.Bytes()
		if typ == websocket.TextMessage && len(data) > 0 && data[0] == 0x1e {
			switch {
			case string(data) == endMessage:
				return Message{Kind: End}, nil
			case bytes.HasPrefix(data, []byte(errorPrefix)):
				return Message{Kind: Error, Data: data[len(errorPrefix):]}, nil
			}
			continue
		}
		return Message{Kind: Data, Binary: typ == websocket.BinaryMessage, Data: data}, nil
	}
}

func readError(err error) error {
	var (
		ce *websocket.CloseError
		ne net.Error
	)
	switch {
	case errors.As(err, &ce):
		return &CloseError{Code: ce.Code, Text: ce.Text}
	case errors.Is(err, websocket.ErrReadLimit):
		return ErrTooLarge
	case errors.As(err, &ne) && ne.Timeout():
		// gorilla hides the net error behind one of its own.
		return fmt.Errorf("websocket: read: %w", os.ErrDeadlineExceeded)
	}
	return err
}

// WriteData writes one message of the stream, in a binary frame or a text
// frame (whose data must be UTF-8).
func (c *Conn) WriteData(binary bool, data []byte) error {
	typ := websocket.TextMessage
	if binary {
		typ = websocket.BinaryMessage
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteMessage(typ, data)
}

// WriteEnd writes the half-close message.
func (c *Conn) WriteEnd() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteMessage(websocket.TextMessage, []byte(endMessage))
}

// WriteError writes the error message with payload, which must be UTF-8.
func (c *Conn) WriteError(payload []byte) error {
	msg := make([]byte, 0, len(errorPrefix)+len(payload))
	msg = append(append(msg, errorPrefix...), payload...)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteMessage(websocket.TextMessage, msg)
}

// WriteClose writes a close frame with code and text (cut to the 123 bytes
// a close frame holds). It may be called while another goroutine writes.
func (c *Conn) WriteClose(code int, text string) error {
	if len(text) > 123 {
		text = text[:123]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	return c.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(closeWait))
}

// SetReadDeadline sets the deadline of reads, also of a Read blocked now;
// zero for none. Past it, the connection cannot be read any more.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of later writes; zero for none.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.SetWriteDeadline(t)
}

// Close closes the connection without a close frame, unblocking a Read.
func (c *Conn) Close() error { return c.c.Close() }
