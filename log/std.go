package log

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// stdLogger renders records as "LEVEL k=v k=v\n" lines.
type stdLogger struct {
	w         io.Writer
	isDiscard bool
	mu        sync.Mutex // serialises Writes to w
}

var _ Logger = (*stdLogger)(nil)

// bufPool holds the buffers records are rendered into.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf is the largest buffer returned to bufPool, so that one huge
// record does not pin its memory for the life of the process.
const maxPooledBuf = 64 << 10

// NewStdLogger returns a Logger that writes each record to w as one line:
// the level name, then " key=value" for every pair, then a newline. Keys
// and values are rendered with fmt's %v verb. A trailing key without a
// value gets the value "KEYVALS UNPAIRED"; a record with no keyvals writes
// nothing.
//
// Each record is formatted into a pooled buffer and written with a single
// w.Write call under a mutex, so the logger is safe for concurrent use even
// when w is not. The logger also has a Close method that returns nil: w is
// owned by the caller, who closes it. A nil w discards everything, and
// records sent to io.Discard are not formatted at all ([Enabled] reports
// such a logger disabled, so that callers need not build the records).
func NewStdLogger(w io.Writer) Logger {
	return &stdLogger{w: w, isDiscard: w == nil || w == io.Discard}
}

// Log writes one line for the record and returns the writer's error.
func (l *stdLogger) Log(level Level, keyvals ...any) error {
	if l.isDiscard || len(keyvals) == 0 {
		return nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	buf.WriteString(level.String())
	for i := 0; i < len(keyvals); i += 2 {
		buf.WriteByte(' ')
		writeValue(buf, keyvals[i])
		buf.WriteByte('=')
		if i+1 < len(keyvals) {
			writeValue(buf, keyvals[i+1])
		} else {
			buf.WriteString(unpaired)
		}
	}
	buf.WriteByte('\n')

	l.mu.Lock()
	_, err := l.w.Write(buf.Bytes())
	l.mu.Unlock()

	if buf.Cap() <= maxPooledBuf {
		bufPool.Put(buf)
	}
	return err
}

// Close returns nil. It exists for compatibility: the writer given to
// NewStdLogger belongs to the caller.
func (l *stdLogger) Close() error {
	return nil
}

// writeValue renders v as fmt's %v would, without going through fmt for the
// most common types (a float with strconv's shortest 'g' form, which is
// what %v prints).
func writeValue(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case string:
		buf.WriteString(x)
	case int:
		buf.Write(strconv.AppendInt(buf.AvailableBuffer(), int64(x), 10))
	case int64:
		buf.Write(strconv.AppendInt(buf.AvailableBuffer(), x, 10))
	case int32:
		buf.Write(strconv.AppendInt(buf.AvailableBuffer(), int64(x), 10))
	case uint32:
		buf.Write(strconv.AppendUint(buf.AvailableBuffer(), uint64(x), 10))
	case uint64:
		buf.Write(strconv.AppendUint(buf.AvailableBuffer(), x, 10))
	case float64:
		buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), x, 'g', -1, 64))
	case float32:
		buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), float64(x), 'g', -1, 32))
	case bool:
		buf.Write(strconv.AppendBool(buf.AvailableBuffer(), x))
	default:
		fmt.Fprint(buf, v)
	}
}
