package web

import (
	"net/netip"
	"testing"
)

func TestClientAddrTakesTheRightMostUntrustedHop(t *testing.T) {
	p := parseProxies([]string{"10.0.0.0/8", "127.0.0.1/32"})
	for _, tc := range []struct {
		name, peer string
		fwd        []string
		want       string
	}{
		{"untrusted peer ignores the header", "203.0.113.9", []string{"198.51.100.1"}, "203.0.113.9"},
		{"no header: the peer", "10.0.0.2", nil, "10.0.0.2"},
		{"client-written entries are skipped", "10.0.0.2", []string{"1.2.3.4, 5.6.7.8, 203.0.113.9"}, "203.0.113.9"},
		{"a chain of proxies", "127.0.0.1", []string{"1.2.3.4, 203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"several headers read as one list", "10.0.0.2", []string{"1.2.3.4", "203.0.113.9, 10.1.1.1"}, "203.0.113.9"},
		{"garbage stops at the last proxy", "10.0.0.2", []string{"203.0.113.9, not-an-ip"}, "10.0.0.2"},
		{"garbage left of the client is ignored", "10.0.0.2", []string{"<script>, 203.0.113.9"}, "203.0.113.9"},
		{"only proxies: the left-most", "10.0.0.2", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"IPv6 with port", "10.0.0.2", []string{"[2001:db8::1]:4711"}, "2001:db8::1"},
		{"IPv4-mapped", "10.0.0.2", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"empty entry", "10.0.0.2", []string{""}, "10.0.0.2"},
	} {
		got := p.clientAddr(netip.MustParseAddr(tc.peer), tc.fwd)
		if got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := (proxies(nil)).clientAddr(netip.MustParseAddr("127.0.0.1"), []string{"1.2.3.4"}); got.String() != "127.0.0.1" {
		t.Errorf("without trusted proxies: %s", got)
	}
}

func TestClientBucketGroupsIPv6By64(t *testing.T) {
	a, b, c := clientBucket(netip.MustParseAddr("2001:db8:1:2::1")), clientBucket(netip.MustParseAddr("2001:db8:1:2:ffff::9")),
		clientBucket(netip.MustParseAddr("2001:db8:1:3::1"))
	if a != b || a == c || a != "2001:db8:1:2::/64" {
		t.Fatalf("buckets %s %s %s", a, b, c)
	}
	if v4 := clientBucket(netip.MustParseAddr("203.0.113.9")); v4 != "203.0.113.9" {
		t.Fatalf("IPv4 bucket %s", v4)
	}
}
