package filter

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
)

func nodes(versions ...string) []selector.Node {
	out := make([]selector.Node, len(versions))
	for i, v := range versions {
		out[i] = selector.NewNode("grpc", fmt.Sprintf("10.0.0.%d:9000", i), &registry.ServiceInstance{Version: v})
	}
	return out
}

func versions(ns []selector.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Version() + "@" + n.Address()
	}
	return out
}

func TestVersion(t *testing.T) {
	tests := []struct {
		name    string
		version string
		in      []selector.Node
		want    []string
	}{
		{"nil", "v1", nil, nil},
		{"all match", "v1", nodes("v1", "v1"), []string{"v1@10.0.0.0:9000", "v1@10.0.0.1:9000"}},
		{"none match", "v3", nodes("v1", "v2"), []string{}},
		{"some match", "v2", nodes("v1", "v2", "v1", "v2"), []string{"v2@10.0.0.1:9000", "v2@10.0.0.3:9000"}},
		{"first mismatch only", "v1", nodes("v2", "v1", "v1"), []string{"v1@10.0.0.1:9000", "v1@10.0.0.2:9000"}},
		{"empty version matches empty", "", nodes("", "v1"), []string{"@10.0.0.0:9000"}},
		{"case sensitive", "V1", nodes("v1"), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := versions(tt.in)
			got := versions(Version(tt.version)(context.Background(), tt.in))
			if len(got) != 0 || len(tt.want) != 0 {
				if !slices.Equal(got, tt.want) {
					t.Errorf("Version(%q) = %v, want %v", tt.version, got, tt.want)
				}
			}
			if after := versions(tt.in); !slices.Equal(after, before) {
				t.Errorf("Version(%q) modified its input: %v, was %v", tt.version, after, before)
			}
		})
	}
}

func TestVersionAllMatchDoesNotAllocate(t *testing.T) {
	in := nodes("v1", "v1", "v1")
	f := Version("v1")
	ctx := context.Background()
	if allocs := testing.AllocsPerRun(100, func() { f(ctx, in) }); allocs != 0 {
		t.Errorf("Version filter with all nodes matching allocated %v times per call, want 0", allocs)
	}
}

func TestVersionWithSelector(t *testing.T) {
	s := selector.GlobalSelector().Build()
	s.Apply(nodes("v1", "v2", "v1"))
	for range 6 {
		n, _, err := s.Select(context.Background(), selector.WithNodeFilter(Version("v2")))
		if err != nil {
			t.Fatalf("Select() error = %v", err)
		}
		if n.Version() != "v2" {
			t.Errorf("Select() picked version %q, want v2", n.Version())
		}
	}
	if _, _, err := s.Select(context.Background(), selector.WithNodeFilter(Version("v9"))); err != selector.ErrNoAvailable {
		t.Errorf("Select() with unknown version error = %v, want ErrNoAvailable", err)
	}
}

func ExampleVersion() {
	s := selector.GlobalSelector().Build()
	s.Apply([]selector.Node{
		selector.NewNode("grpc", "10.0.0.1:9000", &registry.ServiceInstance{Version: "v1"}),
		selector.NewNode("grpc", "10.0.0.2:9000", &registry.ServiceInstance{Version: "v2"}),
	})
	n, done, err := s.Select(context.Background(), selector.WithNodeFilter(Version("v2")))
	if err != nil {
		panic(err)
	}
	done(context.Background(), selector.DoneInfo{})
	fmt.Println(n.Address())
	// Output: 10.0.0.2:9000
}
