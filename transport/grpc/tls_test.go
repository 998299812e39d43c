package grpc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

type tlsConfigs struct {
	server, client *tls.Config
}

// selfSignedTLS returns a server config with a fresh self-signed
// certificate for 127.0.0.1, "localhost" and "greeter", and a client config
// that trusts only it.
func selfSignedTLS(t testing.TB) tlsConfigs {
	t.Helper()
	return selfSignedTLSFor(t, []net.IP{net.IPv4(127, 0, 0, 1)}, "localhost", "greeter")
}

// selfSignedTLSFor is selfSignedTLS for the given addresses and names.
func selfSignedTLSFor(t testing.TB, ips []net.IP, names ...string) tlsConfigs {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kratos test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           ips,
		DNSNames:              names,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tlsConfigs{
		server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		client: &tls.Config{RootCAs: pool},
	}
}

func TestTLS(t *testing.T) {
	cfg := selfSignedTLS(t)
	srv, addr := startServer(t, &greeter{}, TLSConfig(cfg.server))
	if u, _ := srv.Endpoint(); u.Scheme != "grpcs" {
		t.Errorf("Endpoint() scheme = %q, want grpcs", u.Scheme)
	}
	ctx := testContext(t)

	conn, err := Dial(ctx, WithEndpoint(addr), WithTLSConfig(cfg.client))
	if err != nil {
		t.Fatalf("Dial() error = %v", err)
	}
	defer conn.Close()
	reply, err := pb.NewGreeterClient(conn).SayHello(ctx, &pb.HelloRequest{Name: "tls"})
	if err != nil {
		t.Fatalf("SayHello() over TLS error = %v", err)
	}
	if reply.GetMessage() != "hello tls" {
		t.Errorf("SayHello() = %q, want %q", reply.GetMessage(), "hello tls")
	}

	// Plaintext to a TLS server fails, and so does Dial without TLS.
	plain := dialTest(t, addr, WithTimeout(time.Second))
	if _, err := pb.NewGreeterClient(plain).SayHello(ctx, &pb.HelloRequest{}); status.Code(err) != codes.Unavailable &&
		status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("plaintext SayHello() error = %v, want Unavailable or DeadlineExceeded", err)
	}
	if c, err := Dial(context.Background(), WithEndpoint(addr)); err == nil {
		c.Close()
		t.Error("Dial() without TLS config succeeded, want an error")
	}
}

// TestTLSServerNameWithDiscovery checks that a "discovery:///" client
// verifies the server's certificate against tls.Config.ServerName when it
// is set, not against the instance name the resolver gives as each
// address's server name (which grpc-go prefers to the credentials' name).
// The certificate is for "kratos.com" only; the service is "greeter".
func TestTLSServerNameWithDiscovery(t *testing.T) {
	cfg := selfSignedTLSFor(t, nil, "kratos.com")
	reg, _ := startGreeters(t, 1, TLSConfig(cfg.server))
	tests := []struct {
		serverName string
		wantErr    bool
	}{
		{"kratos.com", false},
		{"", true},          // verified against "greeter"
		{"other.com", true}, // verified against the configured name
	}
	for _, tt := range tests {
		t.Run("ServerName="+tt.serverName, func(t *testing.T) {
			ctx := testContext(t)
			clientTLS := cfg.client.Clone()
			clientTLS.ServerName = tt.serverName
			conn, err := Dial(ctx, WithEndpoint("discovery:///greeter"), WithDiscovery(reg),
				WithTLSConfig(clientTLS), WithTimeout(5*time.Second))
			if err != nil {
				t.Fatalf("Dial() error = %v", err)
			}
			defer conn.Close()
			callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			reply, err := pb.NewGreeterClient(conn).SayHello(callCtx, &pb.HelloRequest{Name: "tls"})
			if tt.wantErr {
				if err == nil {
					t.Fatalf("SayHello() = %q, want a certificate error", reply.GetMessage())
				}
				return
			}
			if err != nil {
				t.Fatalf("SayHello() error = %v, want none", err)
			}
			if got, want := reply.GetMessage(), "hello tls from 0"; got != want {
				t.Errorf("SayHello() = %q, want %q", got, want)
			}
		})
	}
}
