package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"google.golang.org/genproto/googleapis/api/httpbody"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// A server-streaming call answers as Server-Sent Events. The server is an
// http.Handler, so it can be exercised in memory.
func ExampleNewServerSentEventServerStream() {
	srv := khttp.NewServer()
	srv.Route("/").GET("/v1/ticks", func(ctx khttp.Context) error {
		stream := khttp.NewServerSentEventServerStream(ctx)
		if es, ok := stream.(khttp.EventStream); ok {
			// An HttpBody is sent as it is; a message in the codec of the
			// request's Accept header (json by default).
			if err := es.SendEvent("1", &httpbody.HttpBody{Data: []byte("tick\ntock")}); err != nil {
				return stream.Close(err)
			}
		}
		return stream.Close(nil)
	})

	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/ticks", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
	fmt.Print(rec.Body.String())
	// Output:
	// 200 text/event-stream no-cache
	// event: message
	// id: 1
	// data: tick
	// data: tock
}
