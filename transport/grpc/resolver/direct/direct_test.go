package direct

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"google.golang.org/grpc/resolver"
)

type fakeCC struct {
	resolver.ClientConn
	states []resolver.State
}

func (f *fakeCC) UpdateState(s resolver.State) error {
	f.states = append(f.states, s)
	return nil
}

func TestBuild(t *testing.T) {
	tests := []struct {
		target  string
		want    []string
		wantErr error
	}{
		{target: "direct://authority/127.0.0.1:9000", want: []string{"127.0.0.1:9000"}},
		{target: "direct:///127.0.0.1:9000,127.0.0.1:9001", want: []string{"127.0.0.1:9000", "127.0.0.1:9001"}},
		{target: "direct://a/h1:1,,h2:2,", want: []string{"h1:1", "h2:2"}},
		{target: "direct://a/", wantErr: errNoAddress},
		{target: "direct://a", wantErr: errNoAddress},
		// Kratos v2.9.2 builds a resolver with one empty address here;
		// we fail at Build (see Build's doc).
		{target: "direct:///", wantErr: errNoAddress},
		{target: "direct:///,", wantErr: errNoAddress},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			u, err := url.Parse(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			cc := &fakeCC{}
			r, err := NewBuilder().Build(resolver.Target{URL: *u}, cc, resolver.BuildOptions{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Build() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			defer r.Close()
			r.ResolveNow(resolver.ResolveNowOptions{})
			if len(cc.states) != 1 {
				t.Fatalf("UpdateState called %d times, want 1", len(cc.states))
			}
			var got []string
			for _, a := range cc.states[0].Addresses {
				got = append(got, a.Addr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("addresses = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScheme(t *testing.T) {
	if got := NewBuilder().Scheme(); got != "direct" {
		t.Errorf("Scheme() = %q, want direct", got)
	}
}
