package http

import (
	"bytes"
	stderrors "errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

func TestReadBody(t *testing.T) {
	long := strings.Repeat("x", 1000)
	for _, c := range []struct {
		name        string
		body        io.Reader
		size, limit int64
		want        string
		tooLarge    bool
		err         bool
	}{
		{name: "small, declared", body: strings.NewReader("hello"), size: 5, want: "hello"},
		{name: "small, unknown size", body: strings.NewReader("hello"), size: -1, want: "hello"},
		{name: "empty, declared", body: strings.NewReader(""), size: 0, want: ""},
		{name: "long, declared", body: strings.NewReader(long), size: 1000, want: long},
		{name: "long, unknown", body: strings.NewReader(long), size: -1, want: long},
		{name: "one byte at a time", body: iotest.OneByteReader(strings.NewReader(long)), size: 1000, want: long},
		{name: "more than declared, small", body: strings.NewReader("hello world"), size: 5, want: "hello world"},
		{name: "more than declared, long", body: strings.NewReader(long + "tail"), size: 1000, want: long + "tail"},
		{name: "less than declared", body: strings.NewReader("hi"), size: 5, want: "hi", err: true},
		{name: "at the limit, declared", body: strings.NewReader("hello"), size: 5, limit: 5, want: "hello"},
		{name: "at the limit, unknown", body: strings.NewReader("hello"), size: -1, limit: 5, want: "hello"},
		{name: "over the limit, declared", body: strings.NewReader("hello!"), size: 6, limit: 5, want: "", tooLarge: true},
		{name: "over the limit, unknown", body: strings.NewReader("hello!"), size: -1, limit: 5, want: "hello", tooLarge: true},
		{name: "over the limit beyond the declared size", body: strings.NewReader("hello!"), size: 5, limit: 5, want: "hello", tooLarge: true},
		{name: "over the limit after more than declared", body: strings.NewReader("hello world"), size: 2, limit: 5, want: "hello", tooLarge: true},
		{name: "read error", body: iotest.ErrReader(io.ErrClosedPipe), size: -1, err: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rb, err := readBody(c.body, c.size, c.limit, nil)
			var mb *http.MaxBytesError
			if got := stderrors.As(err, &mb); got != c.tooLarge {
				t.Fatalf("readBody error = %v, want too large %v", err, c.tooLarge)
			}
			if mb != nil && mb.Limit != c.limit {
				t.Errorf("MaxBytesError.Limit = %d, want %d", mb.Limit, c.limit)
			}
			if !c.tooLarge && (err != nil) != c.err {
				t.Fatalf("readBody error = %v, want error %v", err, c.err)
			}
			if got := string(rb.data); got != c.want {
				t.Errorf("data = %q, want %q", got, c.want)
			}
			again, _ := io.ReadAll(rb)
			if string(again) != c.want {
				t.Errorf("replayed body = %q, want %q", again, c.want)
			}
		})
	}
}

// TestBodyLimitClosesConnection checks that a body over the limit makes
// net/http close the connection after the response, as
// http.MaxBytesReader does, through a real server.
func TestBodyLimitClosesConnection(t *testing.T) {
	for _, c := range []struct {
		name string
		read func(r *http.Request) error
	}{
		{"Bind", nil},
		{"bodyLimit", func(r *http.Request) error {
			_, err := io.ReadAll(r.Body)
			var mb *http.MaxBytesError
			if stderrors.As(err, &mb) {
				return kerrors.New(http.StatusRequestEntityTooLarge, reasonBodyTooLarge, err.Error())
			}
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := NewServer(WithMaxRequestBodySize(8))
			srv.Route("/").POST("/echo", func(ctx Context) error {
				if c.read != nil {
					if err := c.read(ctx.Request()); err != nil {
						return err
					}
					return ctx.String(200, "read")
				}
				var v map[string]any
				if err := ctx.Bind(&v); err != nil {
					return err
				}
				return ctx.String(200, "bound")
			})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			// Chunked, so the size is unknown until read.
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/echo", io.MultiReader(strings.NewReader(`{"a":"0123456789"}`)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte("BODY_TOO_LARGE")) {
				t.Errorf("response = %d %s, want 413 BODY_TOO_LARGE", resp.StatusCode, b)
			}
			if !resp.Close {
				t.Errorf("the response does not close the connection")
			}
		})
	}
}
