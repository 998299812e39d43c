package encoding

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

// fakeCodec is a codec whose output names it, to tell codecs apart.
type fakeCodec struct{ name string }

func (c fakeCodec) Marshal(any) ([]byte, error) { return []byte(c.name), nil }
func (c fakeCodec) Unmarshal([]byte, any) error { return nil }
func (c fakeCodec) Name() string                { return c.name }

// withCleanRegistry runs the test with an empty registry and restores the
// previous registrations afterwards.
func withCleanRegistry(t *testing.T) {
	t.Helper()
	registry.mu.Lock()
	saved := registry.codecs
	registry.codecs = make(map[string]Codec)
	registry.mu.Unlock()
	t.Cleanup(func() {
		registry.mu.Lock()
		registry.codecs = saved
		registry.mu.Unlock()
	})
}

func TestGetCodecBuiltins(t *testing.T) {
	withCleanRegistry(t)
	tests := []struct {
		name string
		want string // "" for no codec
	}{
		{"json", "json"},
		{"JSON", "json"},
		{"proto", "proto"},
		{"xml", "xml"},
		{"yaml", "yaml"},
		{"x-www-form-urlencoded", "x-www-form-urlencoded"},
		{"X-WWW-Form-Urlencoded", "x-www-form-urlencoded"},
		{"", ""},
		{"msgpack", ""},
		{"application/json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := GetCodec(tt.name)
			if tt.want == "" {
				if c != nil {
					t.Fatalf("GetCodec(%q) = %v, want nil", tt.name, c)
				}
				return
			}
			if c == nil {
				t.Fatalf("GetCodec(%q) = nil, want the %s codec", tt.name, tt.want)
			}
			if got := c.Name(); got != tt.want {
				t.Errorf("GetCodec(%q).Name() = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestBuiltinsRoundTrip(t *testing.T) {
	withCleanRegistry(t)
	// Inner, not Everything: with unpopulated fields emitted, protojson writes
	// an unset google.protobuf.Value as null and reads it back as NullValue.
	in := &testpb.Inner{Name: "ann", Level: 3, Tags: []string{"a", "b"}, Child: &testpb.Inner{Name: "x"}}
	for _, name := range []string{"json", "proto", "yaml", "x-www-form-urlencoded"} {
		t.Run(name, func(t *testing.T) {
			c := GetCodec(name)
			b, err := c.Marshal(in)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			got := &testpb.Inner{}
			if err := c.Unmarshal(b, got); err != nil {
				t.Fatalf("Unmarshal(%q) error = %v", b, err)
			}
			if !proto.Equal(got, in) {
				t.Errorf("Unmarshal(Marshal(%v)) = %v", in, got)
			}
		})
	}
}

func TestRegisterCodec(t *testing.T) {
	withCleanRegistry(t)
	RegisterCodec(fakeCodec{"MsgPack"})
	for _, name := range []string{"msgpack", "MSGPACK", "MsgPack"} {
		if c := GetCodec(name); c == nil || c.Name() != "MsgPack" {
			t.Errorf("GetCodec(%q) = %v, want the registered codec", name, c)
		}
	}
}

func TestRegisterCodecReplacesBuiltin(t *testing.T) {
	withCleanRegistry(t)
	RegisterCodec(fakeCodec{"json"})
	b, err := GetCodec("json").Marshal(1)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if got, want := string(b), "json"; got != want {
		t.Errorf("GetCodec(json).Marshal() = %q, want %q from the registered codec", got, want)
	}
	if c := GetCodec("proto"); c == nil || c.Name() != "proto" {
		t.Errorf("GetCodec(proto) = %v, want the built-in codec", c)
	}
}

func TestRegisterCodecLastWins(t *testing.T) {
	withCleanRegistry(t)
	RegisterCodec(fakeCodec{"x"})
	RegisterCodec(fakeCodec{"X"})
	if got, want := GetCodec("x").Name(), "X"; got != want {
		t.Errorf("GetCodec(x).Name() = %q, want %q", got, want)
	}
}

func TestRegisterCodecPanics(t *testing.T) {
	withCleanRegistry(t)
	tests := []struct {
		name  string
		codec Codec
		want  string
	}{
		{"nil", nil, "nil Codec"},
		{"empty name", fakeCodec{""}, "Name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tt.want) {
					t.Errorf("RegisterCodec() panicked with %v, want a panic containing %q", r, tt.want)
				}
			}()
			RegisterCodec(tt.codec)
		})
	}
}

func TestRegistryConcurrency(t *testing.T) {
	withCleanRegistry(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				RegisterCodec(fakeCodec{fmt.Sprintf("c%d", (i+j)%4)})
				if GetCodec("json") == nil {
					t.Error("GetCodec(json) = nil")
				}
				GetCodec(fmt.Sprintf("c%d", j%4))
			}
		})
	}
	wg.Wait()
}

func BenchmarkGetCodec(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if GetCodec("json") == nil {
			b.Fatal("GetCodec(json) = nil")
		}
	}
}
