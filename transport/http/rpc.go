package http

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/connect"
	grpcwire "github.com/seed6ad8aa6b/kratos/transport/http/internal/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/rpcwire"
)

var _ grpc.ServiceRegistrar = (*Server)(nil)

// WithH2C sets whether the server speaks HTTP/2 without TLS ("h2c", with
// prior knowledge), which gRPC clients need to call the services
// registered with RegisterService on a plaintext port. With TLSConfig the
// server negotiates HTTP/2 anyway. The default is false: HTTP/1.1 only
// without TLS.
//
// This option is not part of Kratos.
func WithH2C(enable bool) ServerOption {
	return func(s *Server) { s.rpc.h2c = enable }
}

// rpcState is the RPC side of a Server: the methods registered with
// RegisterService and the protocols that serve them.
type rpcState struct {
	h2c       bool
	mu        sync.Mutex // serializes RegisterService
	methods   atomic.Pointer[map[string]*rpcMethod]
	protocols []rpcwire.Protocol // set by the first RegisterService
}

// rpcMethod is a registered method.
type rpcMethod struct {
	spec   rpcwire.Spec
	impl   any
	unary  grpc.MethodHandler
	stream grpc.StreamHandler
	info   *grpc.StreamServerInfo
}

// init finishes the set-up NewServer started: it turns h2c on.
func (r *rpcState) init(s *Server) {
	if !r.h2c {
		return
	}
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	s.Server.Protocols = &p
}

// RegisterService makes the methods of a gRPC service answer on the HTTP
// server, at POST /<package>.<Service>/<Method>, in the Connect, gRPC-Web
// and gRPC protocols, with impl as the implementation. It implements
// grpc.ServiceRegistrar, so the RegisterXxxServer functions that
// protoc-gen-go-grpc generates register on the HTTP server as they do on a
// gRPC server, with no code generated for HTTP:
//
//	pb.RegisterGreeterServer(grpcSrv, svc) // gRPC on the gRPC port
//	pb.RegisterGreeterServer(httpSrv, svc) // Connect, gRPC-Web, gRPC on the HTTP port
//
// The handlers are the ones in desc, which grpc-go calls too, and they
// run inside the server's middleware (see Middleware and Use), with the
// operation "/<package>.<Service>/<Method>", a Transport of kind HTTP
// whose RequestHeader is the request's header, and the request header as
// incoming gRPC metadata (metadata.FromIncomingContext); grpc.SetHeader,
// grpc.SetTrailer and the stream's SetHeader and SetTrailer set response
// headers and trailers (keys ending in "-bin" travel base64-encoded). A
// streaming method's middleware runs around the whole stream, with a nil
// request.
//
// Routes registered with Route, Handle and the like keep priority: a
// request goes to a registered method only when no route matches its
// path. Unary calls get the server's Timeout, streaming calls no timeout;
// either gets the shorter deadline a caller sends (Connect-Timeout-Ms,
// grpc-timeout). A request message may be WithMaxRequestBodySize bytes,
// after decompression (gzip), and is decoded by the codecs registered as
// "proto" and "json" (see encoding/proto and encoding/json for their
// limits, such as the recursion limit).
//
// Connect unary calls may use GET for methods whose idempotency_level is
// NO_SIDE_EFFECTS, read from the service's registered proto descriptor.
// gRPC needs HTTP/2: with TLSConfig, or with WithH2C on a plaintext port.
//
// Register services before Start. RegisterService panics when impl does
// not implement desc's HandlerType or a method is registered twice, as
// grpc-go's does.
//
// This method is not part of Kratos.
func (s *Server) RegisterService(desc *grpc.ServiceDesc, impl any) {
	if impl != nil && desc.HandlerType != nil {
		ht := reflect.TypeOf(desc.HandlerType).Elem()
		if st := reflect.TypeOf(impl); !st.Implements(ht) {
			panic(fmt.Sprintf("transport/http: RegisterService: %v does not implement %v", st, ht))
		}
	}
	sd, _ := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(desc.ServiceName))
	svc, _ := sd.(protoreflect.ServiceDescriptor)

	r := &s.rpc
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.protocols == nil {
		cfg := rpcwire.Config{MaxMessage: s.maxBody, Codec: encoding.GetCodec}
		r.protocols = []rpcwire.Protocol{grpcwire.New(cfg), connect.New(cfg)}
	}
	methods := make(map[string]*rpcMethod)
	if old := r.methods.Load(); old != nil {
		for k, v := range *old {
			methods[k] = v
		}
	}
	add := func(name string, m *rpcMethod) {
		proc := "/" + desc.ServiceName + "/" + name
		if _, dup := methods[proc]; dup {
			panic("transport/http: RegisterService: duplicate method " + proc)
		}
		m.spec.Procedure = proc
		m.impl = impl
		methods[proc] = m
	}
	for i := range desc.Methods {
		md := &desc.Methods[i]
		m := &rpcMethod{unary: md.Handler}
		m.spec.NoSideEffects = noSideEffects(svc, md.MethodName)
		add(md.MethodName, m)
	}
	for i := range desc.Streams {
		sd := &desc.Streams[i]
		m := &rpcMethod{stream: sd.Handler}
		switch {
		case sd.ClientStreams && sd.ServerStreams:
			m.spec.StreamType = rpcwire.BidiStream
		case sd.ClientStreams:
			m.spec.StreamType = rpcwire.ClientStream
		default:
			m.spec.StreamType = rpcwire.ServerStream
		}
		add(sd.StreamName, m)
		m.info = &grpc.StreamServerInfo{FullMethod: m.spec.Procedure, IsClientStream: sd.ClientStreams, IsServerStream: sd.ServerStreams}
	}
	r.methods.Store(&methods)
}

// ServiceWalker lists the gRPC services registered with a server and
// their implementations; the gRPC transport's *grpc.Server is one.
type ServiceWalker interface {
	WalkServices(fn func(desc *grpc.ServiceDesc, impl any))
}

// RegisterServices registers on the HTTP server, as RegisterService does,
// every service registered so far with from, typically the App's gRPC
// server, so that one call serves them all on the HTTP port too:
//
//	grpcSrv := grpc.NewServer()
//	pb.RegisterGreeterServer(grpcSrv, svc)
//	httpSrv := http.NewServer(http.WithH2C(true))
//	httpSrv.RegisterServices(grpcSrv)
//
// Services registered with from later are not added. For the gRPC
// transport's server this includes its health service
// (grpc.health.v1.Health) and kratos.api.Metadata, not reflection.
//
// This method is not part of Kratos.
func (s *Server) RegisterServices(from ServiceWalker) {
	from.WalkServices(s.RegisterService)
}

// noSideEffects reports whether the method name of svc has the
// idempotency level NO_SIDE_EFFECTS.
func noSideEffects(svc protoreflect.ServiceDescriptor, name string) bool {
	if svc == nil {
		return false
	}
	md := svc.Methods().ByName(protoreflect.Name(name))
	if md == nil {
		return false
	}
	opts, ok := md.Options().(*descriptorpb.MethodOptions)
	return ok && opts.GetIdempotencyLevel() == descriptorpb.MethodOptions_NO_SIDE_EFFECTS
}

// serveRPC serves req when it is a call of a registered method, and
// reports whether it did. dispatch calls it for requests no route
// matches, with the request state it made, which the call uses.
func (s *Server) serveRPC(w http.ResponseWriter, req *http.Request, sr *serverRequest) bool {
	ms := s.rpc.methods.Load()
	if ms == nil {
		return false
	}
	path := req.URL.Path
	if s.pathPrefix != "" {
		if !strings.HasPrefix(path, s.pathPrefix) {
			return false
		}
		path = path[len(s.pathPrefix):]
	}
	var p rpcwire.Protocol
	for _, pr := range s.rpc.protocols {
		if pr.Accept(req) {
			p = pr
			break
		}
	}
	m := (*ms)[path]
	if m == nil {
		switch p := p.(type) {
		case *grpcwire.Protocol:
			// A gRPC client learns of a missing method from the status.
			st, _ := p.NewStream(w, req, rpcwire.Spec{Procedure: path, StreamType: rpcwire.BidiStream})
			st.Close(rpcwire.Errorf(codes.Unimplemented, "unknown method %s", path))
			return true
		case *connect.Protocol:
			return p.WriteUnknown(w, req)
		}
		return false
	}
	if req.Method != http.MethodPost && req.Method != http.MethodGet {
		rpcwire.WriteHTTPError(w, &rpcwire.HTTPError{
			Status: http.StatusMethodNotAllowed,
			Header: http.Header{"Allow": {http.MethodPost}},
			Msg:    "method not allowed",
		})
		return true
	}
	if p == nil {
		rpcwire.WriteHTTPError(w, &rpcwire.HTTPError{
			Status: http.StatusUnsupportedMediaType,
			Header: http.Header{"Accept-Post": {"application/json, application/proto, application/connect+json, application/connect+proto, application/grpc, application/grpc-web"}},
			Msg:    "unsupported media type",
		})
		return true
	}
	s.serveCall(w, req, sr, m, p)
	return true
}

// rpcCall is the state of one call, allocated once for it. It is the
// grpc.ServerTransportStream of the call's context, so that grpc.SetHeader
// and grpc.SetTrailer work in handlers.
type rpcCall struct {
	sr         *serverRequest // its Transport and context
	st         rpcwire.Stream
	m          *rpcMethod
	ms         []middleware.Middleware
	headerSent bool
}

func (s *Server) serveCall(w http.ResponseWriter, req *http.Request, sr *serverRequest, m *rpcMethod, p rpcwire.Protocol) {
	c := &rpcCall{sr: sr, m: m}
	st, err := p.NewStream(w, req, m.spec)
	c.st = st
	unary := m.spec.StreamType == rpcwire.Unary
	var deadline time.Time
	if s.timeout > 0 && unary {
		deadline = s.now().Add(s.timeout)
	}
	if d, ok := st.Timeout(); ok {
		if caller := s.now().Add(d); deadline.IsZero() || caller.Before(deadline) {
			deadline = caller
		}
	}
	sr.tr = Transport{
		endpoint:     s.endpointStr,
		operation:    m.spec.Procedure,
		pathTemplate: m.spec.Procedure,
		reqHeader:    headerCarrier(req.Header),
		replyHeader:  headerCarrier(st.Header()),
		request:      req,
		response:     w,
	}
	sr.ctx.init(req.Context(), deadline, &sr.tr)
	defer sr.ctx.release()
	defer func() {
		if p := recover(); p != nil {
			s.rpcPanic(req, p)
			st.Close(rpcwire.Errorf(codes.Internal, "internal error"))
		}
	}()
	if err != nil {
		st.Close(err)
		return
	}
	if unary && req.Body != nil && req.Body != http.NoBody {
		s.boundBody(w, deadline)
	}
	ctx := metadata.NewIncomingContext(&sr.ctx, incomingMD(req.Header))
	ctx = grpc.NewContextWithServerTransportStream(ctx, c)
	c.ms = s.middleware.Match(m.spec.Procedure)
	if unary {
		var in grpc.UnaryServerInterceptor
		if len(c.ms) > 0 {
			in = c.intercept
		}
		var reply any
		reply, err = m.unary(m.impl, ctx, st.Receive, in)
		if err == nil {
			c.headerSent = true
			err = st.Send(reply)
		}
		st.Close(err)
		return
	}
	ss := &rpcStream{c: c, ctx: ctx}
	if len(c.ms) == 0 {
		err = m.stream(m.impl, ss)
	} else {
		h := middleware.Chain(c.ms...)(func(ctx context.Context, _ any) (any, error) {
			ss.ctx = ctx
			return nil, m.stream(m.impl, ss)
		})
		_, err = h(ctx, nil)
	}
	st.Close(err)
}

// rpcPanic logs the panic p of a call outside the middleware (a handler
// without the recovery middleware, or a codec), with the stack at most
// once a second, as for routes.
func (s *Server) rpcPanic(req *http.Request, p any) {
	if p == http.ErrAbortHandler {
		panic(p)
	}
	msg := fmt.Sprintf("[HTTP] %s %s: panic outside the middleware: %v", req.Method, req.URL.Path, p)
	if s.panics.stack(time.Now()) {
		stack := debug.Stack()
		if len(stack) > panicStackBytes {
			stack = append(stack[:panicStackBytes:panicStackBytes], "\n..."...)
		}
		msg += "\n" + string(stack)
	}
	s.log.Load().Error(msg)
}

// intercept runs the server middleware around a unary handler.
func (c *rpcCall) intercept(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	h := middleware.Handler(handler)
	for i := len(c.ms) - 1; i >= 0; i-- {
		h = c.ms[i](h)
	}
	return h(ctx, req)
}

// Method returns the full method name.
func (c *rpcCall) Method() string { return c.m.spec.Procedure }

// SetHeader adds md to the response header, unless it was sent.
func (c *rpcCall) SetHeader(md metadata.MD) error {
	if c.headerSent {
		return errHeaderSent
	}
	addMD(c.st.Header(), md)
	return nil
}

// SendHeader adds md to the response header and sends it.
func (c *rpcCall) SendHeader(md metadata.MD) error {
	if err := c.SetHeader(md); err != nil {
		return err
	}
	c.headerSent = true
	return c.st.SendHeader()
}

// SetTrailer adds md to the response trailer.
func (c *rpcCall) SetTrailer(md metadata.MD) error {
	addMD(c.st.Trailer(), md)
	return nil
}

var errHeaderSent = rpcwire.Errorf(codes.Internal, "transport/http: the response header was already sent")

// rpcStream is the grpc.ServerStream of a streaming call.
type rpcStream struct {
	c   *rpcCall
	ctx context.Context
}

func (s *rpcStream) Context() context.Context        { return s.ctx }
func (s *rpcStream) SetHeader(md metadata.MD) error  { return s.c.SetHeader(md) }
func (s *rpcStream) SendHeader(md metadata.MD) error { return s.c.SendHeader(md) }
func (s *rpcStream) SetTrailer(md metadata.MD)       { _ = s.c.SetTrailer(md) }
func (s *rpcStream) RecvMsg(m any) error             { return s.c.st.Receive(m) }
func (s *rpcStream) SendMsg(m any) error             { s.c.headerSent = true; return s.c.st.Send(m) }

// addMD adds md to h, base64-encoding the values of "-bin" keys.
func addMD(h http.Header, md metadata.MD) {
	for k, vs := range md {
		key := http.CanonicalHeaderKey(k)
		bin := strings.HasSuffix(k, "-bin")
		for _, v := range vs {
			if bin {
				v = base64.RawStdEncoding.EncodeToString([]byte(v))
			}
			h[key] = append(h[key], v)
		}
	}
}

// incomingMD returns h as gRPC metadata: lower-case keys, the values of
// "-bin" keys base64-decoded (kept as they are when they do not decode).
// The value slices are h's own, except for "-bin" keys.
func incomingMD(h http.Header) metadata.MD {
	md := make(metadata.MD, len(h))
	for k, vs := range h {
		lk := lowerKey(k)
		if strings.HasSuffix(lk, "-bin") {
			dec := make([]string, len(vs))
			for i, v := range vs {
				dec[i] = v
				if b, err := decodeBinHeader(v); err == nil {
					dec[i] = string(b)
				}
			}
			vs = dec
		}
		md[lk] = vs
	}
	return md
}

func decodeBinHeader(v string) ([]byte, error) {
	if len(v)%4 == 0 {
		return base64.StdEncoding.DecodeString(v)
	}
	return base64.RawStdEncoding.DecodeString(v)
}

// lowerKey lower-cases a header key, without allocating for the usual
// ones.
func lowerKey(k string) string {
	switch k {
	case "Content-Type":
		return "content-type"
	case "User-Agent":
		return "user-agent"
	case "Accept-Encoding":
		return "accept-encoding"
	case "Content-Length":
		return "content-length"
	case "Connect-Protocol-Version":
		return "connect-protocol-version"
	case "Connect-Timeout-Ms":
		return "connect-timeout-ms"
	case "Content-Encoding":
		return "content-encoding"
	case "Accept":
		return "accept"
	case "Te":
		return "te"
	case "Grpc-Timeout":
		return "grpc-timeout"
	case "Grpc-Encoding":
		return "grpc-encoding"
	case "Grpc-Accept-Encoding":
		return "grpc-accept-encoding"
	case "X-Grpc-Web":
		return "x-grpc-web"
	case "Traceparent":
		return "traceparent"
	case "Authorization":
		return "authorization"
	}
	return strings.ToLower(k)
}
