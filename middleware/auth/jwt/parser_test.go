package jwt

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestServerWithParserOptions(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(tm time.Time) jwt.ParserOption { return jwt.WithTimeFunc(func() time.Time { return tm }) }
	tok := sign(t, jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Issuer:    "issuer-a",
		Audience:  jwt.ClaimStrings{"svc"},
		ExpiresAt: jwt.NewNumericDate(now.Add(-10 * time.Second)),
	}, secret)
	noExp := sign(t, jwt.SigningMethodHS256, jwt.RegisteredClaims{Issuer: "issuer-a"}, secret)
	tests := []struct {
		name    string
		token   string
		opts    []Option
		wantErr error
	}{
		{"expired without leeway", tok, []Option{WithParserOptions(at(now))}, ErrTokenExpired},
		{"leeway admits it", tok, []Option{WithParserOptions(at(now), jwt.WithLeeway(time.Minute))}, nil},
		{"issuer matches", tok, []Option{WithParserOptions(at(now.Add(-time.Minute)), jwt.WithIssuer("issuer-a"))}, nil},
		{"issuer differs", tok, []Option{WithParserOptions(at(now.Add(-time.Minute)), jwt.WithIssuer("issuer-b"))}, ErrTokenParseFail},
		{"audience differs", tok, []Option{WithParserOptions(at(now.Add(-time.Minute)), jwt.WithAudience("other"))}, ErrTokenParseFail},
		{"options add up", tok, []Option{WithParserOptions(at(now.Add(-time.Minute))), WithParserOptions(jwt.WithIssuer("issuer-b"))}, ErrTokenParseFail},
		{"expiration required", noExp, []Option{WithParserOptions(jwt.WithExpirationRequired())}, ErrTokenParseFail},
		{"no expiration, not required", noExp, nil, nil},
		// WithValidMethods cannot widen or replace the configured method.
		{"valid methods overridden", noExp, []Option{WithParserOptions(jwt.WithValidMethods([]string{"RS256"}))}, nil},
		{"other method still refused", noExp, []Option{WithSigningMethod(jwt.SigningMethodHS512), WithParserOptions(jwt.WithValidMethods([]string{"HS256", "HS512"}))}, ErrUnSupportSigningMethod},
	}
	for _, tt := range tests {
		_, _, err := run(t, serverCtx("Bearer "+tt.token), hmacKey, tt.opts...)
		if err != tt.wantErr {
			t.Errorf("%s: Server() error = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}
