package logging

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// DefaultMaxFieldSize is the number of bytes a request-derived field of a
// log record is cut to when no other bound is set (see WithMaxFieldSize).
const DefaultMaxFieldSize = 4 << 10

// FormatArgs renders req the way the logging middleware logs it under
// "args", keeping at most max bytes (max <= 0: no bound):
//
//   - a Redacter is rendered by its Redact method;
//   - a proto message is rendered in the compact protobuf text format by a
//     writer that stops once max bytes are written, so a huge or deeply
//     nested message costs about as much as the bytes kept;
//   - an error with %+v, a fmt.Stringer by its String method, any other
//     value with %+v.
//
// A cut value ends with "...(truncated, N bytes)", N being the length of
// the whole text; a cut proto message ends with "...(truncated)", as its
// whole length is not known (and not worth a walk of the whole message).
// Only proto messages and strings are cut before they are rendered; the
// other cases are rendered whole first.
// The recovery middleware uses FormatArgs for the request and the panic
// value.
func FormatArgs(req any, max int) string {
	switch r := req.(type) {
	case Redacter:
		return truncate(r.Redact(), max)
	case error:
		return truncate(errorText(r), max)
	case proto.Message:
		return formatProto(r, max)
	case fmt.Stringer:
		return truncate(r.String(), max)
	case string:
		return truncate(r, max)
	default:
		return truncate(fmt.Sprintf("%+v", req), max)
	}
}

// truncate cuts s to at most max bytes, at a rune boundary, and marks the
// cut with the length of s.
func truncate(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	var b strings.Builder
	b.Grow(max + len(truncatedMark) + 24)
	kept := s[:max]
	b.WriteString(kept[:runeCut(kept)])
	b.WriteString(truncatedMark)
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteString(" bytes)")
	return b.String()
}

const (
	truncatedMark      = "...(truncated, "
	truncatedProtoMark = "...(truncated)"
)

// runeCut returns how much of s to keep so that it does not end with an
// incomplete UTF-8 sequence.
func runeCut(s string) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if utf8.FullRuneInString(s[i:]) {
				return len(s)
			}
			return i
		}
	}
	return len(s)
}

// runeCutBytes is runeCut for a byte slice.
func runeCutBytes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// formatProto renders m in the compact text format, keeping at most max
// bytes. Fields come in declaration order, then extensions; map entries are
// sorted by key when the map is small enough for sorting to be cheap.
func formatProto(m proto.Message, max int) (s string) {
	w := writerPool.Get().(*textWriter)
	w.buf, w.max, w.full = w.buf[:0], max, false
	defer func() {
		// A nil pointer to a type that embeds a message panics in
		// ProtoReflect; fmt copes with such receivers.
		if recover() != nil {
			s = truncate(fmt.Sprintf("%+v", m), max)
		}
		if cap(w.buf) <= maxPooledText {
			writerPool.Put(w)
		}
	}()
	w.message(m.ProtoReflect())
	if w.full {
		w.buf = w.buf[:runeCutBytes(w.buf)]
		w.buf = append(w.buf, truncatedProtoMark...)
	}
	return string(w.buf)
}

// writerPool holds textWriters, so that rendering a message allocates only
// the resulting string.
var writerPool = sync.Pool{New: func() any {
	w := &textWriter{buf: make([]byte, 0, 512)}
	w.ext = w.extension // one method value per writer, not per message
	return w
}}

// maxPooledText is the largest buffer returned to writerPool, so that one
// huge message (with no bound set) does not pin its memory.
const maxPooledText = 64 << 10

// maxSortedMap is the largest map whose entries formatProto sorts; larger
// maps are walked in iteration order, so that a huge map costs no more than
// the entries that fit.
const maxSortedMap = 256

// textWriter appends protobuf text to buf until max bytes are written
// (max <= 0: no bound); full reports that output was dropped, and every
// method returns at once when it is set.
type textWriter struct {
	buf  []byte
	max  int
	full bool
	ext  func(protoreflect.FieldDescriptor, protoreflect.Value) bool // w.extension
}

// clamp cuts buf back to max after an append.
func (w *textWriter) clamp() {
	if w.max > 0 && len(w.buf) > w.max {
		w.buf = w.buf[:w.max]
		w.full = true
	}
}

func (w *textWriter) str(s string) {
	w.buf = append(w.buf, s...)
	w.clamp()
}

// room is how many more bytes fit, or -1 when there is no bound.
func (w *textWriter) room() int {
	if w.max <= 0 {
		return -1
	}
	return w.max - len(w.buf)
}

func (w *textWriter) message(m protoreflect.Message) {
	if !m.IsValid() {
		return
	}
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len() && !w.full; i++ {
		fd := fields.Get(i)
		if m.Has(fd) {
			w.field(fd, m.Get(fd))
		}
	}
	if w.full || m.Descriptor().ExtensionRanges().Len() == 0 {
		return // a message without extension ranges has no extensions
	}
	m.Range(w.ext)
}

// extension writes fd when it is an extension; it is the function message
// ranges over the populated fields with.
func (w *textWriter) extension(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
	if fd.IsExtension() {
		w.field(fd, v)
	}
	return !w.full
}

// name writes the separator and the field name with its colon.
func (w *textWriter) name(fd protoreflect.FieldDescriptor) {
	if n := len(w.buf); n > 0 && w.buf[n-1] != '{' {
		w.buf = append(w.buf, ' ')
	}
	if fd.IsExtension() {
		w.buf = append(w.buf, '[')
		w.buf = append(w.buf, fd.FullName()...)
		w.buf = append(w.buf, ']')
	} else {
		w.buf = append(w.buf, fd.TextName()...)
	}
	w.buf = append(w.buf, ':')
	w.clamp()
}

func (w *textWriter) field(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch {
	case fd.IsList():
		l := v.List()
		for i := 0; i < l.Len() && !w.full; i++ {
			w.name(fd)
			w.value(fd, l.Get(i))
		}
	case fd.IsMap():
		w.mapField(fd, v.Map())
	default:
		w.name(fd)
		w.value(fd, v)
	}
}

func (w *textWriter) mapField(fd protoreflect.FieldDescriptor, m protoreflect.Map) {
	entry := func(k protoreflect.MapKey, v protoreflect.Value) bool {
		w.name(fd)
		w.str("{key:")
		w.value(fd.MapKey(), k.Value())
		w.str(" value:")
		w.value(fd.MapValue(), v)
		w.str("}")
		return !w.full
	}
	if m.Len() > maxSortedMap {
		m.Range(entry)
		return
	}
	keys := make([]protoreflect.MapKey, 0, m.Len())
	m.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	slices.SortFunc(keys, compareKeys(fd.MapKey().Kind()))
	for _, k := range keys {
		if !entry(k, m.Get(k)) {
			return
		}
	}
}

func compareKeys(kind protoreflect.Kind) func(a, b protoreflect.MapKey) int {
	switch kind {
	case protoreflect.StringKind:
		return func(a, b protoreflect.MapKey) int { return strings.Compare(a.String(), b.String()) }
	case protoreflect.BoolKind:
		return func(a, b protoreflect.MapKey) int {
			switch x, y := a.Bool(), b.Bool(); {
			case x == y:
				return 0
			case !x:
				return -1
			default:
				return 1
			}
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return func(a, b protoreflect.MapKey) int {
			switch x, y := a.Uint(), b.Uint(); {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	default:
		return func(a, b protoreflect.MapKey) int {
			switch x, y := a.Int(), b.Int(); {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
}

func (w *textWriter) value(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		w.str("{")
		w.message(v.Message())
		w.str("}")
	case protoreflect.StringKind:
		w.quote(v.String())
	case protoreflect.BytesKind:
		b := v.Bytes()
		if r := w.room(); r >= 0 && len(b) > r {
			b = b[:r] // quoting only grows the text, so this prefix is enough
		}
		w.buf = strconv.AppendQuote(w.buf, string(b))
		w.clamp()
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			w.str(string(ev.Name()))
		} else {
			w.buf = strconv.AppendInt(w.buf, int64(v.Enum()), 10)
			w.clamp()
		}
	case protoreflect.BoolKind:
		w.buf = strconv.AppendBool(w.buf, v.Bool())
		w.clamp()
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		w.buf = strconv.AppendInt(w.buf, v.Int(), 10)
		w.clamp()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		w.buf = strconv.AppendUint(w.buf, v.Uint(), 10)
		w.clamp()
	case protoreflect.FloatKind:
		w.buf = strconv.AppendFloat(w.buf, v.Float(), 'g', -1, 32)
		w.clamp()
	case protoreflect.DoubleKind:
		w.buf = strconv.AppendFloat(w.buf, v.Float(), 'g', -1, 64)
		w.clamp()
	default:
		w.str(fmt.Sprint(v.Interface()))
	}
}

// quote writes s quoted, quoting no more of s than can fit.
func (w *textWriter) quote(s string) {
	if r := w.room(); r >= 0 && len(s) > r {
		s = s[:r]
	}
	w.buf = strconv.AppendQuote(w.buf, s)
	w.clamp()
}
