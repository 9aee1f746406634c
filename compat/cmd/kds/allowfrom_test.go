package main

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"reflect"
	"testing"
)

func TestPrefixFlags(t *testing.T) {
	var p prefixFlags
	for _, v := range []string{"10.0.0.0/8, 192.0.2.7", "2001:db8::/32,::1", "198.51.100.77/24", "fe80::/10"} {
		if err := p.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	want := prefixFlags{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("fe80::/10"),
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("prefixes %v, want %v", p, want)
	}
	if got := p.String(); got != "10.0.0.0/8,192.0.2.7/32,2001:db8::/32,::1/128,198.51.100.0/24,fe80::/10" {
		t.Errorf("String() = %q", got)
	}
	for addr, allowed := range map[string]bool{
		"10.1.2.3": true, "::ffff:10.1.2.3": true, "11.0.0.1": false, "192.0.2.7": true, "192.0.2.8": false,
		"2001:db8::5": true, "2001:db9::5": false, "::1": true, "127.0.0.1": false, "198.51.100.1": true,
		// A link-local peer's address carries its interface as a zone,
		// which no prefix contains as such.
		"fe80::1%eth0": true, "fe80::1": true,
	} {
		if got := p.allows(netip.MustParseAddr(addr)); got != allowed {
			t.Errorf("allows(%s) = %v, want %v", addr, got, allowed)
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "localhost", "10.0.0.0/8,", "300.1.1.1"} {
		var q prefixFlags
		if err := q.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted: %v", bad, q)
		}
	}
}

// TestAllowListener connects over loopback to a listener that allows
// loopback and to one that allows only another range: the first hands
// the connection on (and the test's server side writes to it), the second
// closes it before anything is read.
func TestAllowListener(t *testing.T) {
	for _, tt := range []struct {
		allow    string
		accepted bool
	}{
		{"127.0.0.0/8,::1", true},
		{"192.0.2.0/24", false},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var allow prefixFlags
		if err := allow.Set(tt.allow); err != nil {
			t.Fatal(err)
		}
		al := &allowListener{Listener: ln, allow: allow, log: slog.New(slog.DiscardHandler)}
		accepted := make(chan bool, 1)
		go func() {
			c, err := al.Accept()
			if err == nil {
				c.Write([]byte("x"))
				c.Close()
			}
			accepted <- err == nil
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		b, readErr := io.ReadAll(c)
		if got := string(b) == "x"; got != tt.accepted {
			t.Errorf("allow %s: read %q (%v) from the server side; want the connection accepted: %v", tt.allow, b, readErr, tt.accepted)
		}
		c.Close()
		ln.Close() // ends the Accept that waits for an allowed connection
		if got := <-accepted; got != tt.accepted {
			t.Errorf("allow %s: Accept returned a connection: %v", tt.allow, got)
		}
	}
}
