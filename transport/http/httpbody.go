package http

import "google.golang.org/genproto/googleapis/api/httpbody"

// defaultBodyContentType is the content type of an HttpBody that has none.
const defaultBodyContentType = "application/octet-stream"

// BodyContentType returns the content type of v when it is a
// *httpbody.HttpBody (google.api.HttpBody) or a pointer to one that has
// one, and "application/octet-stream" otherwise. Generated clients send a
// request HttpBody with it: http.ContentType(http.BodyContentType(in.Body)).
func BodyContentType(v any) string {
	var ct string
	switch b := v.(type) {
	case *httpbody.HttpBody:
		ct = b.GetContentType()
	case **httpbody.HttpBody:
		if b != nil {
			ct = (*b).GetContentType()
		}
	}
	if ct == "" {
		return defaultBodyContentType
	}
	return ct
}

// httpBodyOf returns the HttpBody v stands for: v itself when it is a
// non-nil *httpbody.HttpBody, or the one a **httpbody.HttpBody points to,
// allocated when nil (as decoders allocate the messages they decode into).
func httpBodyOf(v any) (*httpbody.HttpBody, bool) {
	switch b := v.(type) {
	case *httpbody.HttpBody:
		return b, b != nil
	case **httpbody.HttpBody:
		if b == nil {
			return nil, false
		}
		if *b == nil {
			*b = new(httpbody.HttpBody)
		}
		return *b, true
	}
	return nil, false
}
