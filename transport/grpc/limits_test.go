package grpc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// The limits of the server are tested with a bare HTTP/2 connection where
// a grpc-go client would hide them: it reads the server's SETTINGS and
// sends what a well-behaved client would not.

// HTTP/2 frame types, flags, settings and error codes (RFC 9113).
const (
	h2Headers      = 0x1
	h2RSTStream    = 0x3
	h2Settings     = 0x4
	h2Ping         = 0x6
	h2GoAway       = 0x7
	h2Continuation = 0x9

	h2EndHeaders = 0x4
	h2Ack        = 0x1

	h2MaxConcurrentStreams = 0x3
	h2MaxHeaderListSize    = 0x6

	h2FrameSizeError   = 0x6
	h2EnhanceYourCalm  = 0xb
	h2MaxFramePayload  = 16384
	h2ClientPreface    = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	h2ConnDeadline     = 10 * time.Second
	h2SettingEntrySize = 6
)

type h2Frame struct {
	typ, flags byte
	stream     uint32
	payload    []byte
}

// h2Conn is a bare HTTP/2 client connection.
type h2Conn struct {
	t testing.TB
	c net.Conn
}

// dialH2 connects to addr and sends the client preface and empty SETTINGS.
// Everything on the connection must happen within h2ConnDeadline.
func dialH2(t testing.TB, addr string) *h2Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(h2ConnDeadline))
	h := &h2Conn{t: t, c: c}
	if _, err := io.WriteString(c, h2ClientPreface); err != nil {
		t.Fatal(err)
	}
	if err := h.write(h2Settings, 0, 0, nil); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *h2Conn) write(typ, flags byte, stream uint32, payload []byte) error {
	hdr := make([]byte, 9, 9+len(payload))
	hdr[0], hdr[1], hdr[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	hdr[3], hdr[4] = typ, flags
	binary.BigEndian.PutUint32(hdr[5:], stream)
	_, err := h.c.Write(append(hdr, payload...))
	return err
}

func (h *h2Conn) read() (h2Frame, error) {
	var hdr [9]byte
	if _, err := io.ReadFull(h.c, hdr[:]); err != nil {
		return h2Frame{}, err
	}
	n := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
	f := h2Frame{typ: hdr[3], flags: hdr[4], stream: binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff, payload: make([]byte, n)}
	_, err := io.ReadFull(h.c, f.payload)
	return f, err
}

// until reads frames until one of type typ arrives, and returns it. It
// fails the test when the connection ends or the deadline passes first.
func (h *h2Conn) until(typ byte) h2Frame {
	h.t.Helper()
	for {
		f, err := h.read()
		if err != nil {
			h.t.Fatalf("reading frames for type %#x: %v", typ, err)
		}
		if f.typ == typ && !(typ == h2Settings && f.flags&h2Ack != 0) {
			return f
		}
	}
}

// ended reads until the server ends the connection and reports whether it
// did so before the deadline. Any frames on the way are returned.
func (h *h2Conn) ended() ([]h2Frame, bool) {
	var frames []h2Frame
	for {
		f, err := h.read()
		if err != nil {
			var ne net.Error
			return frames, !(errors.As(err, &ne) && ne.Timeout())
		}
		frames = append(frames, f)
	}
}

// sendHeaders sends a SayHello request on stream whose header block
// carries the extra fields, split into HEADERS and CONTINUATION frames.
// Write errors are returned: the server may close the connection while
// the block is on its way.
func (h *h2Conn) sendHeaders(stream uint32, addr string, extra ...[2]string) error {
	fields := append([][2]string{
		{":method", "POST"}, {":scheme", "http"}, {":path", greeterPrefix + "SayHello"},
		{":authority", addr}, {"content-type", "application/grpc"}, {"te", "trailers"},
	}, extra...)
	var block []byte
	for _, f := range fields {
		block = append(block, 0) // literal field, not indexed, new name
		block = hpackString(block, f[0])
		block = hpackString(block, f[1])
	}
	typ := byte(h2Headers)
	for {
		n := min(len(block), h2MaxFramePayload)
		var flags byte
		if n == len(block) {
			flags = h2EndHeaders
		}
		if err := h.write(typ, flags, stream, block[:n]); err != nil {
			return err
		}
		block, typ = block[n:], h2Continuation
		if len(block) == 0 {
			return nil
		}
	}
}

// hpackString appends s as an HPACK string literal without Huffman coding.
func hpackString(b []byte, s string) []byte {
	n := len(s)
	if n < 127 {
		b = append(b, byte(n))
	} else {
		b = append(b, 127)
		for n -= 127; n >= 128; n >>= 7 {
			b = append(b, byte(n&127|128))
		}
		b = append(b, byte(n))
	}
	return append(b, s...)
}

func settingsOf(f h2Frame) map[uint16]uint32 {
	m := map[uint16]uint32{}
	for p := f.payload; len(p) >= h2SettingEntrySize; p = p[h2SettingEntrySize:] {
		m[binary.BigEndian.Uint16(p)] = binary.BigEndian.Uint32(p[2:])
	}
	return m
}

// TestServerAdvertisesLimits checks the limits a server announces in its
// SETTINGS, by default and when Options overrides them.
func TestServerAdvertisesLimits(t *testing.T) {
	tests := []struct {
		name                   string
		opts                   []ServerOption
		headerList, maxStreams uint32
	}{
		{name: "defaults", headerList: 1 << 20, maxStreams: 1000},
		{
			name:       "overridden with Options",
			opts:       []ServerOption{Options(grpc.MaxHeaderListSize(4<<20), grpc.MaxConcurrentStreams(10))},
			headerList: 4 << 20, maxStreams: 10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := startServer(t, &greeter{}, tt.opts...)
			settings := settingsOf(dialH2(t, addr).until(h2Settings))
			if got := settings[h2MaxHeaderListSize]; got != tt.headerList {
				t.Errorf("SETTINGS_MAX_HEADER_LIST_SIZE = %d, want %d", got, tt.headerList)
			}
			if got := settings[h2MaxConcurrentStreams]; got != tt.maxStreams {
				t.Errorf("SETTINGS_MAX_CONCURRENT_STREAMS = %d, want %d", got, tt.maxStreams)
			}
		})
	}
}

// TestLargeMetadataRefused sends metadata around the 1 MiB limit from a
// grpc-go client, which refuses to send what the server announced it
// would not take.
func TestLargeMetadataRefused(t *testing.T) {
	tests := []struct {
		name string
		opts []ServerOption
		size int
		want codes.Code
	}{
		{name: "under the limit", size: 512 << 10, want: codes.OK},
		{name: "over the limit", size: 2 << 20, want: codes.Internal},
		{name: "limit raised with Options", opts: []ServerOption{Options(grpc.MaxHeaderListSize(4 << 20))}, size: 2 << 20, want: codes.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := startServer(t, &greeter{}, tt.opts...)
			// Megabytes of metadata under -race on a busy machine can take
			// longer than the client's default 2s timeout: no per-call
			// timeout here, the test context bounds the call.
			client := pb.NewGreeterClient(dialTest(t, addr, WithTimeout(0)))
			ctx := metadata.AppendToOutgoingContext(testContext(t), "x-big", strings.Repeat("a", tt.size))
			_, err := client.SayHello(ctx, &pb.HelloRequest{}, grpc.WaitForReady(true))
			if got := status.Code(err); got != tt.want {
				t.Errorf("SayHello() code = %v (%v), want %v", got, err, tt.want)
			}
			if tt.want != codes.OK && !strings.Contains(status.Convert(err).Message(), "1048576") {
				t.Errorf("SayHello() error = %v, want it to name the limit of 1048576 bytes", err)
			}
		})
	}
}

// TestHostileHeaders sends oversized header blocks the way a client that
// ignores the server's SETTINGS would: the server must not take them in,
// and must go on serving others.
func TestHostileHeaders(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	t.Run("one value over the limit ends the connection", func(t *testing.T) {
		h := dialH2(t, addr)
		_ = h.sendHeaders(1, addr, [2]string{"x-big", strings.Repeat("a", 15<<20)})
		frames, ended := h.ended()
		if !ended {
			t.Fatal("server kept the connection open")
		}
		for _, f := range frames {
			if f.typ == h2Headers {
				t.Error("server answered the request, want the connection closed")
			}
		}
	})
	t.Run("many values over the limit reset the stream", func(t *testing.T) {
		h := dialH2(t, addr)
		v := strings.Repeat("a", 300<<10)
		if err := h.sendHeaders(1, addr, [2]string{"x-a", v}, [2]string{"x-b", v}, [2]string{"x-c", v}, [2]string{"x-d", v}); err != nil {
			t.Fatalf("sending headers: %v", err)
		}
		f := h.until(h2RSTStream)
		if got := binary.BigEndian.Uint32(f.payload); f.stream != 1 || got != h2FrameSizeError {
			t.Errorf("RST_STREAM on stream %d with code %#x, want stream 1 with FRAME_SIZE_ERROR", f.stream, got)
		}
	})
	if _, err := pb.NewGreeterClient(dialTest(t, addr)).SayHello(testContext(t), &pb.HelloRequest{}); err != nil {
		t.Errorf("SayHello() after hostile headers error = %v", err)
	}
}

// TestIdleConnectionsClosed checks that the server sends GOAWAY on a
// connection without calls once the idle timeout has passed, whether it is
// set by WithIdleTimeout or by grpc-go's option.
func TestIdleConnectionsClosed(t *testing.T) {
	tests := []struct {
		name string
		opts []ServerOption
	}{
		{name: "WithIdleTimeout", opts: []ServerOption{WithIdleTimeout(100 * time.Millisecond)}},
		{name: "Options wins", opts: []ServerOption{
			WithIdleTimeout(0),
			Options(grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 100 * time.Millisecond})),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := startServer(t, &greeter{}, tt.opts...)
			f := dialH2(t, addr).until(h2GoAway)
			if debug := string(f.payload[8:]); debug != "max_idle" {
				t.Errorf("GOAWAY debug data = %q, want %q", debug, "max_idle")
			}
		})
	}
}

// TestPingFloodDisconnected sends pings back to back: the server answers
// a few and then disconnects the client.
func TestPingFloodDisconnected(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	h := dialH2(t, addr)
	for i := range 10 {
		if err := h.write(h2Ping, 0, 0, binary.BigEndian.AppendUint64(nil, uint64(i))); err != nil {
			break // disconnected already
		}
	}
	f := h.until(h2GoAway)
	code, debug := binary.BigEndian.Uint32(f.payload[4:8]), f.payload[8:]
	if code != h2EnhanceYourCalm || !bytes.Equal(debug, []byte("too_many_pings")) {
		t.Errorf("GOAWAY code %#x, debug %q; want ENHANCE_YOUR_CALM, %q", code, debug, "too_many_pings")
	}
}
