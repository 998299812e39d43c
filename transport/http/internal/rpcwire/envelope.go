package rpcwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"sync"

	"google.golang.org/grpc/codes"
)

// Flags of an envelope.
const (
	// FlagCompressed marks a compressed message (all three protocols).
	FlagCompressed byte = 0x01
	// FlagConnectEndStream marks the Connect end-of-stream message.
	FlagConnectEndStream byte = 0x02
	// FlagGRPCWebTrailer marks the gRPC-Web trailers frame.
	FlagGRPCWebTrailer byte = 0x80
)

// maxPreGrow bounds the buffer ReadEnvelope allocates ahead of a
// payload's bytes.
const maxPreGrow = 64 << 10

// EnvelopeHeaderLen is the size of an envelope's prefix: one flags byte
// and a four-byte big-endian length.
const EnvelopeHeaderLen = 5

// ReadEnvelope reads one envelope from r into buf (reset first) and
// returns its flags. It returns io.EOF when r ends before the envelope
// starts, and a status error for a truncated envelope (InvalidArgument)
// or one longer than max, when max is positive (ResourceExhausted), in
// which case the payload is not read.
func ReadEnvelope(r io.Reader, buf *bytes.Buffer, max int64) (byte, error) {
	var prefix [EnvelopeHeaderLen]byte
	if n, err := io.ReadFull(r, prefix[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		return 0, readError(err, "message prefix")
	}
	size := int64(binary.BigEndian.Uint32(prefix[1:]))
	if max > 0 && size > max {
		return 0, Errorf(codes.ResourceExhausted, "message of %d bytes is larger than the limit of %d", size, max)
	}
	buf.Reset()
	if size > 0 {
		// Grow for what was announced only up to a point: a hostile length
		// must not allocate before the bytes arrive.
		buf.Grow(int(min(size, maxPreGrow)))
		if n, err := io.CopyN(buf, r, size); err != nil {
			if errors.Is(err, io.EOF) {
				return 0, Errorf(codes.InvalidArgument, "message truncated: %d of %d bytes", n, size)
			}
			return 0, readError(err, "message")
		}
	}
	return prefix[0], nil
}

// readError turns an error reading a request body into a status error:
// a body over the server's limit is ResourceExhausted, a truncated one
// InvalidArgument, any other failure (a reset stream, a read deadline)
// Unknown.
func readError(err error, what string) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return Errorf(codes.ResourceExhausted, "request body larger than the limit of %d bytes", mbe.Limit)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(codes.InvalidArgument, "%s truncated", what)
	}
	return Errorf(codes.Unknown, "read %s: %v", what, err)
}

// ReadAll reads the rest of r into buf, as a body is read: a status
// error when that fails (see ReadEnvelope), and ResourceExhausted past
// max bytes when max is positive.
func ReadAll(r io.Reader, buf *bytes.Buffer, max int64) error {
	if max > 0 {
		r = io.LimitReader(r, max+1)
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return readError(err, "body")
	}
	if max > 0 && int64(buf.Len()) > max {
		return Errorf(codes.ResourceExhausted, "message larger than the limit of %d bytes", max)
	}
	return nil
}

// AppendEnvelope appends an envelope with flags and payload to dst.
func AppendEnvelope(dst []byte, flags byte, payload []byte) []byte {
	var prefix [EnvelopeHeaderLen]byte
	prefix[0] = flags
	binary.BigEndian.PutUint32(prefix[1:], uint32(len(payload)))
	dst = append(dst, prefix[:]...)
	return append(dst, payload...)
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the capacity past which a buffer is not pooled again.
const maxPooled = 1 << 20

// GetBuffer returns an empty buffer from a pool.
func GetBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// PutBuffer gives b back to the pool; b must not be used afterwards.
func PutBuffer(b *bytes.Buffer) {
	if b == nil || b.Cap() > maxPooled {
		return
	}
	buffers.Put(b)
}
