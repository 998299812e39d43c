package http_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// countingTransport counts the response body bytes the client reads.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if res != nil {
		res.Body = &countingBody{ReadCloser: res.Body, n: &c.n}
	}
	return res, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// endless answers with status and a JSON-looking body that never ends, as
// fast as the client reads it.
func endless(status int) http.HandlerFunc {
	chunk := []byte(strings.Repeat(" ", 32<<10))
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if _, err := w.Write([]byte(`{"message":"`)); err != nil {
			return
		}
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// jsonString answers with status and a JSON string of n bytes in all,
// with its Content-Length.
func jsonString(status, n int) http.HandlerFunc {
	body := `"` + strings.Repeat("a", n-2) + `"`
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestClientMaxResponseBodySize(t *testing.T) {
	const limit = 64 << 10
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    []khttp.ClientOption
		do      bool // call Do instead of Invoke
		// wantCode and wantReason describe the error, wantCause the reason
		// of its cause; all zero for success.
		wantCode   int
		wantReason string
		wantCause  string
		maxRead    int64 // most body bytes the client may read
	}{
		{
			name:    "reply at the limit",
			handler: jsonString(200, limit),
			opts:    []khttp.ClientOption{khttp.WithMaxResponseBodySize(limit)},
			maxRead: limit,
		},
		{
			name:       "declared length over the limit",
			handler:    jsonString(200, limit+1),
			opts:       []khttp.ClientOption{khttp.WithMaxResponseBodySize(limit)},
			wantCode:   502,
			wantReason: "RESPONSE_TOO_LARGE",
			maxRead:    0,
		},
		{
			name:       "endless reply",
			handler:    endless(200),
			opts:       []khttp.ClientOption{khttp.WithMaxResponseBodySize(limit)},
			wantCode:   502,
			wantReason: "RESPONSE_TOO_LARGE",
			maxRead:    limit + 1,
		},
		{
			name:       "endless reply, default limit",
			handler:    endless(200),
			wantCode:   502,
			wantReason: "RESPONSE_TOO_LARGE",
			maxRead:    4<<20 + 1,
		},
		{
			name:    "no limit",
			handler: jsonString(200, 5<<20),
			opts:    []khttp.ClientOption{khttp.WithMaxResponseBodySize(0)},
			maxRead: 5 << 20,
		},
		{
			name: "small error body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(409)
				io.WriteString(w, `{"code":409,"reason":"TAKEN","message":"name taken"}`)
			},
			opts:       []khttp.ClientOption{khttp.WithMaxResponseBodySize(limit)},
			wantCode:   409,
			wantReason: "TAKEN",
			maxRead:    limit,
		},
		{
			name:      "endless error body",
			handler:   endless(500),
			opts:      []khttp.ClientOption{khttp.WithMaxResponseBodySize(limit)},
			wantCode:  500,
			wantCause: "RESPONSE_TOO_LARGE",
			maxRead:   limit + 1,
		},
		{
			name:      "endless error body, default limit",
			handler:   endless(503),
			wantCode:  503,
			wantCause: "RESPONSE_TOO_LARGE",
			maxRead:   1<<20 + 1,
		},
		{
			name:      "Do, endless error body",
			handler:   endless(500),
			do:        true,
			wantCode:  500,
			wantCause: "RESPONSE_TOO_LARGE",
			maxRead:   1<<20 + 1,
		},
		{
			name:    "Do, reply over the limit",
			handler: jsonString(200, limit+1),
			opts:    []khttp.ClientOption{khttp.WithMaxResponseBodySize(limit)},
			do:      true,
			maxRead: limit + 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.handler)
			defer ts.Close()
			rt := &countingTransport{}
			c := newClient(t, ts.Listener.Addr().String(), append([]khttp.ClientOption{khttp.WithTransport(rt)}, tt.opts...)...)

			var err error
			if tt.do {
				req, _ := http.NewRequest("GET", ts.URL+"/", nil)
				var res *http.Response
				if res, err = c.Do(req); err == nil {
					// The caller reads and bounds the body of Do.
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			} else {
				var out string
				err = c.Invoke(context.Background(), "GET", "/", nil, &out)
			}

			if got := rt.n.Load(); got > tt.maxRead {
				t.Errorf("client read %d body bytes, want at most %d", got, tt.maxRead)
			}
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("call error = %v, want nil", err)
				}
				return
			}
			if got := kerrors.Code(err); got != tt.wantCode {
				t.Errorf("error code = %d (%v), want %d", got, err, tt.wantCode)
			}
			if got := kerrors.Reason(err); got != tt.wantReason {
				t.Errorf("error reason = %q, want %q", got, tt.wantReason)
			}
			if got := kerrors.Reason(errors.Unwrap(err)); got != tt.wantCause {
				t.Errorf("error cause reason = %q (cause %v), want %q", got, errors.Unwrap(err), tt.wantCause)
			}
		})
	}
}

// BenchmarkClientHostileUpstream measures what one Invoke against an
// upstream streaming an endless body costs the client, with the default
// limit and without one (the behaviour before the limit existed); read-B/op
// is the body bytes the client read. Compare B/op.
func BenchmarkClientHostileUpstream(b *testing.B) {
	ts := httptest.NewServer(endless(200))
	defer ts.Close()
	for _, bc := range []struct {
		name string
		opts []khttp.ClientOption
	}{
		{"limit=default", nil},
		{"limit=none", []khttp.ClientOption{khttp.WithMaxResponseBodySize(0)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := &countingTransport{}
			c := newClient(b, ts.Listener.Addr().String(), append([]khttp.ClientOption{khttp.WithTransport(rt)}, bc.opts...)...)
			b.ReportAllocs()
			for b.Loop() {
				var out string
				if err := c.Invoke(context.Background(), "GET", "/", nil, &out); err == nil {
					b.Fatal("Invoke() error = nil, want an error")
				}
			}
			b.ReportMetric(float64(rt.n.Load())/float64(b.N), "read-B/op")
		})
	}
}
