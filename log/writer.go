package log

import (
	"bytes"
	"io"
)

// writerOptions is what a WriterOptionFn configures.
type writerOptions struct {
	level  Level
	msgKey string
}

// WriterOptionFn configures the writer returned by [NewWriter].
type WriterOptionFn func(*writerOptions)

// WithWriterLevel sets the level of the records the writer logs. The
// default is LevelInfo.
func WithWriterLevel(level Level) WriterOptionFn {
	return func(o *writerOptions) {
		o.level = level
	}
}

// WithWriteMessageKey sets the key under which the writer logs the bytes it
// receives. The default is [DefaultMessageKey] as it is when NewWriter is
// called.
func WithWriteMessageKey(key string) WriterOptionFn {
	return func(o *writerOptions) {
		o.msgKey = key
	}
}

// writer logs every Write as one record.
type writer struct {
	logger Logger
	opts   writerOptions
}

// NewWriter returns an io.Writer that logs each Write call as one record
// holding the written bytes as its message, for example:
//
//	stdlog.New(log.NewWriter(logger, log.WithWriterLevel(log.LevelError)), "", 0)
//
// A single trailing newline ("\n" or "\r\n") is removed from the message,
// since line-oriented writers such as the standard library's log package
// end every entry with one. Write reports len(p) on success and 0 with the
// logger's error otherwise. The writer is safe for concurrent use when
// logger is. A nil logger discards everything.
func NewWriter(logger Logger, opts ...WriterOptionFn) io.Writer {
	w := &writer{
		logger: orDiscard(logger),
		opts:   writerOptions{level: LevelInfo, msgKey: DefaultMessageKey},
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&w.opts)
		}
	}
	return w
}

func (w *writer) Write(p []byte) (int, error) {
	if !enabled(w.logger, w.opts.level) {
		return len(p), nil
	}
	msg := p
	if bytes.HasSuffix(msg, []byte("\n")) {
		msg = bytes.TrimSuffix(msg[:len(msg)-1], []byte("\r"))
	}
	if err := w.logger.Log(w.opts.level, w.opts.msgKey, string(msg)); err != nil {
		return 0, err
	}
	return len(p), nil
}
