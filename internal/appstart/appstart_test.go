package appstart

import (
	"context"
	"testing"
)

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("FromContext of a bare context found a channel")
	}
	done := make(chan struct{})
	ch, ok := FromContext(NewContext(context.Background(), done))
	if !ok || ch != (<-chan struct{})(done) {
		t.Fatalf("FromContext = %v, %v, want the channel given", ch, ok)
	}
}
