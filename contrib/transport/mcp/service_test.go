package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed6ad8aa6b/kratos/errors"
)

func TestErrorResult(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantCode   int32
		wantReason string
	}{
		{"kratos", fmt.Errorf("wrapped: %w", errors.NotFound("USER_NOT_FOUND", "no such user")), 404, "USER_NOT_FOUND"},
		{"canceled", fmt.Errorf("call: %w", context.Canceled), 499, "CANCELED"},
		{"deadline", context.DeadlineExceeded, 504, "DEADLINE_EXCEEDED"},
		{"plain", fmt.Errorf("boom"), 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := errorResult(tt.err)
			if !res.IsError {
				t.Fatal("errorResult().IsError = false, want true")
			}
			var got toolError
			if err := json.Unmarshal([]byte(res.Content[0].(*sdk.TextContent).Text), &got); err != nil {
				t.Fatal(err)
			}
			if got.Code != tt.wantCode || got.Reason != tt.wantReason || got.Message == "" {
				t.Errorf("errorResult() = %+v, want code %d reason %q and a message", got, tt.wantCode, tt.wantReason)
			}
		})
	}
}
