package webhook

import (
	"net/netip"
	"testing"
)

// The address actually dialled, after DNS, is checked: a name that resolves into a private,
// loopback or link-local range is refused there even though the URL passed registration.
func TestDialRefusesForbiddenAddresses(t *testing.T) {
	c := NewClient(false, "test")
	for _, a := range []string{"127.0.0.1:80", "10.2.3.4:443", "192.168.1.9:443", "172.16.0.1:80", "169.254.169.254:80",
		"[::1]:443", "[fe80::1]:443", "[::ffff:127.0.0.1]:80", "100.64.0.1:80", "0.0.0.0:80"} {
		if err := c.control("tcp", a, nil); err == nil {
			t.Errorf("dialling %s was allowed", a)
		}
	}
	for _, a := range []string{"203.113.131.1:443", "[2001:ee0:4001::1]:443"} {
		if err := c.control("tcp", a, nil); err != nil {
			t.Errorf("dialling %s: %v", a, err)
		}
	}
	if err := NewClient(true, "test").control("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("with private addresses allowed: %v", err)
	}
	if !Forbidden(netip.MustParseAddr("::ffff:10.0.0.1")) {
		t.Error("an IPv4-mapped private address is not forbidden")
	}
}
