package mcp

import (
	"bytes"
	"context"
	encjson "encoding/json"
	stderrors "errors"
	"fmt"
	"net/http"
	"reflect"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/seed6ad8aa6b/kratos/encoding/json"
	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// ServiceOption configures the tools RegisterService makes.
type ServiceOption func(*serviceOptions)

type serviceOptions struct {
	allow   map[string]bool // nil: every unary method
	methods map[string][]ToolOption
	files   *protoregistry.Files
}

// WithMethods exposes only the named methods (their proto names, such as
// "SayHello") and the ones configured with WithMethod. The default is every
// unary method of the service.
func WithMethods(names ...string) ServiceOption {
	return func(o *serviceOptions) {
		if o.allow == nil {
			o.allow = map[string]bool{}
		}
		for _, n := range names {
			o.allow[n] = true
		}
	}
}

// WithMethod configures the tool of one method, and exposes it even when
// WithMethods leaves it out (unless WithHidden(true) is among opts).
func WithMethod(name string, opts ...ToolOption) ServiceOption {
	return func(o *serviceOptions) {
		if o.methods == nil {
			o.methods = map[string][]ToolOption{}
		}
		o.methods[name] = append(o.methods[name], opts...)
	}
}

// WithFiles sets where RegisterService looks up the service's descriptor.
// Descriptors compiled from source carry comments, which become tool and
// property descriptions; the generated code registers descriptors
// without them. The default is protoregistry.GlobalFiles.
func WithFiles(files *protoregistry.Files) ServiceOption {
	return func(o *serviceOptions) { o.files = files }
}

// ToolOption configures the tool of one method (see WithMethod).
type ToolOption func(*toolOptions)

type toolOptions struct {
	name, title, description string
	annotations              *sdk.ToolAnnotations
	hidden                   bool
}

// WithToolName sets the tool's name. The default is the service's short
// name and the method's, joined by "_": "Greeter_SayHello".
func WithToolName(name string) ToolOption {
	return func(o *toolOptions) { o.name = name }
}

// WithTitle sets the tool's human-readable title. The default is none.
func WithTitle(title string) ToolOption {
	return func(o *toolOptions) { o.title = title }
}

// WithDescription sets the tool's description. The default is the
// method's proto comment, or "Calls /pkg.Service/Method." when the
// descriptor has none.
func WithDescription(desc string) ToolOption {
	return func(o *toolOptions) { o.description = desc }
}

// WithAnnotations sets the tool's hints to clients (read-only,
// destructive, idempotent). The default is none.
func WithAnnotations(a *sdk.ToolAnnotations) ToolOption {
	return func(o *toolOptions) { o.annotations = a }
}

// WithHidden keeps the method from becoming a tool when true. The default
// is false.
func WithHidden(hidden bool) ToolOption {
	return func(o *toolOptions) { o.hidden = hidden }
}

// RegisterService makes a tool of each exposed unary method of a gRPC
// service; streaming methods are left out. desc is the service's
// generated descriptor (such as helloworld.Greeter_ServiceDesc) and impl
// its implementation, as for grpc.Server.RegisterService.
//
// A tool's input schema describes the request message and its output
// schema the reply, both as the json codec reads and writes them (see
// encoding/jsonschema). A call decodes the arguments into the request
// with the json codec, runs the server middleware with a Transport in the
// context, and answers the reply in protojson, both as text and as
// structured content. An error becomes a tool error (isError) whose text
// is the Kratos error as JSON: {"code", "reason", "message", "metadata"}.
// Arguments that do not decode are a 400 with reason "CODEC", and the
// middleware does not run, as with the gRPC server.
//
// RegisterService fails when the descriptor is not registered, impl does
// not implement the service, an option names a method the service does
// not have or a streaming one, or a request is not a JSON object (a
// wrapper type), since tool arguments must be one.
func (s *Server) RegisterService(desc *grpc.ServiceDesc, impl any, opts ...ServiceOption) error {
	o := serviceOptions{files: protoregistry.GlobalFiles}
	for _, opt := range opts {
		opt(&o)
	}
	if ht := reflect.TypeOf(desc.HandlerType); ht != nil && ht.Kind() == reflect.Pointer {
		if it := ht.Elem(); it.Kind() == reflect.Interface && !reflect.TypeOf(impl).Implements(it) {
			return fmt.Errorf("mcp: register %s: %T does not implement %v", desc.ServiceName, impl, it)
		}
	}
	d, err := o.files.FindDescriptorByName(protoreflect.FullName(desc.ServiceName))
	if err != nil {
		return fmt.Errorf("mcp: register %s: %w", desc.ServiceName, err)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return fmt.Errorf("mcp: register %s: not a service", desc.ServiceName)
	}
	unary := map[string]grpc.MethodDesc{}
	for _, m := range desc.Methods {
		unary[m.MethodName] = m
	}
	for name := range o.allow {
		if _, ok := unary[name]; !ok {
			return fmt.Errorf("mcp: register %s: no unary method %q", desc.ServiceName, name)
		}
	}
	for name := range o.methods {
		if _, ok := unary[name]; !ok {
			return fmt.Errorf("mcp: register %s: no unary method %q", desc.ServiceName, name)
		}
	}
	var tools []*sdk.Tool
	var handlers []sdk.ToolHandler
	for _, m := range desc.Methods {
		_, configured := o.methods[m.MethodName]
		if o.allow != nil && !o.allow[m.MethodName] && !configured {
			continue
		}
		var to toolOptions
		for _, opt := range o.methods[m.MethodName] {
			opt(&to)
		}
		if to.hidden {
			continue
		}
		md := sd.Methods().ByName(protoreflect.Name(m.MethodName))
		if md == nil {
			return fmt.Errorf("mcp: register %s: no method %q in the descriptor", desc.ServiceName, m.MethodName)
		}
		tool, h, err := s.tool(impl, m, md, to)
		if err != nil {
			return fmt.Errorf("mcp: register %s: %w", desc.ServiceName, err)
		}
		tools = append(tools, tool)
		handlers = append(handlers, h)
	}
	for i, t := range tools {
		s.mcp.AddTool(t, handlers[i])
	}
	return nil
}

// tool makes the tool of one method and its handler.
func (s *Server) tool(impl any, m grpc.MethodDesc, md protoreflect.MethodDescriptor, to toolOptions) (*sdk.Tool, sdk.ToolHandler, error) {
	operation := fmt.Sprintf("/%s/%s", md.Parent().FullName(), md.Name())
	in := jsonschema.For(md.Input(), jsonschema.WithDirection(jsonschema.Input))
	if in.Type != "object" {
		return nil, nil, fmt.Errorf("method %s: request %s is not a JSON object", md.Name(), md.Input().FullName())
	}
	tool := &sdk.Tool{
		Name:        to.name,
		Title:       to.title,
		Description: to.description,
		Annotations: to.annotations,
		InputSchema: in,
	}
	if tool.Name == "" {
		tool.Name = fmt.Sprintf("%s_%s", md.Parent().Name(), md.Name())
	}
	if tool.Description == "" {
		tool.Description = jsonschema.Description(md)
	}
	if tool.Description == "" {
		tool.Description = "Calls " + operation + "."
	}
	// Structured content must be an object; replies that protojson writes
	// otherwise (the wrappers, Timestamp) are answered as text only.
	out := jsonschema.For(md.Output(), jsonschema.WithDirection(jsonschema.Output))
	structured := out.Type == "object"
	if structured {
		tool.OutputSchema = out
	}
	h := func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		var header http.Header
		if req.Extra != nil && req.Extra.Header != nil {
			header = req.Extra.Header.Clone()
		} else if h := headerFrom(ctx); h != nil {
			header = h.Clone()
		} else {
			header = http.Header{}
		}
		ctx = transport.NewServerContext(ctx, &Transport{
			endpoint:  s.endpoint(),
			operation: operation,
			tool:      tool.Name,
			reqHeader: headerCarrier(header),
			repHeader: headerCarrier(http.Header{}),
		})
		args := []byte(req.Params.Arguments)
		if len(args) == 0 || string(args) == "null" {
			args = []byte("{}")
		}
		dec := func(v any) error {
			msg, ok := v.(proto.Message)
			if !ok {
				return errors.InternalServer("CODEC", fmt.Sprintf("request %T is not a proto message", v))
			}
			if err := json.UnmarshalOptions.Unmarshal(args, msg); err != nil {
				return errors.BadRequest("CODEC", err.Error()).WithCause(err)
			}
			return nil
		}
		interceptor := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			return s.chain(middleware.Handler(handler))(ctx, req)
		}
		reply, err := m.Handler(impl, ctx, dec, interceptor)
		if err != nil {
			return errorResult(err), nil
		}
		msg, ok := reply.(proto.Message)
		if !ok {
			return errorResult(errors.InternalServer("CODEC", fmt.Sprintf("reply %T is not a proto message", reply))), nil
		}
		raw, err := json.MarshalOptions.Marshal(msg)
		if err != nil {
			return errorResult(errors.InternalServer("CODEC", err.Error()).WithCause(err)), nil
		}
		// protojson varies its whitespace at random; the text is compact.
		var buf bytes.Buffer
		if err := encjson.Compact(&buf, raw); err != nil {
			return errorResult(errors.InternalServer("CODEC", err.Error()).WithCause(err)), nil
		}
		b := buf.Bytes()
		res := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}
		if structured {
			res.StructuredContent = encjson.RawMessage(b)
		}
		return res, nil
	}
	return tool, h, nil
}

// toolError is the JSON of a Kratos error in a tool error.
type toolError struct {
	Code     int32             `json:"code"`
	Reason   string            `json:"reason"`
	Message  string            `json:"message"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// errorResult turns err into a tool error carrying its Kratos code,
// reason, message and metadata.
//
// Context errors become what the HTTP server answers for them: 504 with
// reason "DEADLINE_EXCEEDED" and 499 "CANCELED".
func errorResult(err error) *sdk.CallToolResult {
	var e *errors.Error
	switch {
	case stderrors.As(err, &e):
	case stderrors.Is(err, context.DeadlineExceeded):
		e = errors.GatewayTimeout("DEADLINE_EXCEEDED", err.Error())
	case stderrors.Is(err, context.Canceled):
		e = errors.ClientClosed("CANCELED", err.Error())
	default:
		e = errors.FromError(err)
	}
	b, _ := encjson.Marshal(toolError{Code: e.Code, Reason: e.Reason, Message: e.Message, Metadata: e.Metadata})
	return &sdk.CallToolResult{
		IsError: true,
		Content: []sdk.Content{&sdk.TextContent{Text: string(b)}},
	}
}
