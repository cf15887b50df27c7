package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/config"
)

func TestMetricsAskForTheTokenWhenOneIsSet(t *testing.T) {
	const token = "scrape-0123456789abcdef"
	e := newEnv(t, func(c *config.Config) { c.MetricsToken = token })
	for _, auth := range []string{"", "Bearer wrong-0123456789abcdef", token} {
		if st, _, body := e.get("/metrics", "Authorization", auth); st != http.StatusUnauthorized || strings.Contains(body, "hailong_") {
			t.Errorf("/metrics with Authorization %q: %d, want 401 without figures", auth, st)
		}
	}
	if st, _, body := e.get("/metrics", "Authorization", "Bearer "+token); st != http.StatusOK || !strings.Contains(body, "hailong_http_requests_total") {
		t.Fatalf("/metrics with the token: %d %.200s", st, body)
	}
}

func TestClientRequestIDMustBePlain(t *testing.T) {
	e := newEnv(t)
	plain := regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	for _, tc := range []struct {
		sent string
		kept bool
	}{
		{"0d5e1c1e-4d0a-4bb2-9b63-7c3c2b7a1f00", true},
		{"req.42_a", true},
		{"<script>alert(1)</script>", false},
		{"id with spaces", false},
		{strings.Repeat("a", 65), false},
		{`x","level":"ERROR`, false},
	} {
		_, hdr, _ := e.get("/healthz", "X-Request-Id", tc.sent)
		got := hdr.Get("X-Request-Id")
		if (got == tc.sent) != tc.kept || !plain.MatchString(got) {
			t.Errorf("sent X-Request-Id %q, answered %q (kept=%v)", tc.sent, got, tc.kept)
		}
	}
}

// rawAnswer writes request on a raw connection, as written, and reads the answer.
func (e *env) rawAnswer(request string) (int, http.Header, string) {
	e.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	go func() { _, _ = conn.Write([]byte(request)) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatalf("read the answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestErrorsBeforeRoutingCarryTheSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	body := strings.Repeat("A", 80_000)
	for _, tc := range []struct {
		name, request string
		status        int
	}{
		{"oversized headers", "GET /s HTTP/1.1\r\nHost: hailong.test\r\nX-Big: " + strings.Repeat("b", 20_000) + "\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"oversized body", fmt.Sprintf("POST /api/v1/responses HTTP/1.1\r\nHost: hailong.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body), http.StatusRequestEntityTooLarge},
		{"body far over the limit, refused unread", fmt.Sprintf("POST /api/v1/responses HTTP/1.1\r\nHost: hailong.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", 4<<20, body[:1024]), http.StatusRequestEntityTooLarge},
	} {
		status, hdr, _ := e.rawAnswer(tc.request)
		if status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, status, tc.status)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Strict-Transport-Security"} {
			if hdr.Get(h) == "" {
				t.Errorf("%s: no %s", tc.name, h)
			}
		}
	}
}

// TestOneTabletHoldsAtMostItsStreams: a tablet opening one stream too many ends its oldest;
// other tablets are not affected.
func TestOneTabletHoldsAtMostItsStreams(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.KioskStreams = 2 })
	k, other := e.pairedKiosk("c1"), e.pairedKiosk("c1")
	otherStream := other.stream(e)
	var streams []*sseStream
	for range 4 {
		streams = append(streams, k.stream(e))
	}
	for i, s := range streams[:2] {
		if ev, ok := s.next(2 * time.Second); ok {
			t.Fatalf("stream %d, two too many ago, is still open: got %+v", i, ev)
		}
	}
	tk := e.issueAt("H48-260331-0201", "c1")
	for i, s := range append(streams[2:], otherStream) {
		if ev, ok := s.next(2 * time.Second); !ok || ev.Data.Ref != e.kioskRef(tk.Token) {
			t.Fatalf("open stream %d got %+v (ok=%v), want the dossier", i, ev, ok)
		}
	}
}
