package web_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/config"
)

// from sends a short-code guess from local address src, with X-Forwarded-For when fwd is set.
func (e *env) codeGuessFrom(src, fwd string) int {
	e.t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext,
	}}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/s", strings.NewReader(url.Values{"code": {"ZZZZ-ZZZZ"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if fwd != "" {
		req.Header.Set("X-Forwarded-For", fwd)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestForwardedForCannotEscapeRateLimits: a client rotating its own X-Forwarded-For stays one
// client, whether it reaches the server directly or through the trusted proxy.
func TestForwardedForCannotEscapeRateLimits(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.Limits.ShortCode = 3
		c.TrustProxy, c.TrustedProxies = true, []string{"127.0.0.1/32"}
	})
	// Through the proxy (127.0.0.1), which appends the real client (203.0.113.9) to what the
	// client sent.
	for i := range 3 {
		if st := e.codeGuessFrom("127.0.0.1", fmt.Sprintf("198.51.100.%d, 203.0.113.9", i)); st == http.StatusTooManyRequests {
			t.Fatalf("guess %d refused too early", i)
		}
	}
	if st := e.codeGuessFrom("127.0.0.1", "198.51.100.77, 203.0.113.9"); st != http.StatusTooManyRequests {
		t.Fatalf("fourth guess with a rotated X-Forwarded-For: %d, want 429", st)
	}
	// Another client behind the proxy has its own allowance.
	if st := e.codeGuessFrom("127.0.0.1", "203.0.113.10"); st == http.StatusTooManyRequests {
		t.Fatal("another client behind the proxy was refused")
	}
	// Straight to the server from an address that is not a proxy: the header is ignored.
	for i := range 3 {
		if st := e.codeGuessFrom("127.0.0.2", fmt.Sprintf("198.51.100.%d", i)); st == http.StatusTooManyRequests {
			t.Fatalf("direct guess %d refused too early", i)
		}
	}
	if st := e.codeGuessFrom("127.0.0.2", "198.51.100.99"); st != http.StatusTooManyRequests {
		t.Fatalf("direct client choosing its X-Forwarded-For: %d, want 429", st)
	}
	// Requests without the header are counted by their peer, not in one shared bucket.
	for i := range 3 {
		if st := e.codeGuessFrom("127.0.0.1", ""); st == http.StatusTooManyRequests {
			t.Fatalf("header-less guess %d refused too early", i)
		}
	}
	if st := e.codeGuessFrom("127.0.0.3", ""); st == http.StatusTooManyRequests {
		t.Fatal("a header-less client was refused for another's guesses")
	}
	// IPv6 clients are counted by their /64.
	for i := range 3 {
		if st := e.codeGuessFrom("127.0.0.1", fmt.Sprintf("2001:db8:5:6::%x", i+1)); st == http.StatusTooManyRequests {
			t.Fatalf("IPv6 guess %d refused too early", i)
		}
	}
	if st := e.codeGuessFrom("127.0.0.1", "2001:db8:5:6:ffff::1"); st != http.StatusTooManyRequests {
		t.Fatalf("another address of the same /64: %d, want 429", st)
	}
}
