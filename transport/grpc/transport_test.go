package grpc

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/metadata"
)

// TestServerRequestHeader checks the server's view of the incoming
// metadata: it reads the metadata as it is and, once changed, is a copy
// that leaves grpc-go's metadata as it was.
func TestServerRequestHeader(t *testing.T) {
	tests := []struct {
		name string
		md   metadata.MD
	}{
		{name: "lower-case keys, read in place", md: metadata.MD{"x-md-user": {"alice"}, "a": {"1", "2"}}},
		{name: "mixed-case keys, copied", md: metadata.MD{"X-Md-User": {"alice"}, "A": {"1", "2"}}},
		{name: "no metadata", md: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.md != nil {
				ctx = metadata.NewIncomingContext(ctx, tt.md)
			}
			before := tt.md.Copy()
			tr := &Transport{incoming: ctx}
			h := tr.RequestHeader()
			if tt.md != nil {
				if got := h.Get("X-MD-USER"); got != "alice" {
					t.Errorf("Get(X-MD-USER) = %q, want %q", got, "alice")
				}
				if got := h.Values("a"); !slices.Equal(got, []string{"1", "2"}) {
					t.Errorf("Values(a) = %q, want [1 2]", got)
				}
				keys := h.Keys()
				slices.Sort(keys)
				if want := []string{"a", "x-md-user"}; !slices.Equal(keys, want) {
					t.Errorf("Keys() = %q, want %q", keys, want)
				}
			}
			_ = append(h.Values("a"), "appended")
			h.Set("x-md-user", "bob")
			h.Add("a", "3")
			h.Add("new", "v")
			if got := h.Get("x-md-user"); got != "bob" {
				t.Errorf("Get after Set = %q, want %q", got, "bob")
			}
			if got, want := h.Values("a"), []string{"3"}; tt.md != nil {
				want = []string{"1", "2", "3"}
				if !slices.Equal(got, want) {
					t.Errorf("Values(a) after Add = %q, want %q", got, want)
				}
			}
			if got := tr.RequestHeader().Get("new"); got != "v" {
				t.Errorf("second RequestHeader().Get(new) = %q, want %q", got, "v")
			}
			after, _ := metadata.FromIncomingContext(ctx)
			if tt.md != nil && !mdEqual(after, lowerMD(before)) {
				t.Errorf("incoming metadata after changes = %v, want %v unchanged", after, before)
			}
		})
	}
}

func lowerMD(md metadata.MD) metadata.MD {
	out := metadata.MD{}
	for k, vs := range md {
		out.Append(k, vs...)
	}
	return out
}

func mdEqual(a, b metadata.MD) bool {
	if len(a) != len(b) {
		return false
	}
	for k, vs := range a {
		if !slices.Equal(vs, b[k]) {
			return false
		}
	}
	return true
}

// TestServerRequestHeaderReadsInPlace checks that reading the request
// metadata of a call does not copy grpc-go's.
func TestServerRequestHeaderReadsInPlace(t *testing.T) {
	ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{"x-md-user": {"alice"}, "a": {"1"}})
	tr := new(Transport) // in a server call, part of its one allocation
	allocs := testing.AllocsPerRun(100, func() {
		*tr = Transport{incoming: ctx}
		if tr.RequestHeader().Get("x-md-user") != "alice" || len(tr.RequestHeader().Values("a")) != 1 {
			t.Fatal("metadata not found")
		}
	})
	if allocs != 0 {
		t.Errorf("reading the request header: %v allocations, want 0", allocs)
	}
}
