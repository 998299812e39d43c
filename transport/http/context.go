package http

import (
	"context"
	"encoding/xml"
	stderrors "errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

// HandlerFunc handles a request routed with Router. A returned error is
// written with the server's error encoder.
type HandlerFunc func(Context) error

// Context is what a HandlerFunc receives: the request, helpers to bind it
// and to write the response, and the server's middleware. It is also a
// context.Context, delegating to the request's context, which carries the
// server Transport and the request deadline.
//
// A Context belongs to one request; do not use it after the handler
// returned.
type Context interface {
	context.Context
	// Vars returns the path variables of the matched route.
	Vars() url.Values
	// Query returns the parsed query string.
	Query() url.Values
	// Form returns the parsed query string and form body (empty when the
	// body does not parse).
	Form() url.Values
	// Header returns the request header.
	Header() http.Header
	// Request returns the request. Its context is the Context's: it
	// carries the server Transport and the deadline. It is safe to call
	// from several goroutines; all get the same request.
	Request() *http.Request
	// Response returns the response writer.
	Response() http.ResponseWriter
	// Middleware wraps h with the server middleware selected for the
	// current operation (see Server.Use and SetOperation).
	Middleware(middleware.Handler) middleware.Handler
	// Bind decodes the body into v with the server's request decoder.
	Bind(any) error
	// BindVars decodes the path variables into v.
	BindVars(any) error
	// BindQuery decodes the query string into v.
	BindQuery(any) error
	// BindForm decodes the query string and form body into v.
	BindForm(any) error
	// Returns writes v with the response encoder, or returns err.
	Returns(any, error) error
	// Result writes v with the response encoder and status code.
	Result(int, any) error
	// JSON writes v as JSON.
	JSON(int, any) error
	// XML writes v as XML.
	XML(int, any) error
	// String writes text as text/plain.
	String(int, string) error
	// Blob writes data with the given content type.
	Blob(int, string, []byte) error
	// Stream copies rd to the response with the given content type.
	Stream(int, string, io.Reader) error
	// Reset points the Context at another request and response.
	Reset(http.ResponseWriter, *http.Request)
}

// Redirector is a reply that the default response encoder answers with a
// redirect instead of a body. The default error encoder answers an error
// that is (or wraps) a Redirector with the redirect too, as Kratos v3
// does; in Kratos v3 Redirector also embeds error, which it does not here
// so that Kratos v2 implementations of it still satisfy it.
type Redirector interface {
	Redirect() (url string, code int)
}

type redirect struct {
	url  string
	code int
}

func (r redirect) Redirect() (string, int) { return r.url, r.code }

// Error makes a redirect an error too, so a handler can return it as its
// error (Kratos v3's way).
func (r redirect) Error() string { return "redirect to " + r.url }

// NewRedirect returns a Redirector to url with status code (a 3xx code).
// It is an error as well: a handler may return it as its reply or, as in
// Kratos v3, as its error (http.NewRedirect(url, code).(error)); either
// way the default encoders answer with the redirect.
func NewRedirect(url string, code int) Redirector {
	return redirect{url: url, code: code}
}

// wrapper is the Context of a route handler.
//
// On the plain routes of Router (no filters) the server does not copy the
// request to give it the request context: the wrapper holds that context
// and reads the request as received, and makes the copy only when it is
// handed out (Request, Transport.Request, a user-supplied decoder or
// encoder). The default decoders and encoders read the received request
// directly. Once the copy exists, everything goes through it.
type wrapper struct {
	srv *Server
	w   responseWriter // over the response writer
	tr  *Transport     // the server Transport of the request, or nil

	ctx  context.Context // the request context
	orig *http.Request   // the request as received; read, never changed
	body io.ReadCloser   // the body, until req exists
	// limit, when positive, is the most of body that may be read: Bind
	// reads within it, and request wraps body in a bodyLimit.
	limit int64

	req atomic.Pointer[http.Request] // the request with ctx, once made
}

var _ Context = (*wrapper)(nil)

// init points a new c at a request whose copy with ctx and body is made
// on first use.
func (c *wrapper) init(srv *Server, res http.ResponseWriter, orig *http.Request, ctx context.Context, body io.ReadCloser, tr *Transport) {
	c.srv = srv
	c.w.reset(res)
	c.tr = tr
	c.ctx = ctx
	c.orig = orig
	c.body = body
	c.limit = 0
}

// request returns the request with the request context, making it on
// first use. It is safe for concurrent use: every caller gets the same
// request.
func (c *wrapper) request() *http.Request {
	if r := c.req.Load(); r != nil {
		return r
	}
	if c.orig == nil {
		return nil
	}
	r := c.orig.WithContext(c.ctx)
	r.Body = c.body
	if c.limit > 0 && r.Body != nil && r.Body != http.NoBody {
		r.Body = &bodyLimit{r: r.Body, w: c.w.w, left: c.limit, limit: c.limit}
	}
	if c.req.CompareAndSwap(nil, r) {
		return r
	}
	return c.req.Load()
}

// peek returns a request to read the URL, method and header from, without
// making the copy: the copy when it exists (a caller may have changed it),
// else the request as received.
func (c *wrapper) peek() *http.Request {
	if r := c.req.Load(); r != nil {
		return r
	}
	return c.orig
}

func (c *wrapper) Vars() url.Values {
	if c.tr != nil && c.tr.vars != nil {
		return varsValues(c.tr.vars)
	}
	return url.Values{}
}

func (c *wrapper) Form() url.Values {
	r := c.request()
	if err := r.ParseForm(); err != nil {
		return url.Values{}
	}
	return r.Form
}

func (c *wrapper) Query() url.Values             { return c.peek().URL.Query() }
func (c *wrapper) Header() http.Header           { return c.peek().Header }
func (c *wrapper) Request() *http.Request        { return c.request() }
func (c *wrapper) Response() http.ResponseWriter { return c.w.w }

func (c *wrapper) Middleware(h middleware.Handler) middleware.Handler {
	var op string
	if c.tr != nil {
		op = c.tr.operation
	} else {
		op = c.peek().URL.Path
	}
	ms := c.srv.middleware.Match(op)
	for i := len(ms) - 1; i >= 0; i-- {
		h = ms[i](h)
	}
	return h
}

func (c *wrapper) Bind(v any) error {
	if c.srv.defaults&defaultDecBody != 0 && c.req.Load() == nil {
		err := decodeBody(&c.body, c.orig.Header, c.orig.ContentLength, c.limit, c.w.w, v)
		c.limit = 0 // the body is in memory now
		return err
	}
	return c.srv.decBody(c.request(), v)
}

func (c *wrapper) BindVars(v any) error {
	if c.srv.defaults&defaultDecVars != 0 {
		if c.tr == nil {
			return nil
		}
		return bindVars(c.tr.vars, v)
	}
	return c.srv.decVars(c.request(), v)
}

func (c *wrapper) BindQuery(v any) error {
	if c.srv.defaults&defaultDecQuery != 0 {
		return DefaultRequestQuery(c.peek(), v)
	}
	return c.srv.decQuery(c.request(), v)
}

func (c *wrapper) BindForm(v any) error { return binding.BindForm(c.request(), v) }

func (c *wrapper) Returns(v any, err error) error {
	if err != nil {
		return err
	}
	return c.encode(v)
}

func (c *wrapper) Result(code int, v any) error {
	c.w.WriteHeader(code)
	return c.encode(v)
}

// encode runs the response encoder on the deferred writer and writes the
// status when the encoder wrote nothing, so Result(204, nil) is a 204.
func (c *wrapper) encode(v any) error {
	var err error
	if c.srv.defaults&defaultEnc != 0 {
		err = DefaultResponseEncoder(&c.w, c.peek(), v)
	} else {
		err = c.srv.enc(&c.w, c.request(), v)
	}
	if err != nil {
		return err
	}
	c.w.flushHeader()
	return nil
}

// encodeError writes err with the server's error encoder on the
// underlying writer.
func (c *wrapper) encodeError(err error) {
	err = fromContextError(err)
	if c.srv.defaults&defaultEne != 0 {
		DefaultErrorEncoder(c.w.w, c.peek(), err)
		return
	}
	c.srv.ene(c.w.w, c.request(), err)
}

func (c *wrapper) JSON(code int, v any) error {
	data, err := encoding.GetCodec("json").Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(code, "application/json", data)
}

func (c *wrapper) XML(code int, v any) error {
	data, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(code, "application/xml", data)
}

func (c *wrapper) String(code int, text string) error {
	c.w.Header().Set("Content-Type", "text/plain")
	c.w.WriteHeader(code)
	_, err := io.WriteString(&c.w, text)
	c.w.flushHeader()
	return err
}

func (c *wrapper) Blob(code int, contentType string, data []byte) error {
	c.w.Header().Set("Content-Type", contentType)
	c.w.WriteHeader(code)
	_, err := c.w.Write(data)
	c.w.flushHeader()
	return err
}

func (c *wrapper) Stream(code int, contentType string, rd io.Reader) error {
	c.w.Header().Set("Content-Type", contentType)
	c.w.WriteHeader(code)
	_, err := io.Copy(&c.w, rd)
	c.w.flushHeader()
	return err
}

// Reset points the Context at res and req as they are: req is what
// Request returns, and its context is the Context's.
func (c *wrapper) Reset(res http.ResponseWriter, req *http.Request) {
	c.w.reset(res)
	c.orig = req
	c.body = nil
	c.limit = 0
	c.ctx = nil
	c.tr = nil
	if req != nil {
		c.ctx = req.Context()
		c.tr, _ = serverTransport(c.ctx)
	}
	c.req.Store(req)
}

func (c *wrapper) Deadline() (time.Time, bool) {
	if c.ctx == nil {
		return time.Time{}, false
	}
	return c.ctx.Deadline()
}

func (c *wrapper) Done() <-chan struct{} {
	if c.ctx == nil {
		return nil
	}
	return c.ctx.Done()
}

func (c *wrapper) Err() error {
	if c.ctx == nil {
		return context.Canceled
	}
	return c.ctx.Err()
}

func (c *wrapper) Value(key any) any {
	if c.ctx == nil {
		return nil
	}
	return c.ctx.Value(key)
}

// fromContextError turns a handler's bare context error into the error a
// client can act on: 504 with reason "DEADLINE_EXCEEDED" when the request
// ran out of time (its own Timeout or the caller's Connect-Timeout-Ms),
// 499 "CANCELED" when it was cancelled, the codes the client gives the
// same events. Kratos writes both as 500.
func fromContextError(err error) error {
	var se *errors.Error
	switch {
	case stderrors.As(err, &se):
		return err
	case stderrors.Is(err, context.DeadlineExceeded):
		return errors.GatewayTimeout("DEADLINE_EXCEEDED", err.Error()).WithCause(err)
	case stderrors.Is(err, context.Canceled):
		return errors.ClientClosed("CANCELED", err.Error()).WithCause(err)
	}
	return err
}

// responseWriter defers WriteHeader until the first Write, so a response
// encoder can still set headers after Result chose the status, and an
// encoder that fails before writing leaves the response to the error
// encoder.
type responseWriter struct {
	code  int
	wrote bool
	w     http.ResponseWriter
}

func (w *responseWriter) reset(res http.ResponseWriter) {
	w.code = http.StatusOK
	w.wrote = false
	w.w = res
}

func (w *responseWriter) Header() http.Header { return w.w.Header() }

func (w *responseWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code = code
	}
}

func (w *responseWriter) Write(data []byte) (int, error) {
	w.flushHeader()
	return w.w.Write(data)
}

// flushHeader writes the status unless it was written already.
func (w *responseWriter) flushHeader() {
	if !w.wrote {
		w.wrote = true
		w.w.WriteHeader(w.code)
	}
}

// Flush sends buffered data to the client when the underlying writer can.
func (w *responseWriter) Flush() {
	w.flushHeader()
	if f, ok := w.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.w }
