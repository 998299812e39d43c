// This file is written by hand, statement for statement in the shape that
// Kratos's protoc-gen-go-http v2.9.2 emits for greeter.proto, so that the
// tests exercise the transport exactly as generated code does.

package testpb

import (
	context "context"

	http "github.com/seed6ad8aa6b/kratos/transport/http"
	binding "github.com/seed6ad8aa6b/kratos/transport/http/binding"
)

// This is a compile-time assertion to ensure that this generated file
// is compatible with the kratos package it is being compiled against.
var _ = new(context.Context)
var _ = binding.EncodeURL

const _ = http.SupportPackageIsVersion1

const OperationGreeterCreateHello = "/testpb.v1.Greeter/CreateHello"
const OperationGreeterSayHello = "/testpb.v1.Greeter/SayHello"

type GreeterHTTPServer interface {
	CreateHello(context.Context, *HelloRequest) (*HelloReply, error)
	SayHello(context.Context, *HelloRequest) (*HelloReply, error)
}

func RegisterGreeterHTTPServer(s *http.Server, srv GreeterHTTPServer) {
	r := s.Route("/")
	r.GET("/helloworld/{name}", _Greeter_SayHello0_HTTP_Handler(srv))
	r.POST("/helloworld/{name}", _Greeter_CreateHello0_HTTP_Handler(srv))
}

func _Greeter_SayHello0_HTTP_Handler(srv GreeterHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in HelloRequest
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationGreeterSayHello)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.SayHello(ctx, req.(*HelloRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*HelloReply)
		return ctx.Result(200, reply)
	}
}

func _Greeter_CreateHello0_HTTP_Handler(srv GreeterHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in HelloRequest
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationGreeterCreateHello)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.CreateHello(ctx, req.(*HelloRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*HelloReply)
		return ctx.Result(200, reply)
	}
}

type GreeterHTTPClient interface {
	CreateHello(ctx context.Context, req *HelloRequest, opts ...http.CallOption) (rsp *HelloReply, err error)
	SayHello(ctx context.Context, req *HelloRequest, opts ...http.CallOption) (rsp *HelloReply, err error)
}

type GreeterHTTPClientImpl struct {
	cc *http.Client
}

func NewGreeterHTTPClient(client *http.Client) GreeterHTTPClient {
	return &GreeterHTTPClientImpl{client}
}

func (c *GreeterHTTPClientImpl) CreateHello(ctx context.Context, in *HelloRequest, opts ...http.CallOption) (*HelloReply, error) {
	var out HelloReply
	pattern := "/helloworld/{name}"
	path := binding.EncodeURL(pattern, in, false)
	opts = append(opts, http.Operation(OperationGreeterCreateHello))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "POST", path, in, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *GreeterHTTPClientImpl) SayHello(ctx context.Context, in *HelloRequest, opts ...http.CallOption) (*HelloReply, error) {
	var out HelloReply
	pattern := "/helloworld/{name}"
	path := binding.EncodeURL(pattern, in, true)
	opts = append(opts, http.Operation(OperationGreeterSayHello))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "GET", path, nil, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

const OperationLibraryCreateBook = "/testpb.v1.Library/CreateBook"
const OperationLibraryGetBook = "/testpb.v1.Library/GetBook"
const OperationLibraryUpdateBook = "/testpb.v1.Library/UpdateBook"

type LibraryHTTPServer interface {
	CreateBook(context.Context, *CreateBookRequest) (*Book, error)
	GetBook(context.Context, *GetBookRequest) (*GetBookReply, error)
	UpdateBook(context.Context, *UpdateBookRequest) (*Book, error)
}

func RegisterLibraryHTTPServer(s *http.Server, srv LibraryHTTPServer) {
	r := s.Route("/")
	r.POST("/v1/{parent:shelves/.*}/books", _Library_CreateBook0_HTTP_Handler(srv))
	r.GET("/v1/{name:shelves/.*/books/.*}", _Library_GetBook0_HTTP_Handler(srv))
	r.PATCH("/v1/{book.name:shelves/.*/books/.*}", _Library_UpdateBook0_HTTP_Handler(srv))
}

func _Library_CreateBook0_HTTP_Handler(srv LibraryHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in CreateBookRequest
		if err := ctx.Bind(&in.Book); err != nil {
			return err
		}
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationLibraryCreateBook)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.CreateBook(ctx, req.(*CreateBookRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*Book)
		return ctx.Result(200, reply)
	}
}

func _Library_GetBook0_HTTP_Handler(srv LibraryHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in GetBookRequest
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationLibraryGetBook)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.GetBook(ctx, req.(*GetBookRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*GetBookReply)
		return ctx.Result(200, reply.Book)
	}
}

func _Library_UpdateBook0_HTTP_Handler(srv LibraryHTTPServer) func(ctx http.Context) error {
	return func(ctx http.Context) error {
		var in UpdateBookRequest
		if err := ctx.Bind(&in.Book); err != nil {
			return err
		}
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		http.SetOperation(ctx, OperationLibraryUpdateBook)
		h := ctx.Middleware(func(ctx context.Context, req interface{}) (interface{}, error) {
			return srv.UpdateBook(ctx, req.(*UpdateBookRequest))
		})
		out, err := h(ctx, &in)
		if err != nil {
			return err
		}
		reply := out.(*Book)
		return ctx.Result(200, reply)
	}
}

type LibraryHTTPClient interface {
	CreateBook(ctx context.Context, req *CreateBookRequest, opts ...http.CallOption) (rsp *Book, err error)
	GetBook(ctx context.Context, req *GetBookRequest, opts ...http.CallOption) (rsp *GetBookReply, err error)
	UpdateBook(ctx context.Context, req *UpdateBookRequest, opts ...http.CallOption) (rsp *Book, err error)
}

type LibraryHTTPClientImpl struct {
	cc *http.Client
}

func NewLibraryHTTPClient(client *http.Client) LibraryHTTPClient {
	return &LibraryHTTPClientImpl{client}
}

func (c *LibraryHTTPClientImpl) CreateBook(ctx context.Context, in *CreateBookRequest, opts ...http.CallOption) (*Book, error) {
	var out Book
	pattern := "/v1/{parent:shelves/.*}/books"
	path := binding.EncodeURL(pattern, in, false)
	opts = append(opts, http.Operation(OperationLibraryCreateBook))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "POST", path, in.Book, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *LibraryHTTPClientImpl) GetBook(ctx context.Context, in *GetBookRequest, opts ...http.CallOption) (*GetBookReply, error) {
	var out GetBookReply
	pattern := "/v1/{name:shelves/.*/books/.*}"
	path := binding.EncodeURL(pattern, in, true)
	opts = append(opts, http.Operation(OperationLibraryGetBook))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "GET", path, nil, &out.Book, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *LibraryHTTPClientImpl) UpdateBook(ctx context.Context, in *UpdateBookRequest, opts ...http.CallOption) (*Book, error) {
	var out Book
	pattern := "/v1/{book.name:shelves/.*/books/.*}"
	path := binding.EncodeURL(pattern, in, false)
	opts = append(opts, http.Operation(OperationLibraryUpdateBook))
	opts = append(opts, http.PathTemplate(pattern))
	err := c.cc.Invoke(ctx, "PATCH", path, in.Book, &out, opts...)
	if err != nil {
		return nil, err
	}
	return &out, nil
}
