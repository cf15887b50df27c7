package testkit

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// SignIn signs name in through the sign-in form of the server at base and returns a client
// holding the session cookie.
func SignIn(t testing.TB, base, name, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.PostForm(base+"/signin", url.Values{"name": {name}, "password": {password}, "csrf": {CSRF(t, c, base+"/signin")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

// CSRF returns the CSRF token of the form on the page at u.
func CSRF(t testing.TB, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := csrfField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no csrf field on %s", u)
	}
	return string(m[1])
}
