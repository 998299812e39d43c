package http_test

import (
	"testing"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

func TestBuildPath(t *testing.T) {
	tests := []struct {
		name     string
		template string
		msg      any
		opts     []khttp.BuildPathOption
		want     string
	}{
		{
			name:     "variables",
			template: "/v1/features/{latitude}/{longitude}",
			msg:      &testpb.Point{Latitude: 1, Longitude: -2, Name: "n"},
			want:     "/v1/features/1/-2",
		},
		{
			name:     "values are escaped",
			template: "/v1/routes/{name}",
			msg:      &testpb.Point{Name: "a/b?c d"},
			want:     "/v1/routes/a%2Fb%3Fc%20d",
		},
		{
			name:     "a multi-segment pattern keeps its slashes",
			template: "/v1/{name=shelves/*/books/*}",
			msg:      &testpb.GetBookRequest{Name: "shelves/s 1/books/b"},
			want:     "/v1/shelves/s%201/books/b",
		},
		{
			name:     "nested field",
			template: "/v1/rooms/{location.latitude}",
			msg:      &testpb.RouteNote{Location: &testpb.Point{Latitude: 7}},
			want:     "/v1/rooms/7",
		},
		{
			name:     "query params",
			template: "/v1/rooms/{room}/notes",
			msg:      &testpb.RouteNote{Room: "r", Author: "ann", Message: "hi there"},
			opts:     []khttp.BuildPathOption{khttp.WithQueryParams()},
			want:     "/v1/rooms/r/notes?author=ann&message=hi+there",
		},
		{
			name:     "no query params without the option",
			template: "/v1/rooms/{room}/notes",
			msg:      &testpb.RouteNote{Room: "r", Author: "ann"},
			want:     "/v1/rooms/r/notes",
		},
		{
			name:     "omit fields with their sub-fields, by proto or JSON name",
			template: "/v1/rooms/{room}/posts",
			msg:      &testpb.PostRequest{Room: "r", Author: "bob", Note: &testpb.RouteNote{Message: "m", Location: &testpb.Point{Latitude: 1}}},
			opts:     []khttp.BuildPathOption{khttp.WithQueryParams(), khttp.WithOmitFields("note")},
			want:     "/v1/rooms/r/posts?author=bob",
		},
		{
			name:     "omit a nested field",
			template: "/v1/rooms/{room}/posts",
			msg:      &testpb.PostRequest{Room: "r", Note: &testpb.RouteNote{Message: "m", Author: "x"}},
			opts:     []khttp.BuildPathOption{khttp.WithQueryParams(), khttp.WithOmitFields("note.message")},
			want:     "/v1/rooms/r/posts?note.author=x",
		},
		{
			name:     "omit everything",
			template: "/v1/rooms/{room}/posts",
			msg:      &testpb.PostRequest{Room: "r", Author: "bob"},
			opts:     []khttp.BuildPathOption{khttp.WithQueryParams(), khttp.WithOmitFields("author", "")},
			want:     "/v1/rooms/r/posts",
		},
		{
			name:     "a field mask is kept without the option",
			template: "/v1/{book.name=shelves/*/books/*}",
			msg:      &testpb.UpdateBookRequest{Book: &testpb.Book{Name: "shelves/1/books/2"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}},
			want:     "/v1/shelves/1/books/2?updateMask=title",
		},
		{
			name:     "nil message",
			template: "/v1/rooms/{room}",
			msg:      (*testpb.RouteNote)(nil),
			want:     "/v1/rooms/{room}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := khttp.BuildPath(tt.template, tt.msg, tt.opts...); got != tt.want {
				t.Errorf("BuildPath(%q) = %q, want %q", tt.template, got, tt.want)
			}
		})
	}
}
