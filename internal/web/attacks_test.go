package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/config"
)

// TestAttacks sends what a hostile client would and checks each gets a clear 4xx — never a 5xx,
// never a stored response.
func TestAttacks(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Limits.Submit, c.Limits.Lookup = 1000, 1000 })
	tk := e.issue("H48-260331-0900", http.StatusCreated)
	auth := []string{"Authorization", "Bearer " + e.key}
	deep := `{"token":"` + tk.Token + `","answers":{"overall":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}`
	cases := []struct {
		name, method, path, ctype, body string
		headers                         []string
		want                            int
	}{
		{"operator as dossier_code", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":{"$ne":null},"field":"land"}`, auth, 422},
		{"operator as field", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":{"$gt":""}}`, auth, 422},
		{"operator as agency", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","agency":{"$gt":""}}`, auth, 422},
		{"operator as counter", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","counter":{"$where":"1"}}`, auth, 422},
		{"operator as officer", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","officer":["$gt"]}`, auth, 422},
		{"operator as channel", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","channel":{"$in":["direct"]}}`, auth, 422},
		{"operator as procedure_name", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","procedure_name":{"$gt":""}}`, auth, 422},
		{"operator as completed_at", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","completed_at":{"$gt":""}}`, auth, 422},
		{"operator as on_time", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"A-1","field":"land","on_time":{"$ne":false}}`, auth, 422},
		{"dossier code with dollar", "POST", "/api/v1/tickets", "application/json", `{"dossier_code":"$where","field":"land"}`, auth, 422},
		{"operator as token", "POST", "/api/v1/responses", "application/json", `{"token":{"$gt":""},"answers":{"overall":5}}`, nil, 400},
		{"operator as answer", "POST", "/api/v1/responses", "application/json", `{"token":"` + tk.Token + `","answers":{"overall":{"$gt":0}}}`, nil, 422},
		{"operator as answer key", "POST", "/api/v1/responses", "application/json", `{"token":"` + tk.Token + `","answers":{"$where":"sleep(1000)","overall":5}}`, nil, 422},
		{"dotted answer key", "POST", "/api/v1/responses", "application/json", `{"token":"` + tk.Token + `","answers":{"overall.x":5,"overall":5}}`, nil, 422},
		{"operator as comment", "POST", "/api/v1/responses", "application/json", `{"token":"` + tk.Token + `","answers":{"overall":5},"comment":{"$gt":""}}`, nil, 422},
		{"deep nesting", "POST", "/api/v1/responses", "application/json", deep, nil, 422},
		{"invalid utf-8", "POST", "/api/v1/responses", "application/json", "{\"token\":\"\xff\"}", nil, 400},
		{"operator in form key", "POST", "/s/" + tk.Token, "application/x-www-form-urlencoded", "overall%5B%24gt%5D=1", nil, 422},
		{"operator in form value", "POST", "/s/" + tk.Token, "application/x-www-form-urlencoded", "overall=%7B%22%24gt%22%3A0%7D", nil, 422},
		{"invalid utf-8 in form", "POST", "/s/" + tk.Token, "application/x-www-form-urlencoded", "overall=5&comment=%ff%fe", nil, 400},
		{"operator as short code", "POST", "/s", "application/x-www-form-urlencoded", "code%5B%24ne%5D=x", nil, 422},
		{"truncated token page", "GET", "/s/" + tk.Token[:31], "", "", nil, 404},
		{"forged token page", "GET", "/s/" + strings.Repeat("A", 32), "", "", nil, 404},
		{"token with path tricks", "GET", "/s/..%2F..%2Fetc%2Fpasswd", "", "", nil, 404},
		{"forged token QR", "GET", "/api/v1/tickets/" + strings.Repeat("B", 32) + "/qr.png", "", "", nil, 404},
		{"forged token survey", "GET", "/api/v1/tickets/not-a-token/survey", "", "", nil, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var status int
			var body string
			if c.method == "GET" {
				status, _, body = e.get(c.path, c.headers...)
			} else {
				status, _, body = e.post(c.path, c.ctype, c.body, c.headers...)
			}
			if status != c.want {
				t.Fatalf("status %d, want %d: %.200s", status, c.want, body)
			}
		})
	}
	// None of that stored anything: the ticket can still be answered once.
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":5}}`); status != 201 {
		t.Fatalf("valid answer after the attacks: %d %s", status, body)
	}
}

func TestHeaderInjectionIsNotReflected(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0901", http.StatusCreated)
	for _, path := range []string{
		"/s/" + tk.Token + "?lang=en%0d%0aSet-Cookie:%20pwned=1",
		"/s?lang=vi%0d%0aX-Injected:%201",
		"/signin?next=/dashboard%0d%0aSet-Cookie:%20pwned=1",
	} {
		_, hdr, _ := e.get(path)
		for k, vs := range hdr {
			for _, v := range vs {
				if strings.Contains(strings.ToLower(k), "injected") || strings.Contains(v, "pwned") {
					t.Errorf("%s: injected header %s: %s", path, k, v)
				}
			}
		}
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0902", http.StatusCreated)
	for _, path := range []string{"/s", "/s/" + tk.Token, "/signin", "/dashboard", "/admin", "/kiosk", "/healthz", "/api/v1/stats", "/static/app.css", "/nowhere"} {
		_, hdr, _ := e.get(path)
		csp := hdr.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: nosniff %q, referrer policy %q", path, hdr.Get("X-Content-Type-Options"), hdr.Get("Referrer-Policy"))
		}
		// The test server's public URL is https, so HSTS must be sent.
		if !strings.Contains(hdr.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("%s: no HSTS behind TLS", path)
		}
	}
}

func TestCommentsAreEscapedOnTheDashboard(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0903", http.StatusCreated)
	xss := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":1},"comment":"` + strings.ReplaceAll(xss, `"`, `\"`) + `"}`); status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	e.settle()
	name := e.addUser("quanly", account.RoleManager, "mật-khẩu-quản-lý-2")
	token := e.mustSignIn(name, "mật-khẩu-quản-lý-2")
	status, _, page := e.get("/dashboard?period=custom&from=2026-03-01&to=2026-03-31", "Cookie", "hl_session="+token)
	if status != 200 {
		t.Fatalf("dashboard: %d", status)
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
		t.Fatal("a citizen's comment reached the dashboard as markup")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the comment is not shown (escaped) on the dashboard")
	}
}

func TestLogsHoldNoSecretsTokensOrAddresses(t *testing.T) {
	var logs bytes.Buffer
	logSink = &logs
	e := newEnv(t)
	logSink = nil
	tk := e.issue("H48-260331-0904", http.StatusCreated)
	e.get("/s/" + tk.Token)
	e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":5}}`)
	e.post("/s", "application/x-www-form-urlencoded", url.Values{"code": {tk.ShortCode}}.Encode())
	name := e.addUser("quanly", account.RoleManager, "mật-khẩu-quản-lý-3")
	session := e.mustSignIn(name, "mật-khẩu-quản-lý-3")
	out := logs.String()
	if !strings.Contains(out, `"route"`) {
		t.Fatalf("no request logs captured: %.300s", out)
	}
	for what, secret := range map[string]string{"token": tk.Token, "short code": tk.ShortCode, "API key": e.key, "password": "mật-khẩu-quản-lý-3", "session": session, "client IP": "127.0.0.1"} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs contain the %s", what)
		}
	}
}

// An oversized body gets its 413 through an ordinary HTTP client, every time: the server reads
// a body somewhat over the limit before refusing it, so the answer is not lost to a connection
// reset while the client is still sending. A body far over the limit is refused from its
// Content-Length, unread, over a raw connection that reads the answer while still sending.
func TestOversizedBodyIsRefused(t *testing.T) {
	e := newEnv(t)
	body := `{"token":"` + strings.Repeat("A", 250_000) + `"}`
	for i := range 100 {
		status, _, page := e.post("/api/v1/responses", "application/json", body)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "quá lớn") {
			t.Fatalf("request %d: status %d body %.300s, want 413 saying the request is too large (quá lớn)", i, status, page)
		}
	}
	status, _, page := e.rawAnswer(fmt.Sprintf("POST /api/v1/responses HTTP/1.1\r\nHost: hailong.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", 4<<20, body[:1024]))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "quá lớn") {
		t.Fatalf("4 MB declared: status %d body %.300s, want 413 (quá lớn)", status, page)
	}
}

// rawGet sends GET target as written (an HTTP client would read "//host/x" as a host).
func (e *env) rawGet(target string) (int, string) {
	status, _, page := e.rawAnswer(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: hailong.test\r\nConnection: close\r\n\r\n", target))
	return status, page
}

// TestLanguageLinkStaysOnTheSite: a path starting with two slashes (or a backslash) must not
// turn the page's language link into a link to another host.
func TestLanguageLinkStaysOnTheSite(t *testing.T) {
	e := newEnv(t)
	for _, target := range []string{"//evil.example/x", `/\evil.example/x`, "///evil.example/x", "/s"} {
		status, page := e.rawGet(target)
		i := strings.Index(page, "?lang=en")
		if i < 0 {
			t.Fatalf("%s: %d, no language link in %.300s", target, status, page)
		}
		start := strings.LastIndex(page[:i], `href="`) + len(`href="`)
		link := page[start:i]
		if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.HasPrefix(link, `/\`) {
			t.Errorf("%s: language link %q leaves the site", target, link)
		}
	}
}
