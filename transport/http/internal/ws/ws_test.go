package ws

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func handshake() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://example.com/ws", nil)
	r.Header.Set("Connection", "keep-alive, Upgrade")
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	return r
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(*http.Request)
		want   int // 0 for accepted
	}{
		{"valid", func(*http.Request) {}, 0},
		{"same origin", func(r *http.Request) { r.Header.Set("Origin", "https://EXAMPLE.com") }, 0},
		{"POST", func(r *http.Request) { r.Method = http.MethodPost }, http.StatusMethodNotAllowed},
		{"no upgrade token", func(r *http.Request) { r.Header.Set("Connection", "keep-alive") }, http.StatusBadRequest},
		{"not websocket", func(r *http.Request) { r.Header.Set("Upgrade", "h2c") }, http.StatusBadRequest},
		{"old version", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, http.StatusBadRequest},
		{"no key", func(r *http.Request) { r.Header.Del("Sec-WebSocket-Key") }, http.StatusBadRequest},
		{"short key", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "c2hvcnQ=") }, http.StatusBadRequest},
		{"not base64", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!!!") }, http.StatusBadRequest},
		{"foreign origin", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }, http.StatusForbidden},
		{"bad origin", func(r *http.Request) { r.Header.Set("Origin", "%zz") }, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := handshake()
			tt.change(r)
			err := Check(r)
			var he *HandshakeError
			switch {
			case tt.want == 0 && err != nil:
				t.Errorf("Check() error = %v, want nil", err)
			case tt.want != 0 && (!errors.As(err, &he) || he.Status != tt.want):
				t.Errorf("Check() error = %v, want a HandshakeError with status %d", err, tt.want)
			}
		})
	}
}

// pair returns both ends of a connection made through Upgrade and Dial.
func pair(t *testing.T, readLimit int64) (server, client *Conn) {
	t.Helper()
	conns := make(chan *Conn, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Upgrade(w, r, http.Header{"X-Hello": {"1"}}, readLimit)
		if err != nil {
			t.Errorf("Upgrade() error = %v", err)
			return
		}
		conns <- c
	}))
	t.Cleanup(ts.Close)
	client, res, err := Dialer{ReadLimit: readLimit}.Dial(context.Background(), "ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		t.Fatalf("Dial() error = %v", err)
	}
	if res.Header.Get("X-Hello") != "1" {
		t.Errorf("handshake header X-Hello = %q, want 1", res.Header.Get("X-Hello"))
	}
	server = <-conns
	t.Cleanup(func() {
		server.Close()
		client.Close()
	})
	return server, client
}

func TestMessages(t *testing.T) {
	server, client := pair(t, 0)
	writes := []func() error{
		func() error { return client.WriteData(false, []byte(`{"a":1}`)) },
		func() error { return client.WriteData(true, []byte{0x1e, 0}) }, // binary: never a control message
		func() error { return client.c.WriteMessage(1, []byte("\x1eunknown")) },
		func() error { return client.WriteEnd() },
		func() error { return client.WriteError([]byte(`{"code":404}`)) },
		func() error { return client.WriteClose(CloseInternalError, "bye") },
	}
	want := []Message{
		{Kind: Data, Data: []byte(`{"a":1}`)},
		{Kind: Data, Binary: true, Data: []byte{0x1e, 0}},
		{Kind: End},
		{Kind: Error, Data: []byte(`{"code":404}`)},
	}
	for _, w := range writes {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	for i, w := range want {
		got, err := server.Read()
		if err != nil {
			t.Fatalf("Read() %d error = %v", i, err)
		}
		if got.Kind != w.Kind || got.Binary != w.Binary || string(got.Data) != string(w.Data) {
			t.Errorf("Read() %d = %+v, want %+v", i, got, w)
		}
	}
	_, err := server.Read()
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseInternalError || ce.Text != "bye" || ce.Normal() {
		t.Errorf("Read() after the close error = %v, want a CloseError 1011 bye", err)
	}
}

func TestReadLimit(t *testing.T) {
	server, client := pair(t, 8)
	if err := client.WriteData(false, []byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Read(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read() error = %v, want ErrTooLarge", err)
	}
	_, err := client.Read()
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseTooBig {
		t.Errorf("the writer's Read() error = %v, want a close 1009", err)
	}
}

func TestWriteCloseCutsLongText(t *testing.T) {
	server, client := pair(t, 0)
	text := strings.Repeat("é", 100) // 200 bytes
	if err := server.WriteClose(CloseInternalError, text); err != nil {
		t.Fatal(err)
	}
	_, err := client.Read()
	var ce *CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Read() error = %v, want a CloseError", err)
	}
	if len(ce.Text) > 123 || !utf8.ValidString(ce.Text) || !strings.HasPrefix(text, ce.Text) {
		t.Errorf("close text = %q (%d bytes), want a valid prefix of at most 123 bytes", ce.Text, len(ce.Text))
	}
}

// TestDialCanceledDuringHandshake dials a server that accepts the
// connection and never answers: canceling the context ends Dial.
func TestDialCanceledDuringHandshake(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := lis.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		if c, ok := <-accepted; ok {
			defer c.Close()
			cancel()
			// Hold the connection until the dialer gave up on it.
			buf := make([]byte, 1)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}
	}()
	_, _, err = Dialer{}.Dial(ctx, "ws://"+lis.Addr().String()+"/", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Dial() error = %v, want context.Canceled", err)
	}
}
