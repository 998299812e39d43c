package http

import (
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/ws"
)

// Reasons of the errors of WebSocket streams.
const (
	reasonWebSocketHandshake = "WEBSOCKET_HANDSHAKE"
	reasonWebSocketClosed    = "WEBSOCKET_CLOSED"
	reasonReadTimeout        = "READ_TIMEOUT"
	reasonMessageTooLarge    = "MESSAGE_TOO_LARGE"
	reasonCanceled           = "CANCELED"
)

// closeWait bounds how long Close waits for the client to answer the close
// frame before it closes the connection.
const closeWait = time.Second

// jsonCodec is the codec of the error messages of WebSocket streams, which
// are always JSON, whatever the codec of the stream, so that any peer
// (Kratos v3, a browser) can read them.
func jsonCodec() encoding.Codec { return encoding.GetCodec("json") }

// wsStream is the ServerStream of NewWebSocketServerStream.
type wsStream struct {
	serverStreamBase
	c         Context
	w         http.ResponseWriter
	req       *http.Request
	bodyField string
	enc, dec  encoding.Codec
	readLimit int64

	mu       sync.Mutex // guards the fields below
	state    wsState
	conn     *ws.Conn
	header   http.Header // of the 101 response, until sent
	readDL   time.Time   // deadlines set before the upgrade
	writeDL  time.Time
	startErr error

	// The reader goroutine reads messages ahead, one at a time: it hands
	// each to Recv through msgs and waits on ack until Recv decoded it.
	// Its errors end the stream's context with the error as cause.
	msgs       chan ws.Message
	ack        chan struct{}
	quit       chan struct{} // closed by Close: the reader stops
	readerDone chan struct{}
	recvErr    error // sticky error of Recv (only Recv's goroutine)
	sawEnd     bool  // the client half-closed (only the reader)
}

type wsState uint8

const (
	wsNew    wsState = iota // not upgraded
	wsOpen                  // upgraded
	wsClosed                // closed by Close
)

var _ ServerStream = (*wsStream)(nil)

// NewWebSocketServerStream returns the stream of a client- or
// bidi-streaming call over WebSocket, for the handler of the route (a GET
// route) to hand to the service method and end with Close.
//
// The request must be a WebSocket handshake (a GET with "Upgrade:
// websocket", version 13, and no Origin of another host): otherwise it
// returns an *errors.Error (400, 403 or 405, reason "WEBSOCKET_HANDSHAKE")
// and writes nothing, for the route handler to write.
//
// The connection is upgraded with the first Send, Recv or SendHeader, or
// with Close(nil), so that the headers set until then (with SetHeader,
// SendHeader, or on the reply header by middleware) go out with the 101
// response, and an error given to Close before it is returned by Close,
// for the route handler to write as an ordinary error response, which
// Client.WebSocket returns as an *errors.Error.
//
// Each message is one WebSocket message, in the codec of the request's
// Accept header, else of its Content-Type, else json, for both
// directions (an *httpbody.HttpBody is its data as it is). Messages are
// sent in text frames, or in binary frames for codecs that do not write
// text, such as proto. Recv sets the path variables of the request over
// each message it decodes, and fills the fields a message leaves unset from
// the query (where generated clients put the fields of their first
// message). Messages larger than the
// server's request body limit (WithMaxRequestBodySize, 4 MiB by default)
// end the stream.
//
// The client ends its sending half with a text message "\x1eend" (Recv
// then returns io.EOF); a close frame before it is an abort, for which
// Recv returns an error with code 499. Close(err) sends "\x1eerror:"
// followed by the error as JSON {"code","reason","message","metadata"}
// then a close frame 1011, Close(nil) a close frame 1000. Kratos v3 sends
// the error's text only, in the same message; Client.WebSocket reads both.
// SetTrailer has no effect: WebSocket has no trailers.
//
// The stream is not cut by the server's Timeout (see ServerStream); its
// context is canceled as soon as the client goes away, as the stream reads
// ahead one message. A generated handler runs the service method inside
// the server middleware as for NewServerSentEventServerStream, with a nil
// request.
func NewWebSocketServerStream(ctx Context, opts ...ServerStreamOption) (ServerStream, error) {
	var o streamOptions
	for _, opt := range opts {
		opt(&o)
	}
	req := streamRequest(ctx)
	if err := ws.Check(req); err != nil {
		return nil, handshakeError(err)
	}
	s := &wsStream{
		c:         ctx,
		w:         streamWriter(ctx),
		req:       req,
		bodyField: o.bodyField,
		enc:       streamCodec(req.Header, false, "Accept", "Content-Type"),
		dec:       streamCodec(req.Header, false, "Content-Type", "Accept"),
		readLimit: defaultMaxRequestBody,
		header:    make(http.Header),
	}
	if w, ok := ctx.(*wrapper); ok {
		s.readLimit = w.srv.maxBody
	}
	s.init(ctx, s, s.gone)
	_ = http.NewResponseController(s.w).SetReadDeadline(time.Time{})
	return s, nil
}

func handshakeError(err error) error {
	var he *ws.HandshakeError
	if stderrors.As(err, &he) {
		return errors.New(he.Status, reasonWebSocketHandshake, he.Error())
	}
	return errors.InternalServer(reasonWebSocketHandshake, err.Error()).WithCause(err)
}

// start upgrades the connection unless it was upgraded.
func (s *wsStream) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startLocked()
}

func (s *wsStream) startLocked() error {
	switch s.state {
	case wsOpen:
		return nil
	case wsClosed:
		if s.startErr != nil {
			return s.startErr
		}
		return errStreamClosed
	}
	header := s.header
	for k, vs := range s.w.Header() {
		switch k {
		case "Content-Type", "Content-Length", "Upgrade", "Connection", "Sec-Websocket-Accept", "Sec-Websocket-Extensions", "Sec-Websocket-Protocol":
			continue
		}
		header[k] = append(header[k], vs...)
	}
	conn, err := ws.Upgrade(s.w, s.req, header, s.readLimit)
	if err != nil {
		s.state = wsClosed
		s.startErr = handshakeError(err)
		if w, ok := s.c.(*wrapper); ok {
			// An upgrade that failed after the hijack left nothing to write to.
			var he *ws.HandshakeError
			w.w.wrote = !stderrors.As(err, &he)
		}
		s.end(s.startErr)
		return s.startErr
	}
	if w, ok := s.c.(*wrapper); ok {
		w.w.wrote = true // hijacked: the route handler must not write
	}
	s.conn = conn
	s.state = wsOpen
	s.header = nil
	if !s.readDL.IsZero() {
		_ = conn.SetReadDeadline(s.readDL)
	}
	if !s.writeDL.IsZero() {
		_ = conn.SetWriteDeadline(s.writeDL)
	}
	s.msgs = make(chan ws.Message)
	s.ack = make(chan struct{})
	s.quit = make(chan struct{})
	s.readerDone = make(chan struct{})
	go s.read()
	return nil
}

// read is the reader goroutine.
func (s *wsStream) read() {
	defer close(s.readerDone)
	for {
		m, err := s.conn.Read()
		if err != nil {
			s.end(s.readError(err))
			return
		}
		switch m.Kind {
		case ws.End:
			s.sawEnd = true
		case ws.Error:
			s.end(parseErrorPayload(jsonCodec(), m.Data))
			return
		}
		select {
		case s.msgs <- m:
		case <-s.quit:
			return
		case <-s.ctx.Done():
			return
		}
		select {
		case <-s.ack:
		case <-s.quit:
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// readError is the error Recv returns for a read error of the reader.
func (s *wsStream) readError(err error) error {
	var ce *ws.CloseError
	switch {
	case stderrors.As(err, &ce):
		if ce.Normal() && s.sawEnd {
			return io.EOF
		}
		return errors.ClientClosed(reasonCanceled, "transport/http: the client closed the stream: "+ce.Error())
	case stderrors.Is(err, ws.ErrTooLarge):
		return errors.New(http.StatusRequestEntityTooLarge, reasonMessageTooLarge,
			fmt.Sprintf("transport/http: stream message larger than %d bytes", s.readLimit))
	case stderrors.Is(err, os.ErrDeadlineExceeded):
		return errors.New(http.StatusRequestTimeout, reasonReadTimeout, "transport/http: no message from the client before the read deadline").WithCause(err)
	}
	return errors.ClientClosed(reasonCanceled, "transport/http: the client went away: "+err.Error()).WithCause(err)
}

// gone runs when the request ended before Close: it closes the connection,
// which stops the reader.
func (s *wsStream) gone() {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		_ = conn.Close()
	}
}

func (s *wsStream) RecvMsg(m any) error { return s.recv(m, false) }
func (s *wsStream) Recv(m any) error    { return s.recv(m, true) }

func (s *wsStream) recv(m any, overlay bool) error {
	if s.recvErr != nil {
		return s.recvErr
	}
	if err := s.start(); err != nil {
		return err
	}
	var msg ws.Message
	select {
	case msg = <-s.msgs:
	case <-s.ctx.Done():
		s.recvErr = s.cause()
		return s.recvErr
	}
	if msg.Kind == ws.End {
		s.release()
		s.recvErr = io.EOF
		return io.EOF
	}
	var err error
	if overlay && s.bodyField != "" {
		err = unmarshalBodyField(s.dec, msg.Data, m, s.bodyField)
	} else {
		err = unmarshalStreamMessage(s.dec, msg.Data, m)
	}
	s.release()
	if err != nil || !overlay {
		return err
	}
	if err := s.fillFromQuery(m); err != nil {
		return err
	}
	return s.c.BindVars(m)
}

// fillFromQuery sets the fields of m that the message left unset from the
// query of the request. A generated client puts the fields of its first
// message in the query, so they must not override the later messages.
// Values that are not proto messages get the query set over them.
func (s *wsStream) fillFromQuery(m any) error {
	if s.req.URL.RawQuery == "" {
		return nil
	}
	pm, ok := m.(proto.Message)
	if !ok {
		return s.c.BindQuery(m)
	}
	r := pm.ProtoReflect()
	q := r.New()
	if err := s.c.BindQuery(q.Interface()); err != nil {
		return err
	}
	q.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if !r.Has(fd) {
			r.Set(fd, v)
		}
		return true
	})
	return nil
}

// release tells the reader that the message it handed over was decoded,
// so it may read the next one into the same buffer.
func (s *wsStream) release() {
	select {
	case s.ack <- struct{}{}:
	case <-s.readerDone:
	}
}

// cause returns why the stream's context ended, as Recv reports it.
func (s *wsStream) cause() error {
	err := context.Cause(s.ctx)
	switch {
	case err == context.DeadlineExceeded:
		return errors.GatewayTimeout("DEADLINE_EXCEEDED", "transport/http: the caller's deadline passed")
	case err == nil:
		return errStreamClosed
	}
	return err
}

func (s *wsStream) SendMsg(m any) error { return s.Send(m) }

func (s *wsStream) SendAndClose(m any) error { return s.Send(m) }

func (s *wsStream) Send(m any) error {
	data, binary, err := marshalStreamMessage(s.enc, m)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if err := s.startLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	conn := s.conn
	s.mu.Unlock()
	if err := conn.WriteData(binary, data); err != nil {
		err = fmt.Errorf("transport/http: write stream message: %w", err)
		s.end(err)
		return err
	}
	return nil
}

// SetHeader adds md to the header of the 101 response. It fails once the
// connection was upgraded.
func (s *wsStream) SetHeader(md metadata.MD) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != wsNew {
		return stderrors.New("transport/http: SetHeader after the header was sent")
	}
	setMetadata(s.header, md)
	return nil
}

// SendHeader adds md to the header of the 101 response and upgrades the
// connection. It fails once the connection was upgraded.
func (s *wsStream) SendHeader(md metadata.MD) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != wsNew {
		return stderrors.New("transport/http: SendHeader after the header was sent")
	}
	setMetadata(s.header, md)
	return s.startLocked()
}

// SetTrailer does nothing: WebSocket has no trailers.
func (s *wsStream) SetTrailer(metadata.MD) {}

func (s *wsStream) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		s.readDL = t
		return nil
	}
	return s.conn.SetReadDeadline(t)
}

func (s *wsStream) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		s.writeDL = t
		return nil
	}
	return s.conn.SetWriteDeadline(t)
}

func (s *wsStream) Close(err error) error {
	s.mu.Lock()
	switch s.state {
	case wsClosed:
		s.mu.Unlock()
		if s.startErr != nil && err == nil {
			return s.startErr
		}
		return err
	case wsNew:
		if err != nil {
			s.state = wsClosed
			s.mu.Unlock()
			s.end(errStreamClosed)
			return err
		}
		if serr := s.startLocked(); serr != nil {
			s.mu.Unlock()
			return serr
		}
	}
	s.state = wsClosed
	conn := s.conn
	s.mu.Unlock()

	if err != nil {
		_ = conn.WriteError(errorPayload(jsonCodec(), err))
		_ = conn.WriteClose(ws.CloseInternalError, errors.FromError(err).Message)
	} else {
		_ = conn.WriteClose(ws.CloseNormal, "")
	}
	s.end(errStreamClosed)
	// Wait for the client's close frame, which the reader reads, then
	// close the connection.
	close(s.quit)
	t := time.NewTimer(closeWait)
	select {
	case <-s.readerDone:
	case <-t.C:
	}
	t.Stop()
	_ = conn.Close()
	<-s.readerDone
	return nil
}
