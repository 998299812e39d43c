// Package transporttest provides a hand-written Transporter for testing
// middleware without a network.
package transporttest

import (
	"net/http"

	"github.com/seed6ad8aa6b/kratos/transport"
)

// Header is a transport.Header backed by http.Header.
type Header http.Header

// Get returns the first value of key.
func (h Header) Get(key string) string { return http.Header(h).Get(key) }

// Set replaces the values of key.
func (h Header) Set(key, value string) { http.Header(h).Set(key, value) }

// Add appends a value to key.
func (h Header) Add(key, value string) { http.Header(h).Add(key, value) }

// Keys returns every key, in canonical form.
func (h Header) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

// Values returns every value of key.
func (h Header) Values(key string) []string { return http.Header(h).Values(key) }

// Transport is a transport.Transporter with settable fields.
type Transport struct {
	KindValue      transport.Kind
	EndpointValue  string
	OperationValue string
	Request        Header
	Reply          Header
}

// New returns a Transport of kind for operation with empty headers.
func New(kind transport.Kind, operation string) *Transport {
	return &Transport{KindValue: kind, OperationValue: operation, Request: Header{}, Reply: Header{}}
}

// Kind returns KindValue.
func (t *Transport) Kind() transport.Kind { return t.KindValue }

// Endpoint returns EndpointValue.
func (t *Transport) Endpoint() string { return t.EndpointValue }

// Operation returns OperationValue.
func (t *Transport) Operation() string { return t.OperationValue }

// RequestHeader returns Request.
func (t *Transport) RequestHeader() transport.Header { return t.Request }

// ReplyHeader returns Reply.
func (t *Transport) ReplyHeader() transport.Header { return t.Reply }

var _ transport.Transporter = (*Transport)(nil)
