package retry

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/transport"
)

// descriptorFinder finds descriptors by full name, as
// protoregistry.GlobalFiles does.
type descriptorFinder interface {
	FindDescriptorByName(protoreflect.FullName) (protoreflect.Descriptor, error)
}

// idempotency decides whether an operation may be sent more than once.
type idempotency struct {
	declared map[string]bool                                    // WithIdempotent
	funcs    []func(ctx context.Context, operation string) bool // WithIdempotentFunc
	files    descriptorFinder                                   // where proto methods are looked up

	// cache maps an operation to whether files says it is idempotent, for
	// at most maxCached operations (cached counts them). A sync.Map, since
	// its entries are written once and then read by every call, from any
	// goroutine, without a lock.
	cache  sync.Map
	cached atomic.Int32
}

// maxCached bounds the operations whose proto lookup is remembered: on
// HTTP the operation may be a path, which a caller can vary at will.
const maxCached = 4096

// idempotent reports whether the call in ctx, with client transport tr,
// may be repeated.
func (id *idempotency) idempotent(ctx context.Context, tr transport.Transporter) bool {
	op := tr.Operation()
	if id.declared[op] {
		return true
	}
	for _, f := range id.funcs {
		if f(ctx, op) {
			return true
		}
	}
	if r, ok := tr.(interface{ Request() *http.Request }); ok && tr.Kind() == transport.KindHTTP {
		if req := r.Request(); req != nil {
			switch req.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return true
			}
		}
	}
	return id.fromProto(op)
}

// fromProto reports whether op ("/pkg.Service/Method") names a proto
// method whose idempotency_level is IDEMPOTENT or NO_SIDE_EFFECTS.
func (id *idempotency) fromProto(op string) bool {
	if v, ok := id.cache.Load(op); ok {
		return v.(bool)
	}
	v := lookupIdempotent(id.files, op)
	if id.cached.Load() < maxCached {
		if _, loaded := id.cache.LoadOrStore(op, v); !loaded {
			id.cached.Add(1)
		}
	}
	return v
}

func lookupIdempotent(files descriptorFinder, op string) bool {
	name, ok := methodName(op)
	if !ok || files == nil {
		return false
	}
	d, err := files.FindDescriptorByName(name)
	if err != nil {
		return false
	}
	md, ok := d.(protoreflect.MethodDescriptor)
	if !ok {
		return false
	}
	opts, ok := md.Options().(*descriptorpb.MethodOptions)
	if !ok {
		return false
	}
	switch opts.GetIdempotencyLevel() {
	case descriptorpb.MethodOptions_IDEMPOTENT, descriptorpb.MethodOptions_NO_SIDE_EFFECTS:
		return true
	}
	return false
}

// methodName turns "/pkg.Service/Method" into "pkg.Service.Method".
func methodName(op string) (protoreflect.FullName, bool) {
	rest, ok := strings.CutPrefix(op, "/")
	if !ok {
		return "", false
	}
	svc, method, ok := strings.Cut(rest, "/")
	if !ok || svc == "" || method == "" {
		return "", false
	}
	name := protoreflect.FullName(svc + "." + method)
	return name, name.IsValid()
}
