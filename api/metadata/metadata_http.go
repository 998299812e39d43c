// The HTTP bindings of the Metadata service, from the google.api.http
// options in metadata.proto: GET /services and GET /services/{name}.
//
// This file is written by hand in the shape protoc-gen-go-http gives its
// output, so that it reads and behaves like the generated bindings of any
// other service.

package metadata

import (
	context "context"

	http "github.com/seed6ad8aa6b/kratos/transport/http"
	binding "github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

const _ = http.SupportPackageIsVersion1

// Operation names, as the middleware of the HTTP server sees them.
const (
	OperationMetadataGetServiceDesc = "/kratos.api.Metadata/GetServiceDesc"
	OperationMetadataListServices   = "/kratos.api.Metadata/ListServices"
)

// MetadataHTTPServer is the Metadata service as the HTTP bindings call it.
type MetadataHTTPServer interface {
	GetServiceDesc(context.Context, *GetServiceDescRequest) (*GetServiceDescReply, error)
	ListServices(context.Context, *ListServicesRequest) (*ListServicesReply, error)
}

// RegisterMetadataHTTPServer routes GET /services and GET /services/{name}
// of s to srv.
func RegisterMetadataHTTPServer(s *http.Server, srv MetadataHTTPServer) {
	r := s.Route("/")
	r.GET("/services", _Metadata_ListServices0_HTTP_Handler(srv))
	r.GET("/services/{name}", _Metadata_GetServiceDesc0_HTTP_Handler(srv))
}

func _Metadata_ListServices0_HTTP_Handler(srv MetadataHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in ListServicesRequest
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationMetadataListServices)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.ListServices(ctx, req.(*ListServicesRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*ListServicesReply)
		return ctx.Result(200, reply)
	}
}

func _Metadata_GetServiceDesc0_HTTP_Handler(srv MetadataHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in GetServiceDescRequest
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationMetadataGetServiceDesc)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.GetServiceDesc(ctx, req.(*GetServiceDescRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*GetServiceDescReply)
		return ctx.Result(200, reply)
	}
}

// MetadataHTTPClient calls the Metadata service over HTTP.
type MetadataHTTPClient interface {
	GetServiceDesc(ctx context.Context, req *GetServiceDescRequest, opts ...http.CallOption) (rsp *GetServiceDescReply, err error)
	ListServices(ctx context.Context, req *ListServicesRequest, opts ...http.CallOption) (rsp *ListServicesReply, err error)
}

// MetadataHTTPClientImpl is the MetadataHTTPClient made by
// NewMetadataHTTPClient.
type MetadataHTTPClientImpl struct {
	cc *http.Client
}

// NewMetadataHTTPClient returns a Metadata client that sends its calls
// through client.
func NewMetadataHTTPClient(client *http.Client) MetadataHTTPClient {
	return &MetadataHTTPClientImpl{client}
}

// GetServiceDesc calls GET /services/{name}.
func (c *MetadataHTTPClientImpl) GetServiceDesc(ctx context.Context, in *GetServiceDescRequest, opts ...http.CallOption) (*GetServiceDescReply, error) {
	var out GetServiceDescReply
	pattern := "/services/{name}"
	path := binding.EncodeURL(pattern, in, true)
	opts = append(opts, http.Operation(OperationMetadataGetServiceDesc))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "GET", path, nil, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListServices calls GET /services.
func (c *MetadataHTTPClientImpl) ListServices(ctx context.Context, in *ListServicesRequest, opts ...http.CallOption) (*ListServicesReply, error) {
	var out ListServicesReply
	pattern := "/services"
	path := binding.EncodeURL(pattern, in, true)
	opts = append(opts, http.Operation(OperationMetadataListServices))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "GET", path, nil, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}
