package protoval

import (
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

func TestMessage(t *testing.T) {
	m := &testpb.Inner{Name: "x"}
	var nilMsg *testpb.Inner
	pm := &m
	tests := []struct {
		name   string
		v      any
		want   bool
		wantEq any
	}{
		{"message", m, true, m},
		{"pointer to message", &m, true, m},
		{"pointer to pointer to message", &pm, true, m},
		{"typed nil message", nilMsg, true, nilMsg},
		{"pointer to nil message", &nilMsg, false, nil},
		{"struct", struct{}{}, false, nil},
		{"pointer to struct", &struct{}{}, false, nil},
		{"nil", nil, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Message(tt.v)
			if ok != tt.want {
				t.Fatalf("Message(%T) ok = %v, want %v", tt.v, ok, tt.want)
			}
			if ok && any(got) != tt.wantEq {
				t.Errorf("Message(%T) = %p, want %p", tt.v, got, tt.wantEq)
			}
		})
	}
}

func TestTarget(t *testing.T) {
	m := &testpb.Inner{}
	got, err := Target(m)
	if err != nil || got != m {
		t.Errorf("Target(msg) = %p, %v, want %p, nil", got, err, m)
	}

	var p *testpb.Inner
	got, err = Target(&p)
	if err != nil || p == nil || got != p {
		t.Errorf("Target(&nilMsg) = %p, %v; allocated %p", got, err, p)
	}

	var pp **testpb.Inner
	got, err = Target(&pp)
	if err != nil || pp == nil || *pp == nil || got != *pp {
		t.Errorf("Target(&nil **Inner) = %p, %v", got, err)
	}

	for _, v := range []any{nil, 1, &struct{}{}, new(int), new(*int)} {
		if got, err := Target(v); got != nil || err != nil {
			t.Errorf("Target(%T) = %v, %v, want nil, nil", v, got, err)
		}
	}

	for _, v := range []any{(*testpb.Inner)(nil), (**testpb.Inner)(nil)} {
		if _, err := Target(v); err == nil || !strings.Contains(err.Error(), "cannot decode into nil") {
			t.Errorf("Target(%T) error = %v, want a nil error", v, err)
		}
	}
}
