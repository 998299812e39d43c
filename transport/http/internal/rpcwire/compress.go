package rpcwire

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
)

// The compression names of the protocols' headers.
const (
	Identity = "identity"
	Gzip     = "gzip"
)

// AcceptCompression is the value of the Accept-Encoding headers the
// protocols send: the compressions the server reads.
const AcceptCompression = Gzip

// SupportedCompression reports whether name, a value of a protocol's
// encoding header, is a compression the server reads. The empty name is
// identity.
func SupportedCompression(name string) bool {
	return name == "" || name == Identity || name == Gzip
}

// Accepts reports whether the comma-separated lists in values name gzip.
func Accepts(values []string) bool {
	for _, v := range values {
		for v != "" {
			item := v
			if i := strings.IndexByte(v, ','); i >= 0 {
				item, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			if i := strings.IndexByte(item, ';'); i >= 0 {
				item = item[:i]
			}
			if strings.TrimSpace(item) == Gzip {
				return true
			}
		}
	}
	return false
}

var (
	gzipReaders sync.Pool
	gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}
)

// Decompress puts the gzip-compressed src, decompressed, into dst (reset
// first). It returns InvalidArgument when src is not valid gzip and
// ResourceExhausted when the result is larger than max (when max is
// positive): a small compressed message cannot make the server allocate
// more than max.
func Decompress(dst *bytes.Buffer, src []byte, max int64) error {
	dst.Reset()
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(src))
	} else {
		err = zr.Reset(bytes.NewReader(src))
	}
	if err != nil {
		return Errorf(codes.InvalidArgument, "decompress gzip: %v", err)
	}
	defer gzipReaders.Put(zr)
	var r io.Reader = zr
	if max > 0 {
		r = io.LimitReader(zr, max+1)
	}
	if _, err := dst.ReadFrom(r); err != nil {
		return Errorf(codes.InvalidArgument, "decompress gzip: %v", err)
	}
	if max > 0 && int64(dst.Len()) > max {
		return Errorf(codes.ResourceExhausted, "message larger than the limit of %d bytes after decompression", max)
	}
	return nil
}

// Compress appends src, gzip-compressed, to dst.
func Compress(dst *bytes.Buffer, src []byte) error {
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(dst)
	if _, err := zw.Write(src); err != nil {
		return err
	}
	return zw.Close()
}
