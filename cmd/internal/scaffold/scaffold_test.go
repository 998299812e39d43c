package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoc"
)

func TestProtoParamsFor(t *testing.T) {
	tests := []struct {
		module, rel string
		want        ProtoParams
		wantErr     bool
	}{
		{"example.com/shop", "api/shop/v1/order.proto",
			ProtoParams{Package: "shop.v1", GoPackage: "example.com/shop/api/shop/v1;v1", Service: "Order"}, false},
		{"helloworld", "api/helloworld/v1/user_account.proto",
			ProtoParams{Package: "helloworld.v1", GoPackage: "helloworld/api/helloworld/v1;v1", Service: "UserAccount"}, false},
		{"m", "proto/my-svc/v2/thing.proto",
			ProtoParams{Package: "proto.my_svc.v2", GoPackage: "m/proto/my-svc/v2;v2", Service: "Thing"}, false},
		{"example.com/x", "demo.proto",
			ProtoParams{Package: "demo", GoPackage: "example.com/x;x", Service: "Demo"}, false},
		{"m", "api/2024/x.proto",
			ProtoParams{Package: "p2024", GoPackage: "m/api/2024;pb2024", Service: "X"}, false},
		{"m", "api/v1/1x.proto", ProtoParams{}, true},
		{"m", "api/v1/x.txt", ProtoParams{}, true},
	}
	for _, tt := range tests {
		got, err := ProtoParamsFor(tt.module, tt.rel, false)
		if (err != nil) != tt.wantErr {
			t.Errorf("ProtoParamsFor(%q, %q) error = %v, want error %v", tt.module, tt.rel, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ProtoParamsFor(%q, %q) = %+v, want %+v", tt.module, tt.rel, got, tt.want)
		}
	}
}

func TestCases(t *testing.T) {
	for in, want := range map[string]string{"user_account": "UserAccount", "user-account": "UserAccount", "x": "X", "a.b": "AB"} {
		if got := camelCase(in); got != want {
			t.Errorf("camelCase(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"UserAccount": "user_account", "Order": "order", "HTTPRule": "httprule", "Order2": "order2"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// The written service definition compiles, with and without routes.
func TestProtoCompiles(t *testing.T) {
	for _, withHTTP := range []bool{false, true} {
		p, err := ProtoParamsFor("example.com/shop", "api/shop/v1/order.proto", withHTTP)
		if err != nil {
			t.Fatal(err)
		}
		data, err := Proto(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(data), "google.api.http"); got != withHTTP {
			t.Errorf("http=%v: routes present = %v:\n%s", withHTTP, got, data)
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "api", "shop", "v1", "order.proto")
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c := &protoc.Compiler{ImportPaths: []string{dir}}
		req, err := c.Compile(context.Background(), []string{"api/shop/v1/order.proto"})
		if err != nil {
			t.Fatalf("http=%v: %v\n%s", withHTTP, err, data)
		}
		// And yields a stub per service.
		files, err := protoc.Generate(req, protoc.Plugin{Name: "servers", Run: func(gen *protogen.Plugin) error {
			Servers(gen, ServerParams{Dir: "internal/service", ImportPath: "example.com/shop/internal/service"})
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 || files[0].Name != "internal/service/order.go" {
			t.Fatalf("Servers() wrote %v, want internal/service/order.go", files)
		}
		src, err := TidyImports(files[0].Content)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"package service\n",
			"\t\"context\"\n\n\tv1 \"example.com/shop/api/shop/v1\"\n",
			"type OrderService struct {\n\tv1.UnimplementedOrderServer\n}",
			"func (s *OrderService) GetOrder(ctx context.Context, req *v1.GetOrderRequest) (*v1.GetOrderReply, error) {",
		} {
			if !strings.Contains(string(src), want) {
				t.Errorf("stub lacks %q:\n%s", want, src)
			}
		}
	}
}

func TestTidyImports(t *testing.T) {
	in := `package p

import (
	context "context"
	emptypb "google.golang.org/protobuf/types/known/emptypb"
	v1 "example.com/x/api/v1"
	alias "example.com/y/z"
	io "io"
)

var _ context.Context
`
	want := `package p

import (
	"context"
	"io"

	v1 "example.com/x/api/v1"
	alias "example.com/y/z"
	"google.golang.org/protobuf/types/known/emptypb"
)

var _ context.Context
`
	got, err := TidyImports([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("TidyImports() =\n%s\nwant\n%s", got, want)
	}
	if _, err := TidyImports([]byte("not go")); err == nil {
		t.Error("TidyImports(not go) succeeded")
	}
}
