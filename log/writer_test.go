package log

import (
	"errors"
	stdlog "log"
	"slices"
	"testing"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name  string
		opts  []WriterOptionFn
		input string
		want  []string
	}{
		{"default", nil, "hello", []string{"INFO msg hello"}},
		{"trailing newline", nil, "hello\n", []string{"INFO msg hello"}},
		{"trailing CRLF", nil, "hello\r\n", []string{"INFO msg hello"}},
		{"only one newline trimmed", nil, "a\n\n", []string{"INFO msg a\n"}},
		{"lone CR kept", nil, "a\r", []string{"INFO msg a\r"}},
		{"inner newline kept", nil, "a\nb", []string{"INFO msg a\nb"}},
		{"empty", nil, "", []string{"INFO msg "}},
		{"level", []WriterOptionFn{WithWriterLevel(LevelError)}, "x", []string{"ERROR msg x"}},
		{"message key", []WriterOptionFn{WithWriteMessageKey("line")}, "x", []string{"INFO line x"}},
		{"both, nil option", []WriterOptionFn{nil, WithWriterLevel(LevelWarn), WithWriteMessageKey("m")}, "x", []string{"WARN m x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			w := NewWriter(rec, tt.opts...)
			n, err := w.Write([]byte(tt.input))
			if n != len(tt.input) || err != nil {
				t.Errorf("Write() = %d, %v, want %d, nil", n, err, len(tt.input))
			}
			if got := rec.lines(); !slices.Equal(got, tt.want) {
				t.Errorf("records = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriterFiltered(t *testing.T) {
	rec := &recorder{}
	w := NewWriter(NewFilter(rec, FilterLevel(LevelError)))
	if n, err := w.Write([]byte("dropped")); n != 7 || err != nil {
		t.Errorf("Write() = %d, %v, want 7, nil", n, err)
	}
	if got := rec.lines(); len(got) != 0 {
		t.Errorf("records = %q, want none", got)
	}
}

func TestWriterError(t *testing.T) {
	want := errors.New("sink down")
	w := NewWriter(&recorder{err: want})
	if n, err := w.Write([]byte("x")); n != 0 || !errors.Is(err, want) {
		t.Errorf("Write() = %d, %v, want 0, %v", n, err, want)
	}
}

func TestWriterWithStdlibLogger(t *testing.T) {
	rec := &recorder{}
	std := stdlog.New(NewWriter(rec, WithWriterLevel(LevelWarn)), "http: ", 0)
	std.Printf("TLS handshake error from %s", "1.2.3.4")
	if got, want := rec.lines(), []string{"WARN msg http: TLS handshake error from 1.2.3.4"}; !slices.Equal(got, want) {
		t.Errorf("records = %q, want %q", got, want)
	}
}
