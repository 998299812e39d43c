package main

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed6ad8aa6b/kratos"
	"github.com/seed6ad8aa6b/kratos/log"
)

// startApp runs the example App on a free loopback port and returns its
// MCP URL.
func startApp(t *testing.T) string {
	t.Helper()
	started := make(chan []string, 1)
	app, err := newApp(log.NewStdLogger(io.Discard), "127.0.0.1:0",
		kratos.Signal(),
		kratos.AfterStart(func(ctx context.Context) error {
			info, _ := kratos.FromContext(ctx)
			started <- info.Endpoint()
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	t.Cleanup(func() {
		if err := app.Stop(); err != nil {
			t.Errorf("Stop() = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Run() = %v", err)
		}
	})
	select {
	case endpoints := <-started:
		for _, e := range endpoints {
			if u, err := url.Parse(e); err == nil && u.Scheme == "http" {
				return "http://" + u.Host + "/mcp"
			}
		}
		t.Fatalf("no HTTP endpoint in %v", endpoints)
	case err := <-done:
		t.Fatalf("Run() = %v before start", err)
	case <-time.After(10 * time.Second):
		t.Fatal("app did not start")
	}
	return ""
}

func TestGreeterTools(t *testing.T) {
	// The session is closed after the App stops, which ends its stream
	// at once (see newApp) instead of waiting for it.
	var cs *sdk.ClientSession
	t.Cleanup(func() {
		if cs != nil {
			cs.Close()
		}
	})
	endpoint := startApp(t)
	c := sdk.NewClient(&sdk.Implementation{Name: "example-test"}, nil)
	cs, err := c.Connect(t.Context(), &sdk.StreamableClientTransport{Endpoint: endpoint}, nil)
	if err != nil {
		t.Fatalf("Connect() = %v", err)
	}

	tools, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatalf("ListTools() = %v", err)
	}
	if len(tools.Tools) != 1 || tools.Tools[0].Name != "Greeter_SayHello" {
		t.Fatalf("ListTools() = %+v, want Greeter_SayHello", tools.Tools)
	}

	tests := []struct {
		name     string
		wantText string
		wantErr  bool
	}{
		{name: "kratos", wantText: `{"message":"Hello kratos"}`},
		{name: "error", wantErr: true},
	}
	for _, tt := range tests {
		res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "Greeter_SayHello", Arguments: map[string]any{"name": tt.name}})
		if err != nil {
			t.Fatalf("CallTool(%q) = %v", tt.name, err)
		}
		text := res.Content[0].(*sdk.TextContent).Text
		if res.IsError != tt.wantErr {
			t.Errorf("CallTool(%q) isError = %v (%s), want %v", tt.name, res.IsError, text, tt.wantErr)
		}
		if !tt.wantErr && text != tt.wantText {
			t.Errorf("CallTool(%q) = %s, want %s", tt.name, text, tt.wantText)
		}
		if tt.wantErr {
			var e struct {
				Code   int    `json:"code"`
				Reason string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(text), &e); err != nil || e.Code != 404 || e.Reason != "USER_NOT_FOUND" {
				t.Errorf("CallTool(%q) = %s, want code 404 reason USER_NOT_FOUND", tt.name, text)
			}
		}
	}
}
