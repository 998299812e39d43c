// Package jwt authenticates calls with JSON Web Tokens
// (github.com/golang-jwt/jwt/v5) carried as "Authorization: Bearer <token>".
//
// Server verifies the token of each incoming call against a key from its
// jwt.Keyfunc, accepting only the one configured signing method (HS256 by
// default), and puts the token's claims into the handler's context, where
// FromContext finds them. Client signs a fresh token for each outgoing call
// with a key from its key provider and sets the header on the request.
//
// Every failure is a 401 error with reason "UNAUTHORIZED"; the Err*
// variables tell which check failed.
package jwt

import (
	"context"
	stderrors "errors"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

const (
	authorizationKey = "Authorization"
	bearerWord       = "Bearer"
	reason           = "UNAUTHORIZED"

	// maxHeaderBytes bounds the Authorization header Server will look at.
	// A longer one is rejected with ErrTokenInvalid before any decoding, so
	// a hostile client cannot make the server decode huge JSON documents.
	maxHeaderBytes = 8 << 10
)

// The errors returned by Server and Client. All are HTTP 401 with reason
// "UNAUTHORIZED", so errors.Is matches any of them against any other; the
// message tells them apart.
var (
	// ErrMissingJwtToken: the call has no "Authorization: Bearer" header.
	ErrMissingJwtToken = errors.Unauthorized(reason, "JWT token is missing")
	// ErrMissingKeyFunc: Server was given a nil jwt.Keyfunc.
	ErrMissingKeyFunc = errors.Unauthorized(reason, "keyFunc is missing")
	// ErrTokenInvalid: the token is malformed, too long, or cannot be
	// verified (the Keyfunc failed or the token names no algorithm).
	ErrTokenInvalid = errors.Unauthorized(reason, "Token is invalid")
	// ErrTokenExpired: the token has expired or is not valid yet.
	ErrTokenExpired = errors.Unauthorized(reason, "JWT token has expired")
	// ErrTokenParseFail: the signature does not match, or the claims fail
	// validation for another reason than their time window.
	ErrTokenParseFail = errors.Unauthorized(reason, "Fail to parse JWT token ")
	// ErrUnSupportSigningMethod: the token is signed with another algorithm
	// than the configured one, "none" included.
	ErrUnSupportSigningMethod = errors.Unauthorized(reason, "Wrong signing method")
	// ErrWrongContext: no transport in the context (Server needs a server
	// transport, Client a client transport).
	ErrWrongContext = errors.Unauthorized(reason, "Wrong context for middleware")
	// ErrNeedTokenProvider: Client was given a nil key provider.
	ErrNeedTokenProvider = errors.Unauthorized(reason, "Token provider is missing")
	// ErrSignToken: signing failed, usually because the key does not suit
	// the signing method.
	ErrSignToken = errors.Unauthorized(reason, "Can not sign token.Is the key correct?")
	// ErrGetKey: Client's key provider returned an error.
	ErrGetKey = errors.Unauthorized(reason, "Can not get key while signing token")
)

type authKey struct{}

// NewContext returns a context carrying the claims of a verified token.
func NewContext(ctx context.Context, info jwt.Claims) context.Context {
	return context.WithValue(ctx, authKey{}, info)
}

// FromContext returns the claims that Server stored in ctx. Their dynamic
// type is jwt.MapClaims unless WithClaims says otherwise.
func FromContext(ctx context.Context) (token jwt.Claims, ok bool) {
	token, ok = ctx.Value(authKey{}).(jwt.Claims)
	return
}

// Option configures Server and Client.
type Option func(*options)

type options struct {
	signingMethod jwt.SigningMethod
	claims        func() jwt.Claims
	tokenHeader   map[string]any
	parserOpts    []jwt.ParserOption
}

// WithSigningMethod sets the signing method. Server accepts only tokens
// whose "alg" header names exactly this method; Client signs with it.
// Default: jwt.SigningMethodHS256.
func WithSigningMethod(method jwt.SigningMethod) Option {
	return func(o *options) { o.signingMethod = method }
}

// WithClaims sets the function that returns a fresh claims value for each
// call. Server decodes tokens into it (it must return a new pointer each
// time, such as &jwt.RegisteredClaims{}); Client signs the claims it
// returns. Default: Server decodes into jwt.MapClaims, Client signs empty
// jwt.RegisteredClaims.
func WithClaims(f func() jwt.Claims) Option {
	return func(o *options) { o.claims = f }
}

// WithTokenHeader adds fields, such as "kid", to the header of the tokens
// Client signs. The "alg" field always names the signing method and cannot
// be overridden. Server ignores this option. Default: none.
func WithTokenHeader(header map[string]any) Option {
	return func(o *options) { o.tokenHeader = header }
}

// WithParserOptions adds options of the jwt parser Server verifies tokens
// with, for example jwt.WithIssuer, jwt.WithAudience, jwt.WithLeeway,
// jwt.WithExpirationRequired or jwt.WithTimeFunc. A token failing one of
// the checks they add is rejected with ErrTokenParseFail (ErrTokenExpired
// for its time window). Options add up across calls. The signing method
// set by WithSigningMethod still decides alone which "alg" is accepted: a
// jwt.WithValidMethods given here is overridden. Client ignores this
// option. Default: none.
//
// Kratos v3 added this option to its JWT middleware; the same name and
// signature here.
func WithParserOptions(opts ...jwt.ParserOption) Option {
	return func(o *options) { o.parserOpts = append(o.parserOpts, opts...) }
}

func newOptions(opts []Option) *options {
	o := &options{signingMethod: jwt.SigningMethodHS256}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Server returns a middleware that admits a call only with a valid token.
//
// It reads the Authorization header of the server transport, which must be
// "Bearer" (any case), blanks and the token, and rejects a header longer
// than 8 KiB without decoding it. The token must name the configured
// signing method in its "alg" header; otherwise it is rejected before
// keyFunc is called, which rules out "none" and algorithm confusion (an
// HS256 token checked against the bytes of an RSA public key). keyFunc
// returns the verification key for the token. The signature, then the
// "exp" and "nbf" claims (when present) are checked; the claims of a valid
// token are put into the context with NewContext.
func Server(keyFunc jwt.Keyfunc, opts ...Option) middleware.Middleware {
	o := newOptions(opts)
	alg := ""
	if o.signingMethod != nil {
		alg = o.signingMethod.Alg()
	}
	// The configured method is applied last, so that no parser option can
	// widen the accepted algorithms.
	popts := append(append([]jwt.ParserOption(nil), o.parserOpts...), jwt.WithValidMethods([]string{alg}))
	parser := jwt.NewParser(popts...)
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				return nil, ErrWrongContext
			}
			if keyFunc == nil {
				return nil, ErrMissingKeyFunc
			}
			raw, err := bearerToken(tr.RequestHeader().Get(authorizationKey))
			if err != nil {
				return nil, err
			}
			var claims jwt.Claims = jwt.MapClaims{}
			if o.claims != nil {
				claims = o.claims()
			}
			token, err := parser.ParseWithClaims(raw, claims, keyFunc)
			if err != nil {
				return nil, parseError(token, alg, err)
			}
			if !token.Valid || token.Method == nil || token.Method.Alg() != alg {
				return nil, ErrTokenInvalid
			}
			return handler(NewContext(ctx, token.Claims), req)
		}
	}
}

// bearerToken extracts the token from an Authorization header value.
func bearerToken(h string) (string, error) {
	if len(h) > maxHeaderBytes {
		return "", ErrTokenInvalid
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, bearerWord) {
		return "", ErrMissingJwtToken
	}
	token = strings.Trim(token, " \t")
	if token == "" {
		return "", ErrMissingJwtToken
	}
	return token, nil
}

// parseError maps an error of the jwt parser to one of the Err variables.
func parseError(token *jwt.Token, alg string, err error) error {
	if stderrors.Is(err, jwt.ErrTokenMalformed) {
		return ErrTokenInvalid
	}
	if token != nil {
		if got, ok := token.Header["alg"].(string); ok && got != alg {
			return ErrUnSupportSigningMethod
		}
	}
	switch {
	case stderrors.Is(err, jwt.ErrTokenUnverifiable):
		return ErrTokenInvalid
	case stderrors.Is(err, jwt.ErrTokenExpired), stderrors.Is(err, jwt.ErrTokenNotValidYet):
		return ErrTokenExpired
	}
	return ErrTokenParseFail
}

// Client returns a middleware that signs a token for each call and sends it
// as "Authorization: Bearer <token>" on the client transport.
//
// keyProvider is called with the unsigned token (method, header and claims
// set) and returns the signing key: a []byte secret for HMAC methods, an
// *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey otherwise.
func Client(keyProvider jwt.Keyfunc, opts ...Option) middleware.Middleware {
	o := newOptions(opts)
	if o.claims == nil {
		o.claims = func() jwt.Claims { return jwt.RegisteredClaims{} }
	}
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if keyProvider == nil {
				return nil, ErrNeedTokenProvider
			}
			tr, ok := transport.FromClientContext(ctx)
			if !ok {
				return nil, ErrWrongContext
			}
			if o.signingMethod == nil {
				return nil, ErrSignToken
			}
			token := jwt.NewWithClaims(o.signingMethod, o.claims())
			for k, v := range o.tokenHeader {
				if k != "alg" {
					token.Header[k] = v
				}
			}
			key, err := keyProvider(token)
			if err != nil {
				return nil, ErrGetKey
			}
			signed, err := token.SignedString(key)
			if err != nil {
				return nil, ErrSignToken
			}
			tr.RequestHeader().Set(authorizationKey, bearerWord+" "+signed)
			return handler(ctx, req)
		}
	}
}
