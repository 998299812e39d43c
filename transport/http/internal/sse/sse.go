// Package sse writes and reads the text/event-stream format of
// Server-Sent Events (the WHATWG HTML standard, section "Server-sent
// events"): the framing only, without HTTP.
//
// An event is a block of "field: value" lines ended by an empty line:
//
//	event: message
//	id: 7
//	data: first line
//	data: second line
//
// A payload with line breaks becomes several data lines, which a reader
// joins again with "\n". Lines starting with ":" are comments (used as
// keep-alives).
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrInvalidID is returned for an event id that cannot be written: one
// with a line break or a NUL, which readers would cut or ignore.
var ErrInvalidID = errors.New("sse: event id contains a line break or NUL")

// AppendEvent appends one event to b: an "event:" line when name is not
// empty, an "id:" line when id is not empty, one "data:" line per line of
// data (split at "\r\n", "\r" and "\n"; an empty data gives one empty data
// line), and the empty line that ends the event.
func AppendEvent(b []byte, name, id string, data []byte) ([]byte, error) {
	if strings.ContainsAny(id, "\r\n\x00") {
		return b, ErrInvalidID
	}
	if strings.ContainsAny(name, "\r\n") {
		return b, fmt.Errorf("sse: event name %q contains a line break", name)
	}
	if name != "" {
		b = append(b, "event: "...)
		b = append(b, name...)
		b = append(b, '\n')
	}
	if id != "" {
		b = append(b, "id: "...)
		b = append(b, id...)
		b = append(b, '\n')
	}
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			break
		}
		b = append(b, "data: "...)
		b = append(b, data[:i]...)
		b = append(b, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	b = append(b, "data: "...)
	b = append(b, data...)
	return append(b, '\n', '\n'), nil
}

// AppendComment appends a comment line followed by an empty line, which
// readers ignore: ": text\n\n". Line breaks in text are replaced by spaces.
func AppendComment(b []byte, text string) []byte {
	b = append(b, ':')
	if text != "" {
		b = append(b, ' ')
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c == '\r' || c == '\n' {
				c = ' '
			}
			b = append(b, c)
		}
	}
	return append(b, '\n', '\n')
}

// Event is one event read from a stream.
type Event struct {
	// Name is the event type: the last "event:" field, or "" (which
	// EventSource dispatches as "message").
	Name string
	// ID is the last event ID of the stream when the event was dispatched:
	// set by "id:" fields, it carries over to later events.
	ID string
	// Data is the data lines joined with "\n". The slice is valid until the
	// next call to Next.
	Data []byte
	// Retry is the reconnection time in milliseconds of a "retry:" field
	// of this event, or -1.
	Retry int
}

// ErrTooLarge is returned by Reader.Next for an event or a line larger
// than the reader's limit.
var ErrTooLarge = errors.New("sse: event too large")

// Reader reads events from a stream.
type Reader struct {
	sc     *bufio.Scanner
	max    int
	lastID string
	data   []byte
	first  bool
}

// NewReader returns a reader of the events of r. An event whose data is
// larger than limit bytes, or a line longer than that, fails Next with
// ErrTooLarge; limit <= 0 means 1 MiB.
func NewReader(r io.Reader, limit int) *Reader {
	if limit <= 0 {
		limit = 1 << 20
	}
	sc := bufio.NewScanner(r)
	// A line holds the field name, the colon and a space besides the value.
	line := limit + 64
	sc.Buffer(make([]byte, 0, min(4096, line)), line)
	sc.Split(splitLines)
	return &Reader{sc: sc, max: limit, first: true}
}

// splitLines is a bufio.SplitFunc for lines ended by "\r\n", "\r" or "\n",
// the three line ends of the format.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0 && atEOF && len(data) > 0:
		return len(data), data, nil
	case i < 0:
		return 0, nil, nil
	case data[i] == '\n':
		return i + 1, data[:i], nil
	case i+1 < len(data):
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	case atEOF:
		return i + 1, data[:i], nil
	}
	// A "\r" at the end of what was read: the next byte may be its "\n".
	return 0, nil, nil
}

// Next returns the next event that has data. Events without any data line
// are skipped, as EventSource skips them, and so are comments and unknown
// fields. At the end of the stream it returns io.EOF (an event not ended
// by an empty line is dropped, as the standard says), or
// io.ErrUnexpectedEOF when the stream ended inside an event.
func (r *Reader) Next() (Event, error) {
	var (
		name    string
		hasData bool
		inEvent bool
		retry   = -1
	)
	r.data = r.data[:0]
	for r.sc.Scan() {
		line := r.sc.Bytes()
		if r.first {
			r.first = false
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if len(line) == 0 {
			if hasData {
				return Event{Name: name, ID: r.lastID, Data: r.data[:len(r.data)-1], Retry: retry}, nil
			}
			name, inEvent, retry = "", false, -1
			continue
		}
		if line[0] == ':' {
			continue
		}
		inEvent = true
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			name = string(value)
		case "data":
			if len(r.data)+len(value)+1 > r.max+1 {
				return Event{}, ErrTooLarge
			}
			r.data = append(r.data, value...)
			r.data = append(r.data, '\n')
			hasData = true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				r.lastID = string(value)
			}
		case "retry":
			if n, err := strconv.Atoi(string(value)); err == nil && n >= 0 && isDigits(value) {
				retry = n
			}
		}
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Event{}, ErrTooLarge
		}
		return Event{}, err
	}
	if inEvent {
		return Event{}, io.ErrUnexpectedEOF
	}
	return Event{}, io.EOF
}

// LastEventID returns the last event ID seen on the stream.
func (r *Reader) LastEventID() string { return r.lastID }

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
