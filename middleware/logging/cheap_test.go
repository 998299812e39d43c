package logging

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"testing"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// spy is a request that counts how often it is rendered.
type spy struct{ n *int }

func (s spy) String() string { *s.n++; return "spy" }

// TestDisabledSkipsRecord checks that nothing of a record is built, and
// nothing allocated, when the logger would not write it.
func TestDisabledSkipsRecord(t *testing.T) {
	var buf bytes.Buffer
	var lv log.LevelVar
	lv.Set(log.LevelFatal.Level())
	fail := errors.NotFound("USER_NOT_FOUND", "no such user")
	for name, logger := range map[string]log.Logger{
		"discard":          log.NewStdLogger(io.Discard),
		"with discard":     log.With(log.NewStdLogger(io.Discard), "k", "v"),
		"filtered":         log.NewFilter(log.NewStdLogger(&buf), log.FilterLevel(log.LevelFatal)),
		"filtered by var":  log.NewFilter(log.NewStdLogger(&buf), log.FilterLeveler(&lv)),
		"nil":              nil,
		"context discards": log.WithContext(context.Background(), log.NewStdLogger(io.Discard)),
	} {
		t.Run(name, func(t *testing.T) {
			n := 0
			for _, wantErr := range []error{nil, fail} {
				h := Server(logger)(func(_ context.Context, req any) (any, error) { return req, wantErr })
				ctx := transport.NewServerContext(context.Background(), transporttest.New(transport.KindHTTP, "/pkg.Svc/Get"))
				req := spy{&n}
				allocs := testing.AllocsPerRun(100, func() {
					reply, err := h(ctx, req)
					if reply != req || err != wantErr {
						t.Fatalf("h() = %v, %v; want %v, %v", reply, err, req, wantErr)
					}
				})
				if allocs != 0 {
					t.Errorf("err %v: %v allocations per call, want 0", wantErr, allocs)
				}
			}
			if n != 0 || buf.Len() != 0 {
				t.Errorf("request rendered %d times, %d bytes written; want none", n, buf.Len())
			}
		})
	}
}

// TestLevelFilteredSuccess checks that with info filtered out, failed calls
// are still logged and successful ones are not, without rendering them.
func TestLevelFilteredSuccess(t *testing.T) {
	var buf bytes.Buffer
	logger := log.NewFilter(log.NewStdLogger(&buf), log.FilterLevel(log.LevelWarn))
	n := 0
	var fail error
	h := Server(logger)(func(context.Context, any) (any, error) { return nil, fail })
	_, _ = h(context.Background(), spy{&n})
	if n != 0 || buf.Len() != 0 {
		t.Fatalf("successful call: request rendered %d times, log %q; want nothing", n, buf.String())
	}
	fail = errors.InternalServer("BOOM", "boom")
	_, _ = h(context.Background(), spy{&n})
	if n != 1 || !regexp.MustCompile(`^ERROR kind=server .* args=spy code=500 reason=BOOM `).MatchString(buf.String()) {
		t.Errorf("failed call: request rendered %d times, log %q; want one ERROR record", n, buf.String())
	}
}

// TestRecordFormat pins the whole line of a record, latency aside: the
// keys, their order and the rendering of every value are those of Kratos.
func TestRecordFormat(t *testing.T) {
	tests := []struct {
		name   string
		client bool
		tr     transport.Transporter
		req    any
		err    error
		want   string
	}{
		{"server string", false, transporttest.New(transport.KindHTTP, "/pkg.Svc/Get"), "plain", nil,
			`^INFO kind=server component=http operation=/pkg.Svc/Get args=plain code=200 reason= stack= latency=\d[\d.e-]*\n$`},
		{"client error", true, transporttest.New(transport.KindGRPC, "/pkg.Svc/Del"), named{}, errors.NotFound("NF", "gone"),
			`^ERROR kind=client component=grpc operation=/pkg.Svc/Del args=named-request code=404 reason=NF ` +
				`stack=error: code = 404 reason = NF message = gone metadata = map\[\] cause = <nil> latency=\d[\d.e-]*\n$`},
		{"plain error", false, nil, secret{}, io.EOF,
			`^ERROR kind=server component= operation= args=secret\{\*\*\*\} code=500 reason= stack=EOF latency=\d[\d.e-]*\n$`},
		{"other kind", false, transporttest.New("ws", "op"), 7, nil,
			`^INFO kind=server component=ws operation=op args=7 code=200 reason= stack= latency=\d[\d.e-]*\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			mw, newCtx := Server(log.NewStdLogger(&buf)), transport.NewServerContext
			if tt.client {
				mw, newCtx = Client(log.NewStdLogger(&buf)), transport.NewClientContext
			}
			ctx := context.Background()
			if tt.tr != nil {
				ctx = newCtx(ctx, tt.tr)
			}
			_, _ = mw(func(context.Context, any) (any, error) { return nil, tt.err })(ctx, tt.req)
			if !regexp.MustCompile(tt.want).MatchString(buf.String()) {
				t.Errorf("log = %q, want it to match %q", buf.String(), tt.want)
			}
		})
	}
}

// panicky is an error whose Error method panics on a nil receiver.
type panicky struct{ msg string }

func (p *panicky) Error() string { return p.msg }

// formatter is an error that formats itself, as errors with a stack trace
// do.
type formatter struct{}

func (formatter) Error() string { return "short" }

func (formatter) Format(f fmt.State, verb rune) {
	if f.Flag('+') {
		fmt.Fprint(f, "short\n\tstack")
		return
	}
	fmt.Fprint(f, "short")
}

func TestErrorText(t *testing.T) {
	for _, err := range []error{io.EOF, errors.New(400, "R", "m"), (*panicky)(nil), (*errors.Error)(nil), formatter{}} {
		if got, want := errorText(err), fmtPlusV(err); got != want {
			t.Errorf("errorText(%T) = %q, want %q", err, got, want)
		}
	}
}

func fmtPlusV(err error) string { return fmt.Sprintf("%+v", err) }
