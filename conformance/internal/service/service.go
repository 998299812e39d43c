// Package service implements connectrpc.conformance.v1.ConformanceService
// as a plain gRPC service (the grpc-go interfaces and metadata API), as
// the conformance suite's server mode describes it, so that the suite
// tests the protocols of the kratos HTTP server that serves it.
package service

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"time"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"

	v1 "github.com/seed6ad8aa6b/kratos/conformance/internal/gen/conformancev1"
)

// Service is the ConformanceService. Unimplemented is left to the
// embedded default, which fails with Unimplemented.
type Service struct {
	v1.UnimplementedConformanceServiceServer
}

var _ v1.ConformanceServiceServer = Service{}

func (Service) Unary(ctx context.Context, req *v1.UnaryRequest) (*v1.UnaryResponse, error) {
	p, err := unary(ctx, req.GetResponseDefinition(), []proto.Message{req})
	if err != nil {
		return nil, err
	}
	return &v1.UnaryResponse{Payload: p}, nil
}

func (Service) IdempotentUnary(ctx context.Context, req *v1.IdempotentUnaryRequest) (*v1.IdempotentUnaryResponse, error) {
	p, err := unary(ctx, req.GetResponseDefinition(), []proto.Message{req})
	if err != nil {
		return nil, err
	}
	return &v1.IdempotentUnaryResponse{Payload: p}, nil
}

func (Service) ClientStream(s grpc.ClientStreamingServer[v1.ClientStreamRequest, v1.ClientStreamResponse]) error {
	var (
		def  *v1.UnaryResponseDefinition
		reqs []proto.Message
	)
	for {
		req, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if len(reqs) == 0 {
			def = req.GetResponseDefinition()
		}
		reqs = append(reqs, req)
	}
	p, err := unary(s.Context(), def, reqs)
	if err != nil {
		return err
	}
	return s.SendAndClose(&v1.ClientStreamResponse{Payload: p})
}

func (Service) ServerStream(req *v1.ServerStreamRequest, s grpc.ServerStreamingServer[v1.ServerStreamResponse]) error {
	ctx := s.Context()
	def := req.GetResponseDefinition()
	info := requestInfo(ctx, []proto.Message{req})
	if def != nil {
		_ = s.SetHeader(md(def.GetResponseHeaders()))
		s.SetTrailer(md(def.GetResponseTrailers()))
		if err := s.SendHeader(nil); err != nil {
			return err
		}
	}
	sent := 0
	for _, data := range def.GetResponseData() {
		p := &v1.ConformancePayload{Data: data}
		if sent == 0 {
			p.RequestInfo = info
		}
		if err := sleep(ctx, def.GetResponseDelayMs()); err != nil {
			return err
		}
		if err := s.Send(&v1.ServerStreamResponse{Payload: p}); err != nil {
			return err
		}
		sent++
	}
	if e := def.GetError(); e != nil {
		if sent > 0 {
			info = nil
		}
		return statusError(e, info)
	}
	return nil
}

func (Service) BidiStream(s grpc.BidiStreamingServer[v1.BidiStreamRequest, v1.BidiStreamResponse]) error {
	ctx := s.Context()
	var (
		def        *v1.StreamResponseDefinition
		fullDuplex bool
		reqs       []proto.Message
		sent       int
		received   int
	)
	for {
		req, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if received == 0 {
			def, fullDuplex = req.GetResponseDefinition(), req.GetFullDuplex()
			if def != nil {
				_ = s.SetHeader(md(def.GetResponseHeaders()))
				s.SetTrailer(md(def.GetResponseTrailers()))
				if fullDuplex {
					if err := s.SendHeader(nil); err != nil {
						return err
					}
				}
			}
		}
		received++
		reqs = append(reqs, req)
		if !fullDuplex {
			continue
		}
		if sent >= len(def.GetResponseData()) {
			if e := def.GetError(); e != nil {
				return statusError(e, requestInfo(ctx, reqs))
			}
			continue
		}
		info := requestInfo(ctx, reqs)
		if sent > 0 {
			info.RequestHeaders, info.TimeoutMs = nil, nil
		}
		if err := sleep(ctx, def.GetResponseDelayMs()); err != nil {
			return err
		}
		p := &v1.ConformancePayload{Data: def.GetResponseData()[sent], RequestInfo: info}
		if err := s.Send(&v1.BidiStreamResponse{Payload: p}); err != nil {
			return err
		}
		sent++
		reqs = nil
	}
	if !fullDuplex && len(def.GetResponseData()) > 0 {
		if err := s.SendHeader(nil); err != nil {
			return err
		}
		info := requestInfo(ctx, reqs)
		for _, data := range def.GetResponseData() {
			p := &v1.ConformancePayload{Data: data}
			if sent == 0 {
				p.RequestInfo = info
			}
			if err := sleep(ctx, def.GetResponseDelayMs()); err != nil {
				return err
			}
			if err := s.Send(&v1.BidiStreamResponse{Payload: p}); err != nil {
				return err
			}
			sent++
		}
	}
	if e := def.GetError(); e != nil {
		var info *v1.ConformancePayload_RequestInfo
		if sent == 0 {
			info = requestInfo(ctx, reqs)
		}
		return statusError(e, info)
	}
	return nil
}

// unary answers a call with one reply as def says.
func unary(ctx context.Context, def *v1.UnaryResponseDefinition, reqs []proto.Message) (*v1.ConformancePayload, error) {
	info := requestInfo(ctx, reqs)
	if def != nil {
		_ = grpc.SetHeader(ctx, md(def.GetResponseHeaders()))
		_ = grpc.SetTrailer(ctx, md(def.GetResponseTrailers()))
	}
	if err := sleep(ctx, def.GetResponseDelayMs()); err != nil {
		return nil, err
	}
	if e := def.GetError(); e != nil {
		return nil, statusError(e, info)
	}
	return &v1.ConformancePayload{Data: def.GetResponseData(), RequestInfo: info}, nil
}

// requestInfo describes the call in ctx and its requests.
func requestInfo(ctx context.Context, reqs []proto.Message) *v1.ConformancePayload_RequestInfo {
	info := &v1.ConformancePayload_RequestInfo{}
	if r, ok := khttp.RequestFromServerContext(ctx); ok {
		for k, vs := range r.Header {
			info.RequestHeaders = append(info.RequestHeaders, &v1.Header{Name: strings.ToLower(k), Value: vs})
		}
		if r.Method == "GET" {
			get := &v1.ConformancePayload_ConnectGetInfo{}
			for k, vs := range r.URL.Query() {
				get.QueryParams = append(get.QueryParams, &v1.Header{Name: k, Value: vs})
			}
			info.ConnectGetInfo = get
		}
	}
	if d, ok := ctx.Deadline(); ok {
		ms := time.Until(d).Milliseconds()
		info.TimeoutMs = &ms
	}
	for _, r := range reqs {
		a, err := anypb.New(r)
		if err == nil {
			info.Requests = append(info.Requests, a)
		}
	}
	return info
}

// statusError returns the error e describes, with info as a last detail
// when it is not nil.
func statusError(e *v1.Error, info *v1.ConformancePayload_RequestInfo) error {
	st := &spb.Status{Code: int32(e.GetCode()), Message: e.GetMessage(), Details: e.GetDetails()}
	if info != nil {
		if a, err := anypb.New(info); err == nil {
			st.Details = append(st.Details, a)
		}
	}
	return status.FromProto(st).Err()
}

// md returns headers as metadata. The values of "-bin" keys are base64
// on the wire, as the test cases give them, and decoded in metadata.
func md(headers []*v1.Header) metadata.MD {
	out := metadata.MD{}
	for _, h := range headers {
		name := strings.ToLower(h.GetName())
		for _, v := range h.GetValue() {
			if strings.HasSuffix(name, "-bin") {
				if b, err := decodeBin(v); err == nil {
					v = string(b)
				}
			}
			out[name] = append(out[name], v)
		}
	}
	return out
}

func decodeBin(v string) ([]byte, error) {
	if len(v)%4 == 0 {
		return base64.StdEncoding.DecodeString(v)
	}
	return base64.RawStdEncoding.DecodeString(v)
}

// sleep waits ms milliseconds, or until ctx ends.
func sleep(ctx context.Context, ms uint32) error {
	if ms == 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
