package jwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	stderrors "errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

type keys struct {
	rsa    *rsa.PrivateKey
	rsaPEM []byte // the PEM of the RSA public key, as a server might hold it
	ec256  *ecdsa.PrivateKey
	ec384  *ecdsa.PrivateKey
}

var testKeys = sync.OnceValue(func() keys {
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&r.PublicKey)
	if err != nil {
		panic(err)
	}
	e256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	e384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return keys{
		rsa:    r,
		rsaPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		ec256:  e256,
		ec384:  e384,
	}
})

func sign(t *testing.T, method jwt.SigningMethod, claims jwt.Claims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("SignedString: %v", err)
	}
	return s
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func serverCtx(auth string) context.Context {
	tr := transporttest.New(transport.KindHTTP, "/test.v1.Test/Call")
	if auth != "" {
		tr.Request.Set("Authorization", auth)
	}
	return transport.NewServerContext(context.Background(), tr)
}

// run calls a handler wrapped by Server and returns the claims the handler
// saw, whether the keyFunc was called, and the error.
func run(t *testing.T, ctx context.Context, keyFunc jwt.Keyfunc, opts ...Option) (jwt.Claims, bool, error) {
	t.Helper()
	called := false
	var kf jwt.Keyfunc
	if keyFunc != nil {
		kf = func(tok *jwt.Token) (any, error) { called = true; return keyFunc(tok) }
	}
	var got jwt.Claims
	_, err := Server(kf, opts...)(func(ctx context.Context, req any) (any, error) {
		c, ok := FromContext(ctx)
		if !ok {
			t.Error("FromContext() ok = false in handler")
		}
		got = c
		return "reply", nil
	})(ctx, "req")
	return got, called, err
}

func hmacKey(*jwt.Token) (any, error) { return secret, nil }

func TestServerHostileTokens(t *testing.T) {
	k := testKeys()
	now := time.Now()
	valid := jwt.MapClaims{"sub": "alice", "exp": now.Add(time.Hour).Unix()}
	good := sign(t, jwt.SigningMethodHS256, valid, secret)
	parts := strings.Split(good, ".")
	rsaPublic := func(*jwt.Token) (any, error) { return &k.rsa.PublicKey, nil }
	rsaPEMKey := func(*jwt.Token) (any, error) { return k.rsaPEM, nil }

	tests := []struct {
		name       string
		auth       string
		keyFunc    jwt.Keyfunc
		opts       []Option
		want       error // nil: admitted
		wantKeyRun bool
	}{
		{"valid HS256", "Bearer " + good, hmacKey, nil, nil, true},
		{"scheme in lower case", "bearer " + good, hmacKey, nil, nil, true},
		{"scheme in upper case, extra blanks", "BEARER   " + good + " ", hmacKey, nil, nil, true},
		{"no header", "", hmacKey, nil, ErrMissingJwtToken, false},
		{"basic scheme", "Basic " + b64("a:b"), hmacKey, nil, ErrMissingJwtToken, false},
		{"scheme only", "Bearer", hmacKey, nil, ErrMissingJwtToken, false},
		{"scheme and blanks", "Bearer   ", hmacKey, nil, ErrMissingJwtToken, false},
		{"token without scheme", good, hmacKey, nil, ErrMissingJwtToken, false},
		{"oversized header", "Bearer " + good + strings.Repeat("A", 9<<10), hmacKey, nil, ErrTokenInvalid, false},
		{"oversized claims", "Bearer " + parts[0] + "." + b64(`{"x":"`+strings.Repeat("y", 8<<10)+`"}`) + "." + parts[2],
			hmacKey, nil, ErrTokenInvalid, false},
		{"two segments", "Bearer " + parts[0] + "." + parts[1], hmacKey, nil, ErrTokenInvalid, false},
		{"four segments", "Bearer " + good + ".x", hmacKey, nil, ErrTokenInvalid, false},
		{"bad base64 header", "Bearer !!!." + parts[1] + "." + parts[2], hmacKey, nil, ErrTokenInvalid, false},
		{"header not JSON", "Bearer " + b64("nope") + "." + parts[1] + "." + parts[2], hmacKey, nil, ErrTokenInvalid, false},
		{"claims not JSON", "Bearer " + parts[0] + "." + b64("[1,2") + "." + parts[2], hmacKey, nil, ErrTokenInvalid, false},
		{"bad base64 signature", "Bearer " + parts[0] + "." + parts[1] + ".***", hmacKey, nil, ErrTokenInvalid, false},
		{"no alg", "Bearer " + b64(`{"typ":"JWT"}`) + "." + parts[1] + "." + parts[2], hmacKey, nil, ErrTokenInvalid, false},
		{"alg not a string", "Bearer " + b64(`{"alg":7}`) + "." + parts[1] + "." + parts[2], hmacKey, nil, ErrTokenInvalid, false},
		{"unknown alg", "Bearer " + b64(`{"alg":"XX99"}`) + "." + parts[1] + "." + parts[2], hmacKey, nil, ErrUnSupportSigningMethod, false},
		{"alg none, no signature", "Bearer " + b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".", hmacKey, nil,
			ErrUnSupportSigningMethod, false},
		{"alg none, properly built", "Bearer " + sign(t, jwt.SigningMethodNone, valid, jwt.UnsafeAllowNoneSignatureType),
			hmacKey, nil, ErrUnSupportSigningMethod, false},
		{"alg none, server expects none", "Bearer " + sign(t, jwt.SigningMethodNone, valid, jwt.UnsafeAllowNoneSignatureType),
			hmacKey, []Option{WithSigningMethod(jwt.SigningMethodNone)}, ErrTokenInvalid, true},
		{"alg NONE", "Bearer " + b64(`{"alg":"NONE"}`) + "." + parts[1] + ".", hmacKey, nil, ErrUnSupportSigningMethod, false},
		{"HS256 signed with the RSA public key PEM, server expects RS256",
			"Bearer " + sign(t, jwt.SigningMethodHS256, valid, k.rsaPEM), rsaPEMKey,
			[]Option{WithSigningMethod(jwt.SigningMethodRS256)}, ErrUnSupportSigningMethod, false},
		{"HS256 token, keyFunc returns an RSA public key",
			"Bearer " + sign(t, jwt.SigningMethodHS256, valid, k.rsaPEM), rsaPublic, nil, ErrTokenParseFail, true},
		{"RS256 token, server expects HS256", "Bearer " + sign(t, jwt.SigningMethodRS256, valid, k.rsa), hmacKey, nil,
			ErrUnSupportSigningMethod, false},
		{"HS384 token, server expects HS256", "Bearer " + sign(t, jwt.SigningMethodHS384, valid, secret), hmacKey, nil,
			ErrUnSupportSigningMethod, false},
		{"valid RS256", "Bearer " + sign(t, jwt.SigningMethodRS256, valid, k.rsa), rsaPublic,
			[]Option{WithSigningMethod(jwt.SigningMethodRS256)}, nil, true},
		{"PS256 token, server expects RS256", "Bearer " + sign(t, jwt.SigningMethodPS256, valid, k.rsa), rsaPublic,
			[]Option{WithSigningMethod(jwt.SigningMethodRS256)}, ErrUnSupportSigningMethod, false},
		{"valid ES256", "Bearer " + sign(t, jwt.SigningMethodES256, valid, k.ec256),
			func(*jwt.Token) (any, error) { return &k.ec256.PublicKey, nil },
			[]Option{WithSigningMethod(jwt.SigningMethodES256)}, nil, true},
		{"ES384 token, server expects ES256", "Bearer " + sign(t, jwt.SigningMethodES384, valid, k.ec384),
			func(*jwt.Token) (any, error) { return &k.ec256.PublicKey, nil },
			[]Option{WithSigningMethod(jwt.SigningMethodES256)}, ErrUnSupportSigningMethod, false},
		{"ES256 token, another key", "Bearer " + sign(t, jwt.SigningMethodES256, valid, k.ec256),
			func(*jwt.Token) (any, error) {
				other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				return &other.PublicKey, nil
			},
			[]Option{WithSigningMethod(jwt.SigningMethodES256)}, ErrTokenParseFail, true},
		{"tampered signature", "Bearer " + parts[0] + "." + parts[1] + "." + flip(parts[2]), hmacKey, nil, ErrTokenParseFail, true},
		{"tampered claims", "Bearer " + parts[0] + "." + b64(`{"sub":"mallory","exp":`+itoa(now.Add(time.Hour).Unix())+`}`) + "." + parts[2],
			hmacKey, nil, ErrTokenParseFail, true},
		{"signature stripped", "Bearer " + parts[0] + "." + parts[1] + ".", hmacKey, nil, ErrTokenParseFail, true},
		{"another secret", "Bearer " + sign(t, jwt.SigningMethodHS256, valid, []byte("another secret")), hmacKey, nil,
			ErrTokenParseFail, true},
		{"expired", "Bearer " + sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()}, secret),
			hmacKey, nil, ErrTokenExpired, true},
		{"not valid yet", "Bearer " + sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"nbf": now.Add(time.Hour).Unix()}, secret),
			hmacKey, nil, ErrTokenExpired, true},
		{"expired and tampered", "Bearer " + tamper(sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()}, secret)),
			hmacKey, nil, ErrTokenParseFail, true},
		{"exp of the wrong type", "Bearer " + sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"exp": "tomorrow"}, secret),
			hmacKey, nil, ErrTokenParseFail, true},
		{"keyFunc fails", "Bearer " + good, func(*jwt.Token) (any, error) { return nil, stderrors.New("no key") }, nil,
			ErrTokenInvalid, true},
		{"keyFunc returns an empty key set", "Bearer " + good, func(*jwt.Token) (any, error) { return jwt.VerificationKeySet{}, nil },
			nil, ErrTokenInvalid, true},
		{"nil keyFunc", "Bearer " + good, nil, nil, ErrMissingKeyFunc, false},
		{"nil signing method", "Bearer " + good, hmacKey, []Option{WithSigningMethod(nil)}, ErrUnSupportSigningMethod, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, keyRun, err := run(t, serverCtx(tt.auth), tt.keyFunc, tt.opts...)
			if err != tt.want {
				t.Fatalf("Server() error = %v, want %v", err, tt.want)
			}
			if keyRun != tt.wantKeyRun {
				t.Errorf("keyFunc called = %v, want %v", keyRun, tt.wantKeyRun)
			}
			if err != nil {
				if got := errors.FromError(err); got.Code != 401 || got.Reason != "UNAUTHORIZED" {
					t.Errorf("error code, reason = %d, %q, want 401, UNAUTHORIZED", got.Code, got.Reason)
				}
				return
			}
			if sub, _ := claims.GetSubject(); sub != "alice" {
				t.Errorf("claims subject = %q, want alice", sub)
			}
		})
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func tamper(tok string) string {
	p := strings.Split(tok, ".")
	p[2] = flip(p[2])
	return strings.Join(p, ".")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestServerWrongContext(t *testing.T) {
	_, _, err := run(t, context.Background(), hmacKey)
	if err != ErrWrongContext {
		t.Errorf("Server() error = %v, want %v", err, ErrWrongContext)
	}
	// A client transport is not a server transport.
	ctx := transport.NewClientContext(context.Background(), transporttest.New(transport.KindGRPC, "/a/b"))
	if _, _, err := run(t, ctx, hmacKey); err != ErrWrongContext {
		t.Errorf("Server() with client context error = %v, want %v", err, ErrWrongContext)
	}
}

type userClaims struct {
	Name string `json:"name"`
	jwt.RegisteredClaims
}

func TestServerWithClaims(t *testing.T) {
	tok := sign(t, jwt.SigningMethodHS256, &userClaims{
		Name:             "alice",
		RegisteredClaims: jwt.RegisteredClaims{Subject: "alice", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))},
	}, secret)
	claims, _, err := run(t, serverCtx("Bearer "+tok), hmacKey, WithClaims(func() jwt.Claims { return &userClaims{} }))
	if err != nil {
		t.Fatalf("Server() error = %v", err)
	}
	uc, ok := claims.(*userClaims)
	if !ok {
		t.Fatalf("claims type = %T, want *userClaims", claims)
	}
	if uc.Name != "alice" {
		t.Errorf("claims.Name = %q, want alice", uc.Name)
	}
	// The default claims type is jwt.MapClaims.
	claims, _, err = run(t, serverCtx("Bearer "+tok), hmacKey)
	if err != nil {
		t.Fatalf("Server() error = %v", err)
	}
	if mc, ok := claims.(jwt.MapClaims); !ok || mc["name"] != "alice" {
		t.Errorf("default claims = %#v, want MapClaims with name alice", claims)
	}
}

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext(empty) ok = true")
	}
	c := jwt.MapClaims{"sub": "x"}
	got, ok := FromContext(NewContext(context.Background(), c))
	if !ok || got.(jwt.MapClaims)["sub"] != "x" {
		t.Errorf("FromContext() = %v, %v, want %v, true", got, ok, c)
	}
}

// clientServer runs Client on a client transport, then hands its request
// header to Server on a server transport, like a real hop would.
func clientServer(t *testing.T, client, server []Option, provider, keyFunc jwt.Keyfunc) (string, jwt.Claims, error) {
	t.Helper()
	ctr := transporttest.New(transport.KindGRPC, "/test.v1.Test/Call")
	ctx := transport.NewClientContext(context.Background(), ctr)
	var got jwt.Claims
	_, err := Client(provider, client...)(func(ctx context.Context, req any) (any, error) {
		str := transporttest.New(transport.KindGRPC, "/test.v1.Test/Call")
		str.Request = ctr.Request
		claims, _, err := run(t, transport.NewServerContext(ctx, str), keyFunc, server...)
		got = claims
		return nil, err
	})(ctx, "req")
	return ctr.Request.Get("Authorization"), got, err
}

func TestClient(t *testing.T) {
	k := testKeys()
	header, _, err := clientServer(t, nil, nil, hmacKey, hmacKey)
	if err != nil {
		t.Fatalf("HS256 round trip error = %v", err)
	}
	if !strings.HasPrefix(header, "Bearer ") {
		t.Errorf("Authorization = %q, want a Bearer token", header)
	}

	claims := func() jwt.Claims {
		return jwt.RegisteredClaims{Subject: "svc-a", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))}
	}
	var kid any
	_, got, err := clientServer(t,
		[]Option{WithSigningMethod(jwt.SigningMethodRS256), WithClaims(claims), WithTokenHeader(map[string]any{"kid": "k1", "alg": "none"})},
		[]Option{WithSigningMethod(jwt.SigningMethodRS256)},
		func(*jwt.Token) (any, error) { return k.rsa, nil },
		func(tok *jwt.Token) (any, error) { kid = tok.Header["kid"]; return &k.rsa.PublicKey, nil })
	if err != nil {
		t.Fatalf("RS256 round trip error = %v", err)
	}
	if sub, _ := got.GetSubject(); sub != "svc-a" {
		t.Errorf("server saw subject %q, want svc-a", sub)
	}
	if kid != "k1" {
		t.Errorf("server saw kid %v, want k1", kid)
	}

	// A token per call: expiry in the claims function moves with time.
	h1, _, _ := clientServer(t, []Option{WithClaims(func() jwt.Claims {
		return jwt.MapClaims{"n": time.Now().UnixNano()}
	})}, nil, hmacKey, hmacKey)
	h2, _, _ := clientServer(t, []Option{WithClaims(func() jwt.Claims {
		return jwt.MapClaims{"n": time.Now().UnixNano() + 1}
	})}, nil, hmacKey, hmacKey)
	if h1 == h2 {
		t.Error("two calls sent the same token")
	}
}

func TestClientErrors(t *testing.T) {
	k := testKeys()
	ctx := transport.NewClientContext(context.Background(), transporttest.New(transport.KindHTTP, "/a/b"))
	tests := []struct {
		name     string
		ctx      context.Context
		provider jwt.Keyfunc
		opts     []Option
		want     error
	}{
		{"nil provider", ctx, nil, nil, ErrNeedTokenProvider},
		{"provider fails", ctx, func(*jwt.Token) (any, error) { return nil, stderrors.New("vault down") }, nil, ErrGetKey},
		{"key unfit for method", ctx, func(*jwt.Token) (any, error) { return secret, nil },
			[]Option{WithSigningMethod(jwt.SigningMethodRS256)}, ErrSignToken},
		{"RSA key for HS256", ctx, func(*jwt.Token) (any, error) { return k.rsa, nil }, nil, ErrSignToken},
		{"nil signing method", ctx, hmacKey, []Option{WithSigningMethod(nil)}, ErrSignToken},
		{"no transport", context.Background(), hmacKey, nil, ErrWrongContext},
		{"server transport only", serverCtx(""), hmacKey, nil, ErrWrongContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			_, err := Client(tt.provider, tt.opts...)(func(context.Context, any) (any, error) {
				called = true
				return nil, nil
			})(tt.ctx, "req")
			if err != tt.want {
				t.Errorf("Client() error = %v, want %v", err, tt.want)
			}
			if called {
				t.Error("handler called after a client error")
			}
		})
	}
}

func TestErrors(t *testing.T) {
	all := []*errors.Error{
		ErrMissingJwtToken, ErrMissingKeyFunc, ErrTokenInvalid, ErrTokenExpired, ErrTokenParseFail,
		ErrUnSupportSigningMethod, ErrWrongContext, ErrNeedTokenProvider, ErrSignToken, ErrGetKey,
	}
	seen := map[string]bool{}
	for _, e := range all {
		if e.Code != 401 || e.Reason != "UNAUTHORIZED" {
			t.Errorf("%q: code, reason = %d, %q, want 401, UNAUTHORIZED", e.Message, e.Code, e.Reason)
		}
		if seen[e.Message] {
			t.Errorf("message %q used twice", e.Message)
		}
		seen[e.Message] = true
	}
}

func FuzzServer(f *testing.F) {
	good, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "a"}).SignedString(secret)
	for _, s := range []string{"", "Bearer " + good, "bearer a.b.c", "Bearer " + b64(`{"alg":"none"}`) + ".e30.", "Basic x", "Bearer \x00"} {
		f.Add(s)
	}
	mw := Server(hmacKey)
	known := map[error]bool{
		ErrMissingJwtToken: true, ErrTokenInvalid: true, ErrTokenExpired: true,
		ErrTokenParseFail: true, ErrUnSupportSigningMethod: true,
	}
	f.Fuzz(func(t *testing.T, auth string) {
		_, err := mw(func(context.Context, any) (any, error) { return nil, nil })(serverCtx(auth), nil)
		if err != nil && !known[err] {
			t.Errorf("Server(%q) error = %v, want one of the package errors", auth, err)
		}
	})
}
