package http_test

import (
	"context"
	"net/http"
	"testing"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/protobuf/proto"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

func TestHTTPBodyRoundTrip(t *testing.T) {
	srv, host := startServer(t)
	srv.Route("/").POST("/v1/upload", func(ctx khttp.Context) error {
		var in httpbody.HttpBody
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		return ctx.Result(http.StatusOK, &httpbody.HttpBody{
			ContentType: "text/plain; charset=utf-8",
			Data:        []byte(in.GetContentType() + ": " + string(in.GetData())),
		})
	})
	srv.Route("/").GET("/v1/blob", func(ctx khttp.Context) error {
		return ctx.Result(http.StatusOK, &httpbody.HttpBody{Data: []byte{0, 1, 2}})
	})
	c := newClient(t, host)
	in := &httpbody.HttpBody{ContentType: "image/png", Data: []byte("\x89PNG")}
	var out *httpbody.HttpBody
	if err := c.Invoke(context.Background(), http.MethodPost, "/v1/upload", in, &out, khttp.ContentType(khttp.BodyContentType(in))); err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	if got, want := out.GetContentType(), "text/plain; charset=utf-8"; got != want {
		t.Errorf("reply content type = %q, want %q", got, want)
	}
	if got, want := string(out.GetData()), "image/png: \x89PNG"; got != want {
		t.Errorf("reply data = %q, want %q", got, want)
	}
	var blob httpbody.HttpBody
	if err := c.Invoke(context.Background(), http.MethodGet, "/v1/blob", nil, &blob); err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	if !proto.Equal(&blob, &httpbody.HttpBody{ContentType: "application/octet-stream", Data: []byte{0, 1, 2}}) {
		t.Errorf("blob = %v, want application/octet-stream [0 1 2]", &blob)
	}
}

func TestBodyContentType(t *testing.T) {
	var nilBody *httpbody.HttpBody
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"with a content type", &httpbody.HttpBody{ContentType: "image/png"}, "image/png"},
		{"without", &httpbody.HttpBody{}, "application/octet-stream"},
		{"nil body", nilBody, "application/octet-stream"},
		{"pointer to a body", &nilBody, "application/octet-stream"},
		{"not a body", &testpb.Feature{}, "application/octet-stream"},
		{"nil", nil, "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := khttp.BodyContentType(tt.v); got != tt.want {
			t.Errorf("%s: BodyContentType() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestAcceptProtoJSON checks that a v3 client's Accept: application/protojson
// is answered in protojson, and application/json keeps its v2 bytes.
func TestAcceptProtoJSON(t *testing.T) {
	srv, host := startServer(t)
	srv.Route("/").GET("/v1/feature", func(ctx khttp.Context) error {
		return ctx.Result(http.StatusOK, &testpb.Feature{Name: "a"})
	})
	tests := []struct {
		accept string
		wantCT string
	}{
		{"application/protojson", "application/protojson"},
		{"application/json", "application/json"},
		{"", "application/json"},
	}
	for _, tt := range tests {
		c := newClient(t, host)
		var hdr http.Header
		var out testpb.Feature
		opts := []khttp.CallOption{khttp.Header(&hdr)}
		if tt.accept != "" {
			opts = append(opts, khttp.Accept(tt.accept))
		}
		if err := c.Invoke(context.Background(), http.MethodGet, "/v1/feature", nil, &out, opts...); err != nil {
			t.Fatalf("Invoke(Accept %q) error = %v", tt.accept, err)
		}
		if got := hdr.Get("Content-Type"); got != tt.wantCT || out.GetName() != "a" {
			t.Errorf("Invoke(Accept %q) = %q %q, want %q %q", tt.accept, got, out.GetName(), tt.wantCT, "a")
		}
	}
}
