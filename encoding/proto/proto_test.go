package proto_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
	codecproto "github.com/seed6ad8aa6b/kratos/encoding/proto"
)

func TestRoundTrip(t *testing.T) {
	c := encoding.GetCodec(codecproto.Name)
	if got, want := c.Name(), "proto"; got != want {
		t.Fatalf("Name() = %q, want %q", got, want)
	}
	in := &testpb.Everything{Age: 3, UserName: "ann", Labels: map[string]string{"a": "b"}, Inner: &testpb.Inner{Name: "x"}}
	b, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if b2, err := c.Marshal(&in); err != nil || string(b2) != string(b) {
		t.Errorf("Marshal(&msg) = %x, %v, want %x, nil", b2, err, b)
	}

	got := &testpb.Everything{}
	if err := c.Unmarshal(b, got); err != nil {
		t.Fatalf("Unmarshal() error = %v", err)
	}
	if !proto.Equal(got, in) {
		t.Errorf("Unmarshal() = %v, want %v", got, in)
	}

	var pp *testpb.Everything
	if err := c.Unmarshal(b, &pp); err != nil {
		t.Fatalf("Unmarshal(**T) error = %v", err)
	}
	if !proto.Equal(pp, in) {
		t.Errorf("Unmarshal(**T) = %v, want %v", pp, in)
	}
}

func TestErrors(t *testing.T) {
	c := encoding.GetCodec(codecproto.Name)
	if _, err := c.Marshal(struct{}{}); err == nil || !strings.Contains(err.Error(), "proto: cannot marshal struct {}: not a proto.Message") {
		t.Errorf("Marshal(struct{}{}) error = %v, want a not-a-message error", err)
	}
	if _, err := c.Marshal(nil); err == nil {
		t.Error("Marshal(nil) error = nil, want an error")
	}
	tests := []struct {
		name string
		data []byte
		v    any
		want string
	}{
		{"not a message", nil, &struct{}{}, "not a proto.Message"},
		{"nil", nil, nil, "not a proto.Message"},
		{"nil message", nil, (*testpb.Inner)(nil), "cannot decode into nil"},
		{"truncated", []byte{0x0a, 0x05, 'a'}, &testpb.Inner{}, "cannot parse invalid wire-format data"},
		{"invalid UTF-8", []byte{0x0a, 0x01, 0xff}, &testpb.Inner{}, "invalid UTF-8"},
		{"wrong wire type", []byte{0x08}, &testpb.Inner{}, "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Unmarshal(tt.data, tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
