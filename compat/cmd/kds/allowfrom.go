package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
)

// prefixFlags is the value of -allow-from: address ranges, given as CIDRs
// or single addresses, comma-separated, the flag repeatable.
type prefixFlags []netip.Prefix

func (p *prefixFlags) String() string {
	s := make([]string, len(*p))
	for i, pre := range *p {
		s[i] = pre.String()
	}
	return strings.Join(s, ",")
}

func (p *prefixFlags) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return fmt.Errorf("%q is neither a CIDR nor an IP address", part)
			}
			*p = append(*p, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(part)
		if err != nil {
			return fmt.Errorf("%q is neither a CIDR nor an IP address", part)
		}
		*p = append(*p, pre.Masked())
	}
	return nil
}

// allows reports whether a is in one of the ranges. An IPv6 zone (the
// interface of a link-local peer) is ignored, as prefixes hold none.
func (p prefixFlags) allows(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, pre := range p {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// allowListener passes on the connections of a listener that come from
// the allowed ranges and closes the others as soon as they are accepted,
// before a byte is read from them: the analog of a security group in
// front of a VPC endpoint, which lets other addresses reach nothing.
type allowListener struct {
	net.Listener
	allow prefixFlags
	log   *slog.Logger
}

// Accept returns the next connection from an allowed address.
func (l *allowListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, perr := netip.ParseAddrPort(c.RemoteAddr().String())
		if perr == nil && l.allow.allows(ap.Addr()) {
			return c, nil
		}
		l.log.Info("kds serve: connection refused by -allow-from", "remote", c.RemoteAddr().String())
		c.Close()
	}
}
