package http

import "net/http"

// CallOption configures one client call. Options of other packages embed
// EmptyCallOption and override its hooks.
type CallOption interface {
	// before runs before the request is sent; an error aborts the call.
	before(*callInfo) error
	// after runs once the response arrived.
	after(*callInfo, *csAttempt)
}

type callInfo struct {
	contentType  string
	accept       string // the Accept header; "" for none
	operation    string
	pathTemplate string
}

// csAttempt is one attempt of a call.
type csAttempt struct {
	res *http.Response
}

func defaultCallInfo(path string) callInfo {
	return callInfo{
		contentType:  "application/json",
		operation:    path,
		pathTemplate: path,
	}
}

// EmptyCallOption does nothing; embed it to implement CallOption.
type EmptyCallOption struct{}

func (EmptyCallOption) before(*callInfo) error      { return nil }
func (EmptyCallOption) after(*callInfo, *csAttempt) {}

// ContentType sets the Content-Type the request body is encoded with. The
// default is "application/json".
func ContentType(contentType string) CallOption {
	return ContentTypeCallOption{ContentType: contentType}
}

// ContentTypeCallOption is the CallOption of ContentType.
type ContentTypeCallOption struct {
	EmptyCallOption
	ContentType string
}

func (o ContentTypeCallOption) before(c *callInfo) error {
	c.contentType = o.ContentType
	return nil
}

// Accept sets the Accept header of the request, which chooses the codec
// of the reply ("application/protojson" gets protojson). By default no
// Accept header is sent, which a Server answers in json. On a stream
// (Client.ServerSentEvent, Client.WebSocket) it chooses the codec of the
// messages.
func Accept(contentType string) CallOption {
	return AcceptCallOption{ContentType: contentType}
}

// AcceptCallOption is the CallOption of Accept.
type AcceptCallOption struct {
	EmptyCallOption
	ContentType string
}

func (o AcceptCallOption) before(c *callInfo) error {
	c.accept = o.ContentType
	return nil
}

// Operation sets the operation reported by the client Transport, which
// client middleware sees. The default is the request path.
func Operation(operation string) CallOption {
	return OperationCallOption{Operation: operation}
}

// OperationCallOption is the CallOption of Operation.
type OperationCallOption struct {
	EmptyCallOption
	Operation string
}

func (o OperationCallOption) before(c *callInfo) error {
	c.operation = o.Operation
	return nil
}

// PathTemplate sets the path template reported by the client Transport. The
// default is the request path.
func PathTemplate(pattern string) CallOption {
	return PathTemplateCallOption{Pattern: pattern}
}

// PathTemplateCallOption is the CallOption of PathTemplate.
type PathTemplateCallOption struct {
	EmptyCallOption
	Pattern string
}

func (o PathTemplateCallOption) before(c *callInfo) error {
	c.pathTemplate = o.Pattern
	return nil
}

// Header stores the response header in *header once the response arrived,
// also for error responses.
func Header(header *http.Header) CallOption {
	return HeaderCallOption{header: header}
}

// HeaderCallOption is the CallOption of Header.
type HeaderCallOption struct {
	EmptyCallOption
	header *http.Header
}

func (o HeaderCallOption) after(_ *callInfo, cs *csAttempt) {
	if o.header != nil && cs.res != nil && cs.res.Header != nil {
		*o.header = cs.res.Header
	}
}
