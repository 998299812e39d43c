package http

import (
	"bytes"
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/internal/router"
	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

// The reasons of the errors this package produces itself.
const (
	reasonCodec            = "CODEC"
	reasonNotFound         = "NOT_FOUND"
	reasonMethodNotAllowed = "METHOD_NOT_ALLOWED"
	reasonBadRequest       = "BAD_REQUEST"
	reasonBodyTooLarge     = "BODY_TOO_LARGE"
	reasonBodyTimeout      = "BODY_TIMEOUT"
	reasonServerStopping   = "SERVER_STOPPING"
)

// DecodeRequestFunc decodes part of a request (body, query or path
// variables) into v.
type DecodeRequestFunc func(*http.Request, any) error

// EncodeResponseFunc writes v as the response.
type EncodeResponseFunc func(http.ResponseWriter, *http.Request, any) error

// EncodeErrorFunc writes err as the response.
type EncodeErrorFunc func(http.ResponseWriter, *http.Request, error)

// EncodeRequestFunc encodes the body of a client request for contentType.
type EncodeRequestFunc func(ctx context.Context, contentType string, in any) (body []byte, err error)

// DecodeResponseFunc decodes a successful client response into out.
type DecodeResponseFunc func(ctx context.Context, res *http.Response, out any) error

// DecodeErrorFunc returns the error a client response stands for, or nil
// for a successful response.
type DecodeErrorFunc func(ctx context.Context, res *http.Response) error

// subtype returns the subtype of a media type ("json" for
// "application/json; charset=utf-8"), lower-cased and trimmed, or "".
func subtype(mediaType string) string {
	slash := strings.IndexByte(mediaType, '/')
	if slash < 0 {
		return ""
	}
	s := mediaType[slash+1:]
	if semi := strings.IndexByte(s, ';'); semi >= 0 {
		s = s[:semi]
	}
	return strings.TrimSpace(s)
}

// codecFor returns the codec for a media type, trying a structured syntax
// suffix ("problem+json" gives json) when the subtype itself has none.
func codecFor(mediaType string) encoding.Codec {
	st := subtype(mediaType)
	if st == "" {
		return nil
	}
	if c := encoding.GetCodec(st); c != nil {
		return c
	}
	if plus := strings.LastIndexByte(st, '+'); plus >= 0 {
		return encoding.GetCodec(st[plus+1:])
	}
	return nil
}

// CodecForRequest returns the codec named by the request header name
// ("Content-Type" or "Accept"): the first media type, across the header's
// values and their comma-separated lists, whose subtype has a registered
// codec. When none has, it returns the json codec and false.
func CodecForRequest(r *http.Request, name string) (encoding.Codec, bool) {
	return codecForHeader(r.Header, http.CanonicalHeaderKey(name))
}

// codecForHeader is CodecForRequest over a header and a canonical key.
func codecForHeader(h http.Header, key string) (encoding.Codec, bool) {
	for _, v := range h[key] {
		for v != "" {
			item := v
			if comma := strings.IndexByte(v, ','); comma >= 0 {
				item, v = v[:comma], v[comma+1:]
			} else {
				v = ""
			}
			if c := codecFor(item); c != nil {
				return c, true
			}
		}
	}
	return encoding.GetCodec("json"), false
}

// CodecForResponse returns the codec for the response's Content-Type, or
// the json codec.
func CodecForResponse(r *http.Response) encoding.Codec {
	if c := codecFor(r.Header.Get("Content-Type")); c != nil {
		return c
	}
	return encoding.GetCodec("json")
}

// contentType returns "application/" + the codec name, without allocating
// for the usual codecs.
func contentType(codecName string) string {
	switch codecName {
	case "json":
		return "application/json"
	case "proto":
		return "application/proto"
	case "xml":
		return "application/xml"
	case "yaml":
		return "application/yaml"
	case "x-www-form-urlencoded":
		return "application/x-www-form-urlencoded"
	}
	return "application/" + codecName
}

// DefaultRequestVars binds the path variables of the matched route to v
// (see binding.BindQuery). Outside a request served by Server it binds
// nothing.
func DefaultRequestVars(r *http.Request, v any) error {
	tr, ok := serverTransport(r.Context())
	if !ok {
		return nil
	}
	return bindVars(tr.vars, v)
}

// bindVars binds path variables to v, as DefaultRequestVars.
func bindVars(vars []router.Param, v any) error {
	if len(vars) == 0 {
		return nil
	}
	if m, ok := v.(proto.Message); ok && setStringVars(m, vars) {
		return nil
	}
	return binding.BindQuery(varsValues(vars), v)
}

// DefaultRequestQuery binds the query string to v (see
// binding.BindQuery). A query string that does not parse (such as a bad
// %-escape) is a 400 error with reason "CODEC", where net/http's
// URL.Query would drop the pair silently.
func DefaultRequestQuery(r *http.Request, v any) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	vs, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errors.BadRequest(reasonCodec, fmt.Sprintf("query: %v", err))
	}
	return binding.BindQuery(vs, v)
}

// DefaultRequestDecoder decodes the body with the codec of its
// Content-Type. An empty body decodes to nothing. A *httpbody.HttpBody
// (google.api.HttpBody), or a pointer to one, gets the body as it is and
// its Content-Type, whatever that is. The body stays readable afterwards:
// it is replaced by a reader over the bytes read.
//
// Errors: 400 reason "CODEC" for a body whose Content-Type is missing or
// has no codec, or that does not decode; 413 reason "BODY_TOO_LARGE" for a
// body over the server's limit (see WithMaxRequestBodySize); 408 reason
// "BODY_TIMEOUT" for a body that did not arrive in time (see
// WithBodyTimeout).
func DefaultRequestDecoder(r *http.Request, v any) error {
	return decodeBody(&r.Body, r.Header, r.ContentLength, 0, nil, v)
}

// decodeBody decodes *body as DefaultRequestDecoder decodes a request's
// body with header, replacing *body by a reader over the bytes read. size
// is the body's declared length, -1 when unknown; limit, when positive,
// is the most it reads before it fails with 413 (see readBody for w).
func decodeBody(body *io.ReadCloser, header http.Header, size, limit int64, w http.ResponseWriter, v any) error {
	if *body == nil || *body == http.NoBody {
		return nil
	}
	rb, err := readBody(*body, size, limit, w)
	*body = rb
	data := rb.data
	if err != nil {
		var tooLarge *http.MaxBytesError
		if stderrors.As(err, &tooLarge) {
			return errors.New(http.StatusRequestEntityTooLarge, reasonBodyTooLarge,
				fmt.Sprintf("request body larger than %d bytes", tooLarge.Limit))
		}
		if stderrors.Is(err, os.ErrDeadlineExceeded) {
			return errors.New(http.StatusRequestTimeout, reasonBodyTimeout, "request body not received in time")
		}
		return errors.BadRequest(reasonCodec, fmt.Sprintf("read body: %v", err))
	}
	if b, ok := httpBodyOf(v); ok {
		b.ContentType = header.Get("Content-Type")
		b.Data = data
		return nil
	}
	if len(data) == 0 {
		return nil
	}
	codec, ok := codecForHeader(header, "Content-Type")
	if !ok {
		return errors.BadRequest(reasonCodec, fmt.Sprintf("unregister Content-Type: %s", header.Get("Content-Type")))
	}
	if err := codec.Unmarshal(data, v); err != nil {
		return errors.BadRequest(reasonCodec, fmt.Sprintf("body unmarshal %s", err.Error()))
	}
	return nil
}

// replayBody is a request body once a decoder has read it: a reader over
// the bytes read, so that whoever reads the body next (a second Bind, the
// handler) reads them again. A body of up to len(small) bytes lives in
// the same allocation.
type replayBody struct {
	bytes.Reader
	data  []byte
	small [128]byte
}

func (*replayBody) Close() error { return nil }

// maxPrealloc bounds the buffer readBody allocates up front from a
// declared length; longer bodies grow as they arrive.
const maxPrealloc = 64 << 10

// readBody reads r to its end and returns a replayBody over what it read,
// even with an error. size >= 0 is the body's declared length, which
// sizes the buffer (a reader that gives more is read on). With limit > 0
// it reads at most limit bytes and fails with an *http.MaxBytesError
// beyond them, telling w (when not nil) to close the connection after the
// response, as http.MaxBytesReader does.
func readBody(r io.Reader, size, limit int64, w http.ResponseWriter) (*replayBody, error) {
	rb := &replayBody{}
	var err error
	switch {
	case limit > 0 && size > limit:
		err = &http.MaxBytesError{Limit: limit}
	case size >= 0 && size <= int64(len(rb.small)):
		rb.data, err = readSized(r, rb.small[:size], limit)
	case size > 0 && size <= maxPrealloc:
		rb.data, err = readSized(r, make([]byte, size), limit)
	case limit > 0:
		rb.data, err = readAll(r, limit)
	default:
		rb.data, err = readAll(r, -1)
	}
	rb.Reset(rb.data)
	if _, ok := err.(*http.MaxBytesError); ok && w != nil {
		tooLarge(w)
	}
	return rb, err
}

// readSized reads buf's length of bytes from r, then whatever follows
// (net/http ends a body at its declared length, other readers may not),
// up to limit bytes in all when limit > 0.
func readSized(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	n, err := io.ReadFull(r, buf)
	if err != nil {
		if err == io.EOF && n == 0 && len(buf) == 0 {
			err = nil
		}
		return buf[:n], err
	}
	var one [1]byte
	m, err := r.Read(one[:])
	for m == 0 && err == nil {
		m, err = r.Read(one[:])
	}
	if err == io.EOF {
		return buf, nil
	}
	if m == 0 {
		return buf, err
	}
	if limit > 0 && int64(len(buf)) >= limit {
		return buf, &http.MaxBytesError{Limit: limit}
	}
	rest := int64(-1)
	if limit > 0 {
		rest = limit - int64(len(buf)) - 1
	}
	more, err := readAll(r, rest)
	out := make([]byte, 0, len(buf)+1+len(more))
	out = append(append(append(out, buf...), one[0]), more...)
	if mb, ok := err.(*http.MaxBytesError); ok {
		mb.Limit = limit
	}
	return out, err
}

// readAll reads r to its end; with limit >= 0 it fails with an
// *http.MaxBytesError once more than limit bytes come.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		return io.ReadAll(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(data)) > limit {
		return data[:limit], &http.MaxBytesError{Limit: limit}
	}
	return data, err
}

// tooLarge tells net/http's response writer w, as http.MaxBytesReader
// alone can, that the request body was over its limit, so that the
// connection closes after the response instead of reading the rest.
func tooLarge(w http.ResponseWriter) {
	_, _ = http.MaxBytesReader(w, io.NopCloser(strings.NewReader("x")), 0).Read(make([]byte, 1))
}

// DefaultResponseEncoder writes v with the codec chosen by the Accept
// header (json when none matches), setting Content-Type. A nil v writes
// nothing; a Redirector redirects; a *httpbody.HttpBody is written as its
// data with its content type (see BodyContentType).
func DefaultResponseEncoder(w http.ResponseWriter, r *http.Request, v any) error {
	if v == nil {
		return nil
	}
	if b, ok := v.(*httpbody.HttpBody); ok {
		if b == nil {
			return nil
		}
		w.Header()["Content-Type"] = []string{BodyContentType(b)}
		_, err := w.Write(b.GetData())
		return err
	}
	if rd, ok := v.(Redirector); ok {
		url, code := rd.Redirect()
		http.Redirect(w, r, url, code)
		return nil
	}
	codec, _ := codecForHeader(r.Header, "Accept")
	data, err := codec.Marshal(v)
	if err != nil {
		return err
	}
	w.Header()["Content-Type"] = []string{contentType(codec.Name())}
	_, err = w.Write(data)
	return err
}

// DefaultErrorEncoder writes err as {"code","reason","message","metadata"}
// (see errors.FromError) with the codec chosen by the Accept header, and
// the error's code as HTTP status. A plain error is 500; a code that is not
// a valid HTTP status is written as 500 (the body keeps the code). When the
// chosen codec cannot encode the error (xml cannot encode its metadata
// map), it is written as JSON with the same status, where Kratos answers
// an empty 500. An error that is or wraps a Redirector (see NewRedirect)
// is answered with its redirect, as in Kratos v3.
func DefaultErrorEncoder(w http.ResponseWriter, r *http.Request, err error) {
	var rd Redirector
	if stderrors.As(err, &rd) {
		url, code := rd.Redirect()
		http.Redirect(w, r, url, code)
		return
	}
	se := errors.FromError(err)
	codec, _ := codecForHeader(r.Header, "Accept")
	body, merr := codec.Marshal(se)
	if merr != nil && codec.Name() != "json" {
		codec = encoding.GetCodec("json")
		body, merr = codec.Marshal(se)
	}
	if merr != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header()["Content-Type"] = []string{contentType(codec.Name())}
	w.WriteHeader(httpCode(int(se.Code)))
	_, _ = w.Write(body)
}

// httpCode returns code when net/http can write it as a status, else 500.
func httpCode(code int) int {
	if code < 100 || code > 599 {
		return http.StatusInternalServerError
	}
	return code
}

// DefaultRequestEncoder marshals in with the codec of contentType. A
// *httpbody.HttpBody is sent as its data, whatever contentType is: send
// it with ContentType(BodyContentType(body)).
func DefaultRequestEncoder(_ context.Context, contentType string, in any) ([]byte, error) {
	if b, ok := in.(*httpbody.HttpBody); ok {
		return b.GetData(), nil
	}
	codec := encoding.GetCodec(subtype(contentType))
	if codec == nil {
		return nil, fmt.Errorf("transport/http: no codec for content type %q", contentType)
	}
	return codec.Marshal(in)
}

// DefaultResponseDecoder reads the body and decodes it into v with the codec
// of the response's Content-Type (json by default). An empty body decodes to
// nothing. A *httpbody.HttpBody, or a pointer to one, gets the body as it is
// and its Content-Type. It closes the body.
func DefaultResponseDecoder(_ context.Context, res *http.Response, v any) error {
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if b, ok := httpBodyOf(v); ok {
		b.ContentType = res.Header.Get("Content-Type")
		b.Data = data
		return nil
	}
	if len(data) == 0 {
		return nil
	}
	return CodecForResponse(res).Unmarshal(data, v)
}

// DefaultErrorDecoder returns nil for a 2xx response. For any other it reads
// and closes the body and returns an *errors.Error decoded from it, whose
// code is the HTTP status; a body that does not decode gives an error with
// that code, no reason, and the decoding error as cause.
func DefaultErrorDecoder(_ context.Context, res *http.Response) error {
	if res.StatusCode >= 200 && res.StatusCode <= 299 {
		return nil
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err == nil {
		e := new(errors.Error)
		if err = CodecForResponse(res).Unmarshal(data, e); err == nil {
			e.Code = int32(res.StatusCode)
			return e
		}
	}
	return errors.Newf(res.StatusCode, errors.UnknownReason, "").WithCause(err)
}

// setStringVars sets the fields named by vars directly when every one is a
// top-level string field without presence and every value is valid UTF-8,
// which is what the form codec would do, and reports whether it did. The
// usual {name} and {id} variables take this path; others go through the
// form codec.
func setStringVars(msg proto.Message, vars []router.Param) bool {
	fields := stringFieldsOf(msg)
	if len(fields) == 0 {
		return false
	}
	var buf [4]int
	idx := buf[:0]
	for _, p := range vars {
		i, ok := fields[p.Key]
		if !ok || !utf8.ValidString(p.Value) {
			return false
		}
		idx = append(idx, i)
	}
	sv := reflect.ValueOf(msg).Elem()
	for n, p := range vars {
		sv.Field(idx[n]).SetString(p.Value)
	}
	return true
}

// stringFields caches, per generated message type, the Go struct field
// index of each singular string field without presence, by proto name and
// by JSON name. Such a field is a plain string in generated code, so it can
// be set like user code does, without protoreflect's boxing. A type that is
// not a pointer to a generated struct maps to an empty map.
var stringFields sync.Map // reflect.Type -> map[string]int

func stringFieldsOf(msg proto.Message) map[string]int {
	t := reflect.TypeOf(msg)
	if v, ok := stringFields.Load(t); ok {
		return v.(map[string]int)
	}
	fields := map[string]int{}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && !reflect.ValueOf(msg).IsNil() {
		st := t.Elem()
		desc := msg.ProtoReflect().Descriptor().Fields()
		for i := range st.NumField() {
			sf := st.Field(i)
			if sf.Type.Kind() != reflect.String || !sf.IsExported() {
				continue
			}
			fd := desc.ByName(protoreflect.Name(protobufTagName(sf.Tag.Get("protobuf"))))
			if fd == nil || fd.Kind() != protoreflect.StringKind || fd.Cardinality() == protoreflect.Repeated || fd.HasPresence() {
				continue
			}
			fields[string(fd.Name())] = i
			fields[fd.JSONName()] = i
		}
	}
	stringFields.Store(t, fields)
	return fields
}

// protobufTagName returns the name= part of a generated `protobuf:"..."`
// struct tag.
func protobufTagName(tag string) string {
	for tag != "" {
		var part string
		part, tag, _ = strings.Cut(tag, ",")
		if name, ok := strings.CutPrefix(part, "name="); ok {
			return name
		}
	}
	return ""
}

// varsValues returns the path variables as url.Values.
func varsValues(vars []router.Param) map[string][]string {
	vs := make(map[string][]string, len(vars))
	for _, p := range vars {
		vs[p.Key] = []string{p.Value}
	}
	return vs
}
