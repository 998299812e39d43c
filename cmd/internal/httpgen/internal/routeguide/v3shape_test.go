package routeguide

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"google.golang.org/grpc"

	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// The HTTP streams are the gRPC stream types, as with Kratos v3's
// generated code.
var (
	_ grpc.ServerStreamingServer[Feature]                                             = (*RouteGuide_ListFeaturesHTTPServer)(nil)
	_ grpc.ClientStreamingServer[Point, RouteSummary]                                 = (*RouteGuide_RecordRouteHTTPServer)(nil)
	_ grpc.BidiStreamingServer[RouteNote, RouteNote]                                  = (*RouteGuide_RouteChatHTTPServer)(nil)
	_ grpc.ServerStreamingClient[Feature]                                             = (*RouteGuide_ListFeaturesHTTPClient)(nil)
	_ grpc.ClientStreamingClient[Point, RouteSummary]                                 = (*RouteGuide_RecordRouteHTTPClient)(nil)
	_ grpc.BidiStreamingClient[RouteNote, RouteNote]                                  = (*RouteGuide_RouteChatHTTPClient)(nil)
	_ RouteGuide_ListFeaturesServer                                                   = (*RouteGuide_ListFeaturesHTTPServer)(nil)
	_ RouteGuide_RouteChatClient                                                      = (*RouteGuide_RouteChatHTTPClient)(nil)
	_ func(*http.Server, RouteGuideHTTPServer)                                        = RegisterRouteGuideHTTPServer
	_ func(*http.Client) RouteGuideHTTPClient                                         = NewRouteGuideHTTPClient
	_ func(context.Context, ...http.CallOption) (RouteGuide_RecordRouteClient, error) = (*RouteGuideHTTPClientImpl)(nil).RecordRoute
)

// v3ClientUsage calls the streams the way code written against Kratos
// v3's generated client does, and returns what it got.
func v3ClientUsage(ctx context.Context, conn *http.Client) (string, error) {
	client := NewRouteGuideHTTPClient(conn)
	var out string

	stream, err := client.ListFeatures(ctx, &Rectangle{Lo: &Point{Latitude: 1}, Hi: &Point{Latitude: 2}})
	if err != nil {
		return "", err
	}
	for {
		feature, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		out += feature.GetName() + ";"
	}

	route, err := client.RecordRoute(ctx)
	if err != nil {
		return "", err
	}
	for _, lat := range []int32{1, 2} {
		if err := route.Send(&Point{Latitude: lat, Route: "r"}); err != nil {
			return "", err
		}
	}
	summary, err := route.CloseAndRecv()
	if err != nil {
		return "", err
	}
	out += fmt.Sprintf("%s:%d;", summary.GetRoute(), summary.GetPointCount())

	chat, err := client.RouteChat(ctx)
	if err != nil {
		return "", err
	}
	if err := chat.Send(&RouteNote{Room: "lobby", Note: &Note{Message: "hello"}}); err != nil {
		return "", err
	}
	note, err := chat.Recv()
	if err != nil {
		return "", err
	}
	out += note.GetRoom() + ":" + note.GetNote().GetMessage() + ";"
	if err := chat.CloseSend(); err != nil {
		return "", err
	}
	if _, err := chat.Recv(); !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("RouteChat ended with %v, want io.EOF", err)
	}
	return out, nil
}

func TestKratosV3ClientUsage(t *testing.T) {
	addr, _, _ := startHTTP(t)
	conn, err := http.NewClient(context.Background(), http.WithEndpoint(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := v3ClientUsage(context.Background(), conn)
	if want := "feature 1;feature 2;r:2;lobby:re: hello;"; got != want || err != nil {
		t.Errorf("v3ClientUsage() = %q, %v; want %q", got, err, want)
	}
}
