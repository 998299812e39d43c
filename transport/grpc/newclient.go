package grpc

import (
	"context"

	"google.golang.org/grpc"
)

// NewClient returns a connection to the target set by WithEndpoint, as
// Kratos v3's NewClient does: secured by WithTLSConfig when it is given,
// over plaintext otherwise, and already connecting (it does not wait for
// the connection; ctx is checked first and bounds the wait only when
// grpc.WithBlock is among WithOptions). Every other option works as with
// Dial and DialInsecure, which it stands in for. The caller must Close the
// connection.
func NewClient(ctx context.Context, opts ...ClientOption) (*grpc.ClientConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var o clientOptions
	for _, opt := range opts {
		opt(&o)
	}
	cc, err := dial(ctx, o.tlsConf == nil, opts...)
	if err != nil {
		return nil, err
	}
	cc.Connect()
	return cc, nil
}
