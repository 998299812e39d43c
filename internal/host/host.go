// Package host picks the address that other machines should use to reach a
// listener, for building endpoint URLs.
package host

import (
	"fmt"
	"net"
	"strconv"
)

// ExtractHostPort splits addr into host and port numbers.
func ExtractHostPort(addr string) (host string, port uint64, err error) {
	var ports string
	host, ports, err = net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("host: split %q: %w", addr, err)
	}
	port, err = strconv.ParseUint(ports, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("host: port of %q: %w", addr, err)
	}
	return host, port, nil
}

// Extract returns a "host:port" that clients can dial for a server listening
// on hostPort. When hostPort names a concrete IP or host it is kept. When it
// is unspecified ("", "0.0.0.0", "::"), the first non-loopback address of an
// up interface is used, falling back to the loopback address. The port is
// taken from lis when it is not nil, so ":0" works after listening.
func Extract(hostPort string, lis net.Listener) (string, error) {
	addr, port, err := net.SplitHostPort(hostPort)
	if err != nil && lis == nil {
		return "", fmt.Errorf("host: split %q: %w", hostPort, err)
	}
	if lis != nil {
		p, ok := listenerPort(lis)
		if !ok {
			return "", fmt.Errorf("host: listener address %v is not TCP", lis.Addr())
		}
		port = strconv.Itoa(p)
	}
	if addr != "" && addr != "0.0.0.0" && addr != "::" && addr != "[::]" {
		return net.JoinHostPort(addr, port), nil
	}
	ip, err := reachableIP()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(ip.String(), port), nil
}

func listenerPort(lis net.Listener) (int, bool) {
	if a, ok := lis.Addr().(*net.TCPAddr); ok {
		return a.Port, true
	}
	return 0, false
}

// reachableIP returns the first global unicast IPv4 address of an up,
// non-loopback interface, then any such IPv6 address, then 127.0.0.1.
func reachableIP() (net.IP, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("host: list interfaces: %w", err)
	}
	var v6 net.IP
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			var ip net.IP
			switch v := a.(type) {
			case *net.IPNet:
				ip = v.IP
			case *net.IPAddr:
				ip = v.IP
			}
			if ip == nil || !ip.IsGlobalUnicast() {
				continue
			}
			if ip.To4() != nil {
				return ip, nil
			}
			if v6 == nil {
				v6 = ip
			}
		}
	}
	if v6 != nil {
		return v6, nil
	}
	return net.IPv4(127, 0, 0, 1), nil
}
