package registry

import (
	"reflect"
	"testing"
)

func TestServiceInstanceEqual(t *testing.T) {
	base := func() *ServiceInstance {
		return &ServiceInstance{
			ID: "1", Name: "svc", Version: "v1",
			Metadata:  map[string]string{"weight": "10"},
			Endpoints: []string{"http://b:1", "grpc://a:2"},
		}
	}
	tests := []struct {
		name  string
		other any
		want  bool
	}{
		{"same", base(), true},
		{"endpoints reordered", func() *ServiceInstance { s := base(); s.Endpoints = []string{"grpc://a:2", "http://b:1"}; return s }(), true},
		{"other id", func() *ServiceInstance { s := base(); s.ID = "2"; return s }(), false},
		{"other name", func() *ServiceInstance { s := base(); s.Name = "x"; return s }(), false},
		{"other version", func() *ServiceInstance { s := base(); s.Version = "v2"; return s }(), false},
		{"other metadata", func() *ServiceInstance { s := base(); s.Metadata["weight"] = "1"; return s }(), false},
		{"fewer endpoints", func() *ServiceInstance { s := base(); s.Endpoints = s.Endpoints[:1]; return s }(), false},
		{"other endpoint", func() *ServiceInstance { s := base(); s.Endpoints[0] = "http://c:1"; return s }(), false},
		{"not an instance", "svc-1", false},
		{"nil instance", (*ServiceInstance)(nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := base()
			if got := a.Equal(tt.other); got != tt.want {
				t.Errorf("Equal() = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(a, base()) {
				t.Errorf("Equal mutated its receiver: %+v", a)
			}
		})
	}
	var nilInst *ServiceInstance
	if !nilInst.Equal((*ServiceInstance)(nil)) {
		t.Error("nil.Equal(nil) = false, want true")
	}
}

func TestEqualDoesNotReorderArgument(t *testing.T) {
	a := &ServiceInstance{Endpoints: []string{"z", "a"}}
	b := &ServiceInstance{Endpoints: []string{"a", "z"}}
	if !a.Equal(b) {
		t.Fatal("Equal() = false, want true")
	}
	if a.Endpoints[0] != "z" || b.Endpoints[0] != "a" {
		t.Errorf("Equal sorted its inputs: %v %v", a.Endpoints, b.Endpoints)
	}
}

func TestString(t *testing.T) {
	if got, want := (&ServiceInstance{ID: "7", Name: "greeter"}).String(), "greeter-7"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
