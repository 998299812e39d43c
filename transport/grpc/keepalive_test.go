package grpc

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// freezer is a TCP proxy whose traffic can be stopped for good, the way a
// SIGSTOPped server or a dropped network stops answering without closing.
type freezer struct {
	lis    net.Listener
	target string
	frozen chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{lis: lis, target: target, frozen: make(chan struct{})}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(func() {
		lis.Close()
		f.wg.Wait()
	})
	return f
}

func (f *freezer) freeze() { f.once.Do(func() { close(f.frozen) }) }

func (f *freezer) serve() {
	defer f.wg.Done()
	for {
		c, err := f.lis.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", f.target)
		if err != nil {
			c.Close()
			continue
		}
		f.wg.Add(2)
		go f.pipe(c, b)
		go f.pipe(b, c)
	}
}

// pipe copies src to dst until either closes; once frozen, it drops
// everything it reads.
func (f *freezer) pipe(dst, src net.Conn) {
	defer f.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		select {
		case <-f.frozen:
			continue
		default:
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func TestKeepaliveDetectsHungServer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	entered := make(chan struct{}, 1)
	_, addr := startServer(t, &greeter{hello: func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return &pb.HelloReply{}, nil
	}}, Timeout(0))
	f := newFreezer(t, addr)
	// grpc-go raises intervals under 10s to 10s, so this takes about 11s.
	conn := dialTest(t, f.lis.Addr().String(), WithTimeout(0), WithKeepalive(10*time.Second, time.Second), WithHealthCheck(false))
	errc := make(chan error, 1)
	go func() {
		_, err := pb.NewGreeterClient(conn).SayHello(context.Background(), &pb.HelloRequest{Name: "x"})
		errc <- err
	}()
	<-entered
	f.freeze()
	start := time.Now()
	select {
	case err := <-errc:
		t.Logf("call failed %v after the server hung: %v", time.Since(start).Round(time.Millisecond), err)
		if status.Code(err) != codes.Unavailable {
			t.Errorf("SayHello error = %v, want Unavailable", err)
		}
	case <-time.After(40 * time.Second): // wide bound: about 11s
		t.Fatal("the call to a hung server was still waiting after 40s")
	}
}

func TestKeepaliveDefault(t *testing.T) {
	if defaultKeepalive < 10*time.Second || defaultKeepaliveTimeout <= 0 {
		t.Errorf("keepalive defaults %v/%v: want an interval grpc-go accepts (>= 10s) and a timeout", defaultKeepalive, defaultKeepaliveTimeout)
	}
}
