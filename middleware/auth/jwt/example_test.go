package jwt_test

import (
	"context"
	"fmt"

	jwtv5 "github.com/golang-jwt/jwt/v5"

	"github.com/seed6ad8aa6b/kratos/middleware/auth/jwt"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func Example() {
	key := []byte("a secret of at least 32 bytes!!!")
	keyFunc := func(*jwtv5.Token) (any, error) { return key, nil }

	// The server side: a handler that reads the verified claims.
	server := jwt.Server(keyFunc)(func(ctx context.Context, req any) (any, error) {
		claims, _ := jwt.FromContext(ctx)
		sub, _ := claims.GetSubject()
		return "hello " + sub, nil
	})

	// The client side signs a token per call; here its "network" hands the
	// request header straight to the server.
	client := jwt.Client(keyFunc, jwt.WithClaims(func() jwtv5.Claims {
		return jwtv5.RegisteredClaims{Subject: "alice"}
	}))(func(ctx context.Context, req any) (any, error) {
		ct, _ := transport.FromClientContext(ctx)
		st := transporttest.New(transport.KindHTTP, ct.Operation())
		st.Request = ct.RequestHeader().(transporttest.Header)
		return server(transport.NewServerContext(ctx, st), req)
	})

	ctx := transport.NewClientContext(context.Background(), transporttest.New(transport.KindHTTP, "/hello.v1.Hello/Say"))
	reply, err := client(ctx, nil)
	fmt.Println(reply, err)

	// Without a token:
	_, err = server(transport.NewServerContext(context.Background(), transporttest.New(transport.KindHTTP, "/x")), nil)
	fmt.Println(err == jwt.ErrMissingJwtToken)
	// Output:
	// hello alice <nil>
	// true
}
