package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestAppendEvent(t *testing.T) {
	tests := []struct {
		name, event, id, data string
		want                  string
	}{
		{"one line", "message", "", `{"a":1}`, "event: message\ndata: {\"a\":1}\n\n"},
		{"with id", "message", "7", "x", "event: message\nid: 7\ndata: x\n\n"},
		{"no name", "", "", "x", "data: x\n\n"},
		{"lines split on LF", "message", "", "a\nb\n", "event: message\ndata: a\ndata: b\ndata: \n\n"},
		{"lines split on CRLF and CR", "e", "", "a\r\nb\rc", "event: e\ndata: a\ndata: b\ndata: c\n\n"},
		{"empty data", "e", "", "", "event: e\ndata: \n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendEvent(nil, tt.event, tt.id, []byte(tt.data))
			if err != nil {
				t.Fatalf("AppendEvent() error = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("AppendEvent() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendEventRefusesBadFields(t *testing.T) {
	tests := []struct{ name, event, id string }{
		{"id with LF", "m", "1\n2"},
		{"id with CR", "m", "1\r"},
		{"id with NUL", "m", "1\x00"},
		{"name with LF", "m\nx", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendEvent([]byte("kept"), tt.event, tt.id, []byte("x"))
			if err == nil {
				t.Errorf("AppendEvent(%q, %q) error = nil, want an error", tt.event, tt.id)
			}
			if string(got) != "kept" {
				t.Errorf("AppendEvent() = %q, want the buffer unchanged", got)
			}
		})
	}
}

func TestAppendComment(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ":\n\n"},
		{"keep-alive", ": keep-alive\n\n"},
		{"a\nb\rc", ": a b c\n\n"},
	}
	for _, tt := range tests {
		if got := string(AppendComment(nil, tt.text)); got != tt.want {
			t.Errorf("AppendComment(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func readAll(t *testing.T, stream string, limit int) ([]Event, error) {
	t.Helper()
	r := NewReader(strings.NewReader(stream), limit)
	var evs []Event
	for {
		ev, err := r.Next()
		if err != nil {
			return evs, err
		}
		ev.Data = bytes.Clone(ev.Data)
		evs = append(evs, ev)
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		want    []Event
		wantErr error
	}{
		{
			name:   "two events",
			stream: "event: message\ndata: a\n\nevent: error\ndata: b\n\n",
			want:   []Event{{Name: "message", Data: []byte("a"), Retry: -1}, {Name: "error", Data: []byte("b"), Retry: -1}},
		},
		{
			name:   "multi-line data joined with LF",
			stream: "data: a\ndata: b\ndata:\n\n",
			want:   []Event{{Data: []byte("a\nb\n"), Retry: -1}},
		},
		{
			name:   "CR and CRLF line ends",
			stream: "event: x\r\ndata: a\rdata: b\r\n\r\n",
			want:   []Event{{Name: "x", Data: []byte("a\nb"), Retry: -1}},
		},
		{
			name:   "only the first space is stripped, no space is fine",
			stream: "data:  two\ndata:none\n\n",
			want:   []Event{{Data: []byte(" two\nnone"), Retry: -1}},
		},
		{
			name:   "comments, unknown fields and events without data are skipped",
			stream: ": keep-alive\n\nfoo: bar\n\nevent: ping\n\ndata: x\n\n",
			want:   []Event{{Data: []byte("x"), Retry: -1}},
		},
		{
			name:   "ids carry over, NUL ids are ignored",
			stream: "id: 1\ndata: a\n\ndata: b\n\nid: 2\x00\ndata: c\n\nid\ndata: d\n\n",
			want: []Event{
				{ID: "1", Data: []byte("a"), Retry: -1}, {ID: "1", Data: []byte("b"), Retry: -1},
				{ID: "1", Data: []byte("c"), Retry: -1}, {ID: "", Data: []byte("d"), Retry: -1},
			},
		},
		{
			name:   "retry",
			stream: "retry: 1500\ndata: a\n\nretry: 1x\ndata: b\n\n",
			want:   []Event{{Data: []byte("a"), Retry: 1500}, {Data: []byte("b"), Retry: -1}},
		},
		{
			name:   "leading BOM",
			stream: "\xEF\xBB\xBFdata: a\n\n",
			want:   []Event{{Data: []byte("a"), Retry: -1}},
		},
		{
			name:    "cut inside an event",
			stream:  "data: a\n\ndata: b\n",
			want:    []Event{{Data: []byte("a"), Retry: -1}},
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name:    "empty stream",
			stream:  "",
			wantErr: io.EOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.stream, 0)
			want := tt.wantErr
			if want == nil {
				want = io.EOF
			}
			if !errors.Is(err, want) {
				t.Errorf("Next() error = %v, want %v", err, want)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("read %d events %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Name != w.Name || g.ID != w.ID || !bytes.Equal(g.Data, w.Data) || g.Retry != w.Retry {
					t.Errorf("event %d = {%q %q %q %d}, want {%q %q %q %d}", i, g.Name, g.ID, g.Data, g.Retry, w.Name, w.ID, w.Data, w.Retry)
				}
			}
		})
	}
}

func TestReaderLimits(t *testing.T) {
	tests := []struct {
		name   string
		stream string
	}{
		{"one long line", "data: " + strings.Repeat("x", 200) + "\n\n"},
		{"many short lines", strings.Repeat("data: xxxxxxxxxx\n", 20) + "\n"},
		{"a line without end", strings.Repeat("x", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.stream, 100)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("Next() error = %v, want ErrTooLarge", err)
			}
		})
	}
	// Just under the limit is fine.
	evs, err := readAll(t, "data: "+strings.Repeat("x", 100)+"\n\n", 100)
	if !errors.Is(err, io.EOF) || len(evs) != 1 {
		t.Errorf("100 bytes under a 100-byte limit: %d events, error %v; want 1 event and EOF", len(evs), err)
	}
}

// FuzzRoundTrip checks that whatever AppendEvent writes, Reader reads back
// (line ends normalized to "\n"), and that Reader never panics on any input.
func FuzzRoundTrip(f *testing.F) {
	f.Add("message", "1", []byte("a\nb"))
	f.Add("", "", []byte(""))
	f.Add("e", "", []byte("\r\r\n\n"))
	f.Fuzz(func(t *testing.T, name, id string, data []byte) {
		frame, err := AppendEvent(nil, name, id, data)
		if err != nil {
			return
		}
		// Feed the frame, then also any input, to the reader.
		r := NewReader(bytes.NewReader(frame), max(len(data), len(name), len(id))+1)
		ev, err := r.Next()
		if err != nil {
			t.Fatalf("Next() error = %v on %q", err, frame)
		}
		want := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		want = bytes.ReplaceAll(want, []byte("\r"), []byte("\n"))
		if !bytes.Equal(ev.Data, want) || ev.Name != name || ev.ID != id {
			t.Fatalf("read {%q %q %q}, want {%q %q %q}", ev.Name, ev.ID, ev.Data, name, id, want)
		}
		hostile := NewReader(bytes.NewReader(data), 64)
		for range 100 {
			if _, err := hostile.Next(); err != nil {
				break
			}
		}
	})
}
