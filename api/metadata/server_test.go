package metadata_test

import (
	"context"
	"net"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"

	"github.com/seed6ad8aa6b/kratos/api/metadata"
	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// serve registers the Metadata service of a new gRPC server on that server
// and returns a client of it.
func serve(t *testing.T) metadata.MetadataClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	metadata.RegisterMetadataServer(srv, metadata.NewServer(srv))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		srv.Stop()
		<-done
	})
	return metadata.NewMetadataClient(conn)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestListServices(t *testing.T) {
	reply, err := serve(t).ListServices(testContext(t), &metadata.ListServicesRequest{})
	if err != nil {
		t.Fatalf("ListServices() error = %v", err)
	}
	if got, want := reply.GetServices(), []string{"kratos.api.Metadata"}; !slices.Equal(got, want) {
		t.Errorf("services = %q, want %q", got, want)
	}
	want := []string{"/kratos.api.Metadata/GetServiceDesc", "/kratos.api.Metadata/ListServices"}
	if got := reply.GetMethods(); !slices.Equal(got, want) {
		t.Errorf("methods = %q, want %q", got, want)
	}
}

func TestGetServiceDesc(t *testing.T) {
	client := serve(t)
	tests := []struct {
		name      string
		service   string
		wantFiles []string // in order
		wantCode  codes.Code
	}{
		{
			name:    "metadata service",
			service: "kratos.api.Metadata",
			wantFiles: []string{
				"google/protobuf/descriptor.proto",
				"google/api/http.proto",
				"google/api/annotations.proto",
				"metadata/metadata.proto",
			},
		},
		{name: "unknown", service: "no.such.Service", wantCode: codes.NotFound},
		{name: "empty", service: "", wantCode: codes.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, err := client.GetServiceDesc(testContext(t), &metadata.GetServiceDescRequest{Name: tt.service})
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("GetServiceDesc(%q) code = %v (%v), want %v", tt.service, got, err, tt.wantCode)
			}
			if err != nil {
				return
			}
			var got []string
			for _, f := range reply.GetFileDescSet().GetFile() {
				got = append(got, f.GetName())
			}
			// google/api/http.proto and descriptor.proto are independent.
			if !sameSet(got, tt.wantFiles) || got[len(got)-1] != tt.wantFiles[len(tt.wantFiles)-1] {
				t.Errorf("files = %q, want %q with the service's file last", got, tt.wantFiles)
			}
			if _, err := protodesc.NewFiles(reply.GetFileDescSet()); err != nil {
				t.Errorf("descriptor set does not resolve: %v", err)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestGlobalFilesWithoutServer(t *testing.T) {
	s := metadata.NewServer(nil)
	reply, err := s.ListServices(context.Background(), &metadata.ListServicesRequest{})
	if err != nil {
		t.Fatalf("ListServices() error = %v", err)
	}
	if !slices.Contains(reply.GetServices(), "kratos.api.Metadata") {
		t.Errorf("services = %q, want kratos.api.Metadata among the linked ones", reply.GetServices())
	}
	desc, err := s.GetServiceDesc(context.Background(), &metadata.GetServiceDescRequest{Name: "kratos.api.Metadata"})
	if err != nil {
		t.Fatalf("GetServiceDesc() error = %v", err)
	}
	// Replies are copies: changing one does not change the next.
	desc.GetFileDescSet().File = nil
	again, _ := s.GetServiceDesc(context.Background(), &metadata.GetServiceDescRequest{Name: "kratos.api.Metadata"})
	if len(again.GetFileDescSet().GetFile()) == 0 {
		t.Error("a caller's change to a reply leaked into the cache")
	}
}

func TestServiceWithoutFile(t *testing.T) {
	srv := grpc.NewServer()
	s := metadata.NewServer(srv)
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "hand.Made",
		HandlerType: (*any)(nil),
		Methods:     []grpc.MethodDesc{{MethodName: "Do"}},
	}, struct{}{})
	list, err := s.ListServices(context.Background(), &metadata.ListServicesRequest{})
	if err != nil || !slices.Contains(list.GetMethods(), "/hand.Made/Do") {
		t.Errorf("ListServices() = %v, %v; want /hand.Made/Do", list, err)
	}
	_, err = s.GetServiceDesc(context.Background(), &metadata.GetServiceDescRequest{Name: "hand.Made"})
	if got := status.Code(err); got != codes.NotFound {
		t.Errorf("GetServiceDesc(no file) code = %v, want NotFound", got)
	}
}

func TestHTTPBindings(t *testing.T) {
	hs := khttp.NewServer()
	metadata.RegisterMetadataHTTPServer(hs, metadata.NewServer(nil))
	ts := httptest.NewServer(hs)
	defer ts.Close()
	client, err := khttp.NewClient(testContext(t), khttp.WithEndpoint(ts.URL))
	if err != nil {
		t.Fatalf("NewClient() error = %v", err)
	}
	defer client.Close()
	mc := metadata.NewMetadataHTTPClient(client)

	list, err := mc.ListServices(testContext(t), &metadata.ListServicesRequest{})
	if err != nil {
		t.Fatalf("ListServices() over HTTP error = %v", err)
	}
	if !slices.Contains(list.GetServices(), "kratos.api.Metadata") {
		t.Errorf("services = %q, want kratos.api.Metadata", list.GetServices())
	}
	desc, err := mc.GetServiceDesc(testContext(t), &metadata.GetServiceDescRequest{Name: "kratos.api.Metadata"})
	if err != nil {
		t.Fatalf("GetServiceDesc() over HTTP error = %v", err)
	}
	direct, _ := metadata.NewServer(nil).GetServiceDesc(context.Background(), &metadata.GetServiceDescRequest{Name: "kratos.api.Metadata"})
	if !proto.Equal(desc, direct) {
		t.Error("GetServiceDesc() over HTTP differs from the direct call")
	}
	_, err = mc.GetServiceDesc(testContext(t), &metadata.GetServiceDescRequest{Name: "no.such.Service"})
	if got := kerrors.Code(err); got != 404 {
		t.Errorf("GetServiceDesc(unknown) over HTTP code = %d (%v), want 404", got, err)
	}
}
