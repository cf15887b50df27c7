package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxies are the reverse proxies whose X-Forwarded-For is believed.
type proxies []netip.Prefix

// parseProxies reads the configuration's CIDRs, which config has already checked.
func parseProxies(cidrs []string) proxies {
	var p proxies
	for _, c := range cidrs {
		if pre, err := netip.ParsePrefix(c); err == nil {
			p = append(p, pre)
		}
	}
	return p
}

func (p proxies) trusted(a netip.Addr) bool {
	for _, pre := range p {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address a request is counted under: the direct peer, unless the peer is a
// trusted proxy; then the right-most X-Forwarded-For address that is not a trusted proxy (the
// ones left of it were written by the client and prove nothing). An entry that is not an IP ends
// the walk at the last proxy seen.
func (p proxies) clientAddr(peer netip.Addr, forwarded []string) netip.Addr {
	peer = peer.Unmap()
	if len(p) == 0 || !p.trusted(peer) {
		return peer
	}
	addr := peer
	for i := len(forwarded) - 1; i >= 0; i-- {
		entries := strings.Split(forwarded[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			hop, ok := parseHop(entries[j])
			if !ok {
				return addr
			}
			addr = hop
			if !p.trusted(hop) {
				return hop
			}
		}
	}
	return addr
}

// parseHop reads one X-Forwarded-For entry: an IP, possibly with a port ("[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// clientBucket is what stands for the client in rate limits: its IPv4 address, or its IPv6
// /64, the block one subscriber (one phone, one home) is given.
func clientBucket(a netip.Addr) string {
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// clientAddrOf is the request's client address by the trusted proxies.
func (g *guard) clientAddrOf(c *fiber.Ctx) netip.Addr {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	if !c.IsProxyTrusted() {
		return peer.Unmap()
	}
	var fwd []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		fwd = append(fwd, string(v))
	}
	return g.proxies.clientAddr(peer, fwd)
}
