package binding_test

import (
	stderrors "errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/transport/http/binding"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

func TestEncodeURL(t *testing.T) {
	hello := &testpb.HelloRequest{Name: "ann", Count: 3, Tags: []string{"a", "b"}, PageToken: "t"}
	book := &testpb.CreateBookRequest{Parent: "shelves/1", Book: &testpb.Book{Name: "x", Pages: 10}, RequestId: "r"}
	tests := []struct {
		name      string
		template  string
		msg       any
		needQuery bool
		want      string
	}{
		{"simple", "/helloworld/{name}", &testpb.HelloRequest{Name: "ann"}, true, "/helloworld/ann"},
		{"no vars", "/helloworld", &testpb.HelloRequest{}, true, "/helloworld"},
		{"query", "/helloworld/{name}", hello, true, "/helloworld/ann?count=3&pageToken=t&tags=a&tags=b"},
		{"no query", "/helloworld/{name}", hello, false, "/helloworld/ann"},
		{"json name", "/helloworld/{pageToken}", hello, true, "/helloworld/t?count=3&name=ann&tags=a&tags=b"},
		{"proto name", "/helloworld/{page_token}", hello, true, "/helloworld/t?count=3&name=ann&tags=a&tags=b"},
		{"escaped", "/helloworld/{name}", &testpb.HelloRequest{Name: "a b/c?d%"}, false, "/helloworld/a%20b%2Fc%3Fd%25"},
		{"unset", "/helloworld/{name}/x", &testpb.HelloRequest{}, false, "/helloworld//x"},
		{"path characters kept", "/h/{name}", &testpb.HelloRequest{Name: "a!$&'()*+,;=:@~b"}, false, "/h/a!$&'()*+,;=:@~b"},
		{"non-ASCII and controls escaped", "/h/{name}", &testpb.HelloRequest{Name: "é\n#[]"}, false, "/h/%C3%A9%0A%23%5B%5D"},
		{"empty braces literal", "/h/{}/{name}", &testpb.HelloRequest{Name: "n"}, false, "/h/{}/n"},
		{"bracketed name literal", "/h/{[name]}/[{name}]", &testpb.HelloRequest{Name: "n"}, false, "/h/{[name]}/[n]"},
		{"double braces", "/h/{{name}}", &testpb.HelloRequest{Name: "n"}, false, "/h/{n}"},
		{"int", "/n/{count}", &testpb.HelloRequest{Count: -7}, false, "/n/-7"},
		{"nested", "/i/{inner.value}", &testpb.HelloRequest{Inner: &testpb.Inner{Value: "v"}, Name: "n"}, true, "/i/v?name=n"},
		{"nested unset", "/i/{inner.value}", &testpb.HelloRequest{Name: "n"}, true, "/i/?name=n"},
		{"equals pattern", "/v1/{parent=shelves/*}/books", book, true, "/v1/shelves/1/books?book.name=x&book.pages=10&requestId=r"},
		{"colon pattern", "/v1/{parent:shelves/.*}/books", book, false, "/v1/shelves/1/books"},
		{"pattern escapes segments", "/v1/{parent:shelves/.*}", &testpb.CreateBookRequest{Parent: "shelves/a b"}, false, "/v1/shelves/a%20b"},
		{"double wildcard", "/files/{parent=**}", &testpb.CreateBookRequest{Parent: "a/b c/d"}, false, "/files/a/b%20c/d"},
		{"regex any", "/files/{parent:.*}", &testpb.CreateBookRequest{Parent: "a/b"}, false, "/files/a/b"},
		{"single segment regex", "/v1/{parent:[a-z]+}", &testpb.CreateBookRequest{Parent: "a/b"}, false, "/v1/a%2Fb"},
		{"regex braces", "/n/{count:[0-9]{1,3}}", &testpb.HelloRequest{Count: 12}, false, "/n/12"},
		{"nested path var", "/v1/{book.name=shelves/*/books/*}", &testpb.UpdateBookRequest{Book: &testpb.Book{Name: "shelves/1/books/2", Title: "t"}}, true, "/v1/shelves/1/books/2?book.title=t"},
		{"unknown var", "/x/{nope}", &testpb.HelloRequest{Name: "n"}, true, "/x/?name=n"},
		{"unclosed", "/x/{name", &testpb.HelloRequest{Name: "n"}, false, "/x/{name"},
		{"nil message", "/x/{name}", (*testpb.HelloRequest)(nil), true, "/x/{name}"},
		{"nil", "/x/{name}", nil, true, "/x/{name}"},
		{"field mask without query", "/v1/{book.name=shelves/*/books/*}",
			&testpb.UpdateBookRequest{Book: &testpb.Book{Name: "shelves/1/books/2"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title", "pages"}}},
			false, "/v1/shelves/1/books/2?updateMask=title,pages"},
		{"struct", "/s/{id}", &struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}{ID: "7", Name: "n"}, true, "/s/7?name=n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := binding.EncodeURL(tt.template, tt.msg, tt.needQuery); got != tt.want {
				t.Errorf("binding.EncodeURL(%q) = %q, want %q", tt.template, got, tt.want)
			}
		})
	}
}

func TestBindQuery(t *testing.T) {
	tests := []struct {
		name     string
		vars     url.Values
		want     *testpb.HelloRequest
		wantCode int
	}{
		{"fields", url.Values{"name": {"ann"}, "count": {"3"}, "inner.value": {"v"}, "tags": {"a", "b"}},
			&testpb.HelloRequest{Name: "ann", Count: 3, Inner: &testpb.Inner{Value: "v"}, Tags: []string{"a", "b"}}, 0},
		{"json and proto names", url.Values{"pageToken": {"t"}}, &testpb.HelloRequest{PageToken: "t"}, 0},
		{"proto name", url.Values{"page_token": {"t"}}, &testpb.HelloRequest{PageToken: "t"}, 0},
		{"unknown ignored", url.Values{"zzz": {"1"}}, &testpb.HelloRequest{}, 0},
		{"bad int", url.Values{"count": {"x"}}, nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got testpb.HelloRequest
			err := binding.BindQuery(tt.vars, &got)
			if tt.wantCode != 0 {
				if errors.Code(err) != tt.wantCode || errors.Reason(err) != "CODEC" {
					t.Fatalf("binding.BindQuery() error = %v, want code %d reason CODEC", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("binding.BindQuery() error = %v", err)
			}
			if !proto.Equal(&got, tt.want) {
				t.Errorf("binding.BindQuery() = %v, want %v", &got, tt.want)
			}
		})
	}
}

func TestBindQueryStruct(t *testing.T) {
	var got struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	if err := binding.BindQuery(url.Values{"name": {"ann"}, "count": {"2"}}, &got); err != nil {
		t.Fatalf("binding.BindQuery() error = %v", err)
	}
	if got.Name != "ann" || got.Count != 2 {
		t.Errorf("binding.BindQuery() = %+v, want {ann 2}", got)
	}
}

func TestBindForm(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/x?count=4", strings.NewReader("name=ann&tags=a"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var got testpb.HelloRequest
	if err := binding.BindForm(req, &got); err != nil {
		t.Fatalf("binding.BindForm() error = %v", err)
	}
	want := &testpb.HelloRequest{Name: "ann", Count: 4, Tags: []string{"a"}}
	if !proto.Equal(&got, want) {
		t.Errorf("binding.BindForm() = %v, want %v", &got, want)
	}

}

// TestBindFormErrors checks the errors of BindForm: 400 "CODEC" for values
// that do not decode, as on Kratos v2.9.2, and also for a form that does
// not parse, where Kratos returns ParseForm's error as is (a 500 once
// encoded); ours keeps that error as the cause.
func TestBindFormErrors(t *testing.T) {
	form := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	tooLarge := form("name=" + strings.Repeat("a", 100))
	tooLarge.Body = http.MaxBytesReader(httptest.NewRecorder(), tooLarge.Body, 10)
	tests := []struct {
		name      string
		req       *http.Request
		wantMsg   string
		wantCause func(error) bool
	}{
		{"missing body", &http.Request{Method: http.MethodPost, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
			"missing form body", nil},
		{"malformed escape", form("name=%zz"), "invalid URL escape", nil},
		{"body too large", tooLarge, "request body too large", func(err error) bool {
			var mbe *http.MaxBytesError
			return stderrors.As(err, &mbe)
		}},
		{"value does not decode", form("count=a"), "count", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := binding.BindForm(tt.req, &testpb.HelloRequest{})
			if errors.Code(err) != 400 || errors.Reason(err) != "CODEC" {
				t.Fatalf("BindForm() error = %v, want 400 CODEC", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("BindForm() error = %v, want it to mention %q", err, tt.wantMsg)
			}
			if tt.wantCause != nil && !tt.wantCause(err) {
				t.Errorf("BindForm() error = %v, cause not reachable", err)
			}
		})
	}
}

func FuzzEncodeURL(f *testing.F) {
	f.Add("/v1/{parent=shelves/*}/books/{name}", "shelves/1", "a b")
	f.Add("/{a:{{}", "", "")
	f.Fuzz(func(t *testing.T, template, parent, name string) {
		_ = binding.EncodeURL(template, &testpb.CreateBookRequest{Parent: parent, Book: &testpb.Book{Name: name}}, true)
	})
}
