//go:build unix

package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/genproto/googleapis/api/httpbody"

	"github.com/seed6ad8aa6b/kratos/encoding"
	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// browserPage is the page the browser runs: see its comments.
//
//go:embed testdata/browser.html
var browserPage []byte

// browserLimit bounds the whole browser run, from the start of Chromium
// to the page's report. The run takes about 6 s, half of it the 3 s an
// EventSource waits before it reconnects.
const browserLimit = 30 * time.Second

// Operation names of the streams of the test page.
const (
	opTicks = "/e2e.Ticks/List"
	opChat  = "/e2e.Chat/Talk"
)

// tick is the message of the server-streaming call, answered as
// Server-Sent Events.
type tick struct {
	N int `json:"n"`
}

// ticksRequest is the request of the server-streaming call.
type ticksRequest struct {
	Fail bool `json:"fail"`
}

// chatMessage is the message of the bidi-streaming call, both ways, over
// WebSocket. Room comes from the path, User from the query.
type chatMessage struct {
	Room string `json:"room,omitempty"`
	User string `json:"user,omitempty"`
	Text string `json:"text,omitempty"`
	Seq  int    `json:"seq,omitempty"`
}

// The errors the streams end with.
var (
	errNoTicks      = kerrors.BadRequest("NO_TICKS", "asked to fail")
	errTooManyTicks = kerrors.New(429, "TOO_MANY_TICKS", "three ticks are enough").WithMetadata(map[string]string{"limit": "3"})
	errRoomClosed   = kerrors.Forbidden("ROOM_CLOSED", "room closed is closed").WithMetadata(map[string]string{"room": "closed"})
)

// multiLine is a message with line breaks, sent as a text/plain HttpBody:
// one "data:" line per line, which the browser joins back.
const multiLine = "multi\nline\ndata"

// binaryReply is the last message of the chat, an HttpBody that is not
// text, which goes in a binary frame.
var binaryReply = []byte{0, 1, 0xfe, 0xff}

// browserService is the server side of the test page: it records what the
// handlers and the server middleware saw.
type browserService struct {
	mu          sync.Mutex
	operations  []string // seen by the server middleware, in order
	lastEventID []string // the Last-Event-ID of each ticks call that does not fail
}

func (s *browserService) middleware(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		if tr, ok := transport.FromServerContext(ctx); ok {
			s.mu.Lock()
			s.operations = append(s.operations, tr.Operation())
			s.mu.Unlock()
		}
		return next(ctx, req)
	}
}

// ticks serves the server-streaming call. A first call sends ticks 1 and 2
// (with event ids) around a multi-line message and ends normally; the
// browser then reconnects with Last-Event-ID 2, and the call resumes with
// tick 3 and ends with an error.
func (s *browserService) ticks(req *ticksRequest, stream khttp.ServerStream) error {
	if req.Fail {
		return errNoTicks
	}
	es, ok := khttp.EventStreamFromContext(stream.Context())
	if !ok {
		return kerrors.InternalServer("NO_EVENT_STREAM", "the stream's context has no EventStream")
	}
	last := es.LastEventID()
	s.mu.Lock()
	s.lastEventID = append(s.lastEventID, last)
	s.mu.Unlock()
	switch last {
	case "":
		if err := es.SendEvent("1", &tick{N: 1}); err != nil {
			return err
		}
		if err := stream.Send(&httpbody.HttpBody{ContentType: "text/plain", Data: []byte(multiLine)}); err != nil {
			return err
		}
		return es.SendEvent("2", &tick{N: 2})
	case "2":
		if err := stream.Send(&tick{N: 3}); err != nil {
			return err
		}
		return errTooManyTicks
	}
	return kerrors.BadRequest("LAST_EVENT_ID", "unexpected Last-Event-ID "+last)
}

// chat serves the bidi-streaming call: it answers each message with its
// text in upper case, and the end of the client's messages with a binary
// message. Room "closed" fails at its first message.
func (s *browserService) chat(stream khttp.ServerStream) error {
	n := 0
	for {
		var in chatMessage
		err := stream.Recv(&in)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if in.Room == "closed" {
			return errRoomClosed
		}
		n++
		out := &chatMessage{Room: in.Room, User: in.User, Text: strings.ToUpper(in.Text), Seq: n}
		if err := stream.Send(out); err != nil {
			return err
		}
	}
	return stream.Send(&httpbody.HttpBody{ContentType: "application/octet-stream", Data: binaryReply})
}

// register adds the page, the streams (in the shape generated handlers
// have) and the report endpoint to srv. The page's report goes to reports.
func (s *browserService) register(srv *khttp.Server, reports chan<- []byte) {
	srv.HandleFunc("/", func(w nethttp.ResponseWriter, _ *nethttp.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(browserPage)
	})
	srv.HandleFunc("/report", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			nethttp.Error(w, err.Error(), nethttp.StatusBadRequest)
			return
		}
		select {
		case reports <- body:
		default: // one report is all the test reads
		}
		w.WriteHeader(nethttp.StatusNoContent)
	})
	srv.Route("/").GET("/v1/ticks", func(ctx khttp.Context) error {
		var in ticksRequest
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		stream := khttp.NewServerSentEventServerStream(ctx)
		khttp.SetOperation(ctx, opTicks)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			stream.SetContext(ctx)
			return nil, s.ticks(req.(*ticksRequest), stream)
		})
		_, err := h(stream.Context(), &in)
		return stream.Close(err)
	})
	srv.Route("/").GET("/v1/rooms/{room}/chat", func(ctx khttp.Context) error {
		stream, err := khttp.NewWebSocketServerStream(ctx)
		if err != nil {
			return err
		}
		khttp.SetOperation(ctx, opChat)
		h := ctx.Middleware(func(ctx context.Context, _ any) (any, error) {
			stream.SetContext(ctx)
			return nil, s.chat(stream)
		})
		_, err = h(stream.Context(), nil)
		return stream.Close(err)
	})
}

// browserReport is what the page reports.
type browserReport struct {
	UserAgent  string    `json:"userAgent"`
	PageErrors []string  `json:"pageErrors"`
	EarlySSE   sseReport `json:"earlySSE"`
	SSE        sseReport `json:"sse"`
	Chat       wsReport  `json:"chat"`
	ClosedRoom wsReport  `json:"closedRoom"`
}

type sseReport struct {
	TimedOut  bool         `json:"timedOut"`
	Exception string       `json:"exception"`
	Opens     int          `json:"opens"`
	Messages  []sseMessage `json:"messages"`
	Errors    []sseError   `json:"errors"`
}

type sseMessage struct {
	Data        string `json:"data"`
	LastEventID string `json:"lastEventId"`
}

// sseError is an "error" event of an EventSource: the server's event
// "error" (a MessageEvent, with Data) or the browser's own.
type sseError struct {
	MessageEvent bool   `json:"messageEvent"`
	Data         string `json:"data"`
	ReadyState   int    `json:"readyState"`
}

// ReadyState values of an EventSource.
const (
	esConnecting = 0
	esOpen       = 1
	esClosed     = 2
)

type wsReport struct {
	TimedOut  bool              `json:"timedOut"`
	Exception string            `json:"exception"`
	Messages  []chatMessage     `json:"messages"`
	Binary    [][]int           `json:"binary"` // the bytes of each binary message
	Errors    []json.RawMessage `json:"errors"` // checked by wantError
	Close     wsClose           `json:"close"`
}

type wsClose struct {
	Code     int    `json:"code"`
	Reason   string `json:"reason"`
	WasClean bool   `json:"wasClean"`
}

// TestBrowserStreams loads a page served by the framework in headless
// Chromium. The page reads a server-streaming call with EventSource (an
// error before the first event; events with ids, a multi-line message, a
// normal end after which the browser reconnects with Last-Event-ID, and an
// error event after the first event) and talks to a bidi-streaming call
// with WebSocket (messages both ways with the path and query set over
// them, the half-close, a binary message, a typed error), and reports what
// it saw to the server.
func TestBrowserStreams(t *testing.T) {
	bin := chromiumBinary(t)

	svc := new(browserService)
	reports := make(chan []byte, 1)
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.Middleware(svc.middleware))
	svc.register(srv, reports)
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() = %v", err)
		}
		if err := <-serveDone; err != nil {
			t.Errorf("Start() = %v", err)
		}
	})

	start := time.Now()
	b := startChromium(t, bin, u.String()+"/")
	var raw []byte
	select {
	case raw = <-reports:
	case <-b.exited:
		t.Fatalf("chromium exited before the page reported: %v", b.waitErr)
	case <-time.After(browserLimit):
		t.Fatalf("no report from the page within %v", browserLimit)
	}
	t.Logf("the page reported after %v", time.Since(start).Round(time.Millisecond))

	var got browserReport
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("report %s: %v", raw, err)
	}
	t.Logf("browser: %s", got.UserAgent)
	if len(got.PageErrors) > 0 {
		t.Errorf("page errors: %q", got.PageErrors)
	}

	t.Run("SSEErrorBeforeFirstEvent", func(t *testing.T) {
		// An error before the first event is an ordinary error response:
		// EventSource fails the connection for good, without its body.
		want := sseReport{Errors: []sseError{{ReadyState: esClosed}}}
		if diff := cmp.Diff(want, got.EarlySSE, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("EventSource events (-want +got):\n%s", diff)
		}
	})

	t.Run("SSE", func(t *testing.T) {
		want := sseReport{
			Opens: 2,
			Messages: []sseMessage{
				{Data: jsonOf(t, &tick{N: 1}), LastEventID: "1"},
				{Data: multiLine, LastEventID: "1"},
				{Data: jsonOf(t, &tick{N: 2}), LastEventID: "2"},
				{Data: jsonOf(t, &tick{N: 3}), LastEventID: "2"},
			},
			Errors: []sseError{
				// The normal end of the first call: the browser reconnects.
				{ReadyState: esConnecting},
				// The server's event "error", delivered to the same
				// "error" listeners as the browser's own errors.
				{MessageEvent: true, Data: jsonOf(t, errTooManyTicks), ReadyState: esOpen},
				// The end of the second call: the browser would reconnect
				// again (and call again) had the page not closed it.
				{ReadyState: esConnecting},
			},
		}
		if diff := cmp.Diff(want, got.SSE, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("EventSource events (-want +got):\n%s", diff)
		}
		for _, e := range got.SSE.Errors {
			if e.MessageEvent {
				wantError(t, e.Data, errTooManyTicks)
			}
		}
		svc.mu.Lock()
		defer svc.mu.Unlock()
		if diff := cmp.Diff([]string{"", "2"}, svc.lastEventID); diff != "" {
			t.Errorf("Last-Event-ID of the calls (-want +got):\n%s", diff)
		}
	})

	t.Run("WebSocket", func(t *testing.T) {
		binary := make([]int, len(binaryReply))
		for i, c := range binaryReply {
			binary[i] = int(c)
		}
		want := wsReport{
			Messages: []chatMessage{
				{Room: "lobby", User: "ann", Text: "HELLO", Seq: 1},
				{Room: "lobby", User: "ann", Text: "BROWSER", Seq: 2},
			},
			Binary: [][]int{binary},
			Close:  wsClose{Code: 1000, WasClean: true},
		}
		if diff := cmp.Diff(want, got.Chat, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("WebSocket events (-want +got):\n%s", diff)
		}
	})

	t.Run("WebSocketError", func(t *testing.T) {
		want := wsReport{Close: wsClose{Code: 1011, Reason: errRoomClosed.Message, WasClean: true}}
		if diff := cmp.Diff(want, got.ClosedRoom, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(wsReport{}, "Errors")); diff != "" {
			t.Errorf("WebSocket events (-want +got):\n%s", diff)
		}
		if len(got.ClosedRoom.Errors) != 1 {
			t.Fatalf("got %d error messages, want 1", len(got.ClosedRoom.Errors))
		}
		wantError(t, string(got.ClosedRoom.Errors[0]), errRoomClosed)
	})

	t.Run("Middleware", func(t *testing.T) {
		svc.mu.Lock()
		defer svc.mu.Unlock()
		want := []string{opTicks, opTicks, opTicks, opChat, opChat}
		if diff := cmp.Diff(want, svc.operations); diff != "" {
			t.Errorf("operations seen by the server middleware (-want +got):\n%s", diff)
		}
	})
}

// jsonOf returns v in the json codec, as the server writes it.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := encoding.GetCodec("json").Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantError checks that data, the JSON of an error the page received,
// decodes into an error with the code, reason, message and metadata of
// want.
func wantError(t *testing.T, data string, want *kerrors.Error) {
	t.Helper()
	got := new(kerrors.Error)
	if err := encoding.GetCodec("json").Unmarshal([]byte(data), got); err != nil {
		t.Fatalf("error payload %q: %v", data, err)
	}
	type fields struct {
		Code     int32
		Reason   string
		Message  string
		Metadata map[string]string
	}
	g := fields{got.Code, got.Reason, got.Message, got.Metadata}
	w := fields{want.Code, want.Reason, want.Message, want.Metadata}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("error from %q (-want +got):\n%s", data, diff)
	}
}

// chromiumBinary returns the Chromium to run: $KRATOS_TEST_CHROMIUM, else
// chromium on the PATH. Without one the test skips, unless it runs in CI
// (CI set), where hack/test.sh installs it.
func chromiumBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("KRATOS_TEST_CHROMIUM"); bin != "" {
		return bin
	}
	bin, err := exec.LookPath("chromium")
	if err == nil {
		return bin
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("no chromium in CI: %v (hack/test.sh installs the Debian package chromium when run as root)", err)
	}
	t.Skipf("no chromium: %v; install the Debian package chromium, or set KRATOS_TEST_CHROMIUM to a Chromium binary", err)
	return ""
}

// browser is a running headless Chromium.
type browser struct {
	exited  chan struct{} // closed when the process has exited
	waitErr error         // the process's exit, set before exited is closed
	out     *syncBuffer
}

func (b *browser) output() string { return b.out.String() }

// startChromium starts a headless Chromium, with a profile of its own,
// that loads url. The test's cleanup kills it and every process it
// started.
func startChromium(t *testing.T, bin, url string) *browser {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin,
		"--headless",
		"--no-sandbox", // root in CI containers
		"--disable-gpu",
		"--disable-dev-shm-usage",
		"--user-data-dir="+filepath.Join(home, "profile"),
		"--disable-crash-reporter",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-default-apps",
		"--disable-extensions",
		"--disable-sync",
		"--enable-logging=stderr",
		url,
	)
	// Its caches, crash reports and settings go to the temporary home,
	// not the user's.
	cmd.Env = append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
	)
	b := &browser{exited: make(chan struct{}), out: new(syncBuffer)}
	cmd.Stdout, cmd.Stderr = b.out, b.out
	// A process group of its own, so that the cleanup reaches the
	// renderer and helper processes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		b.waitErr = cmd.Wait()
		close(b.exited)
	}()
	t.Cleanup(func() {
		// SIGTERM makes Chromium shut down and reap its helpers; SIGKILL
		// to the whole group then ends whatever is left, also when it
		// did not exit in time.
		pgid := cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		timer := time.NewTimer(5 * time.Second)
		defer timer.Stop()
		select {
		case <-b.exited:
		case <-timer.C:
			t.Logf("chromium did not exit within 5s of SIGTERM; killing it")
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-b.exited
		if t.Failed() {
			t.Logf("chromium's output:\n%s", b.output())
		}
	})
	return b
}
