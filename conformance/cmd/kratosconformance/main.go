// Command kratosconformance is the server under test of the Connect
// conformance suite in server mode: it reads a ServerCompatRequest
// (a four-byte big-endian length, then the message) from stdin, starts a
// kratos HTTP server on a free loopback port that serves the
// ConformanceService with RegisterService, writes a ServerCompatResponse
// to stdout the same way, and serves until it is signalled.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/log"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"

	v1 "github.com/seed6ad8aa6b/kratos/conformance/internal/gen/conformancev1"
	"github.com/seed6ad8aa6b/kratos/conformance/internal/service"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kratosconformance:", err)
		os.Exit(1)
	}
}

func run() error {
	req := new(v1.ServerCompatRequest)
	if err := readMessage(os.Stdin, req); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	opts := []khttp.ServerOption{
		khttp.Listener(lis),
		khttp.Timeout(0),
		khttp.WithH2C(true),
		khttp.WithMaxRequestBodySize(0),
		khttp.Logger(log.NewStdLogger(os.Stderr)),
	}
	if n := req.GetMessageReceiveLimit(); n > 0 {
		opts = append(opts, khttp.WithMaxRequestBodySize(int64(n)))
	}
	res := &v1.ServerCompatResponse{Host: "127.0.0.1", Port: uint32(lis.Addr().(*net.TCPAddr).Port)}
	if req.GetUseTls() {
		creds := req.GetServerCreds()
		cert, err := tls.X509KeyPair(creds.GetCert(), creds.GetKey())
		if err != nil {
			return fmt.Errorf("server certificate: %w", err)
		}
		conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if ca := req.GetClientTlsCert(); len(ca) > 0 {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(ca) {
				return errors.New("client certificate: no PEM certificate")
			}
			conf.ClientCAs, conf.ClientAuth = pool, tls.RequireAndVerifyClientCert
		}
		opts = append(opts, khttp.TLSConfig(conf))
		res.PemCert = creds.GetCert()
	}
	srv := khttp.NewServer(opts...)
	v1.RegisterConformanceServiceServer(srv, service.Service{})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Start(ctx) }()
	if err := writeMessage(os.Stdout, res); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Stop(sctx); err != nil {
		return err
	}
	return <-served
}

func readMessage(r io.Reader, m proto.Message) error {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > 16<<20 {
		return errors.New("message too large")
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	return proto.Unmarshal(b, m)
}

func writeMessage(w io.Writer, m proto.Message) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
