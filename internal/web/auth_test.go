package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
)

const failedSignIn = "Tên đăng nhập hoặc mật khẩu không đúng."

var userSeq atomic.Int64

// addUser creates an account with a name unique to this run (rate limits per name live in a
// Redis that other tests may share) and returns the name.
func (e *env) addUser(prefix, role, password string) string {
	e.t.Helper()
	name := prefix + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.FormatInt(userSeq.Add(1), 36)
	hash, err := account.Hash(password)
	if err != nil {
		e.t.Fatal(err)
	}
	u := account.User{Name: name, Role: role, Agency: "000.00.53.H48", PasswordHash: hash}
	if err := mongodb.NewUserStore(e.db).CreateUser(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	return name
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInForm opens the sign-in page and returns the hl_pre cookie and the form's csrf field.
func (e *env) signInForm() (cookie, field string) {
	e.t.Helper()
	status, hdr, page := e.get("/signin")
	pre := cookieNamed(hdr, "hl_pre")
	m := csrfField.FindStringSubmatch(page)
	if status != 200 || pre == nil || m == nil || pre.Value != m[1] {
		e.t.Fatalf("sign-in page: %d, hl_pre %v, csrf field %v", status, pre, m)
	}
	return pre.Value, m[1]
}

// signIn posts the sign-in form with a valid pre-session CSRF token; extra are header pairs.
func (e *env) signIn(name, password, next string, extra ...string) (int, http.Header, string) {
	e.t.Helper()
	pre, field := e.signInForm()
	form := url.Values{"name": {name}, "password": {password}, "csrf": {field}, "next": {next}}
	cookies := "hl_pre=" + pre
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i] == "Cookie" {
			cookies += "; " + extra[i+1]
			extra = append(extra[:i:i], extra[i+2:]...)
			break
		}
	}
	return e.post("/signin", "application/x-www-form-urlencoded", form.Encode(), append([]string{"Cookie", cookies}, extra...)...)
}

// mustSignIn signs in and returns the session token.
func (e *env) mustSignIn(name, password string) string {
	e.t.Helper()
	status, hdr, body := e.signIn(name, password, "")
	c := cookieNamed(hdr, "hl_session")
	if status != http.StatusSeeOther || c == nil || c.Value == "" {
		e.t.Fatalf("sign in as %s: %d %v %.300s", name, status, hdr, body)
	}
	return c.Value
}

// signedIn reports whether token is a live session, as the sign-in page sees it: a signed-in
// user is sent straight on instead of being shown the form.
func (e *env) signedIn(token string) bool {
	e.t.Helper()
	status, hdr, _ := e.get("/signin", "Cookie", "hl_session="+token)
	return status == http.StatusSeeOther && hdr.Get("Location") == "/dashboard"
}

func (e *env) session(token string) (*account.Session, error) {
	return mongodb.NewSessionStore(e.db, e.clock).SessionByToken(context.Background(), token)
}

func cookieNamed(hdr http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSignInStartsANewSessionEvenWhenTheBrowserBringsOne(t *testing.T) {
	e := newEnv(t)
	victim := e.addUser("lan", account.RoleManager, "Mật khẩu của Lan 2026")
	attacker := e.addUser("mallory", account.RoleViewer, "mallory's password")
	planted := e.mustSignIn(attacker, "mallory's password")
	if !e.signedIn(planted) {
		t.Fatal("the attacker's own session does not work")
	}
	for _, preset := range []string{planted, "fixated-by-attacker"} {
		status, hdr, _ := e.signIn(victim, "Mật khẩu của Lan 2026", "", "Cookie", "hl_session="+preset)
		c := cookieNamed(hdr, "hl_session")
		if status != http.StatusSeeOther || hdr.Get("Location") != "/dashboard" || c == nil {
			t.Fatalf("sign in: %d %v", status, hdr)
		}
		if c.Value == preset || len(c.Value) != 43 {
			t.Fatalf("the session token %q was not newly made (browser sent %q)", c.Value, preset)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || !c.Secure || c.MaxAge != 12*3600 {
			t.Fatalf("session cookie attributes: %+v", c)
		}
		if s, err := e.session(c.Value); err != nil || s.User != victim {
			t.Fatalf("new session: %+v %v", s, err)
		}
	}
	if e.signedIn(planted) {
		t.Fatal("the planted session still works after the victim signed in over it")
	}
	entries, err := mongodb.NewAuditStore(e.db).Recent(context.Background(), 1)
	if err != nil || len(entries) != 1 || entries[0].Action != "signin" || entries[0].User != victim || !entries[0].At.Equal(e.clock()) {
		t.Fatalf("audit: %+v %v", entries, err)
	}
}

func TestWrongPasswordAndUnknownUserLookTheSame(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("an", account.RoleViewer, "đúng mật khẩu rồi")
	disabled := e.addUser("cu", account.RoleViewer, "đúng mật khẩu rồi")
	users := mongodb.NewUserStore(e.db)
	u, _ := users.UserByName(context.Background(), disabled)
	u.Disabled = true
	if err := users.UpdateUser(context.Background(), *u); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{
		{name, "sai mật khẩu rồi"},
		{"khong-ton-tai", "đúng mật khẩu rồi"},
		{disabled, "đúng mật khẩu rồi"},
		{"", ""},
		{strings.Repeat("x", 500), "đúng mật khẩu rồi"},
	} {
		status, hdr, page := e.signIn(c[0], c[1], "")
		if status != http.StatusUnauthorized || !strings.Contains(page, `role="alert">`+failedSignIn+`<`) || cookieNamed(hdr, "hl_session") != nil {
			t.Errorf("sign in as %.20q: %d, want 401 with %q and no session", c[0], status, failedSignIn)
		}
	}
	status, _, page := e.signIn(name, "wrong password!", "", "Accept-Language", "en")
	if status != http.StatusUnauthorized || !strings.Contains(page, "The user name or password is not correct.") {
		t.Fatalf("english failure: %d", status)
	}
	// Names are case-insensitive and trimmed.
	if status, _, _ := e.signIn("  "+strings.ToUpper(name)+" ", "đúng mật khẩu rồi", ""); status != http.StatusSeeOther {
		t.Fatalf("upper-case name: %d", status)
	}
}

// TestGuessesFromManyAddressesSlowDownButNeverLockOut: failed sign-ins of one account from
// rotating addresses earn a growing delay, not a block; the user signs in once it has run, and
// the repeated failures show in the audit list.
func TestGuessesFromManyAddressesSlowDownButNeverLockOut(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.Limits.SignIn = 100
		c.TrustProxy, c.TrustedProxies = true, []string{"127.0.0.1/32"}
	})
	target := e.addUser("lan", account.RoleAdmin, "mật khẩu rất dài 2026")
	other := e.addUser("an", account.RoleViewer, "mật khẩu của An 2026")
	from := func(i int) []string { return []string{"X-Forwarded-For", "203.0.113." + strconv.Itoa(i)} }
	for i := range account.FreeSignInFailures {
		if status, _, _ := e.signIn(target, "đoán thử "+strconv.Itoa(i), "", from(i)...); status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, status)
		}
	}
	// Twenty more tries within the delay: refused without checking the password.
	for i := range 20 {
		status, hdr, _ := e.signIn(target, "mật khẩu rất dài 2026", "", from(50+i)...)
		if status != http.StatusTooManyRequests || hdr.Get("Retry-After") != "1" || cookieNamed(hdr, "hl_session") != nil {
			t.Fatalf("attempt %d within the delay: %d Retry-After %q, want 429 after 1 s", i, status, hdr.Get("Retry-After"))
		}
	}
	// The delay doubles with each further failure.
	e.advance(time.Second)
	if status, _, _ := e.signIn(target, "đoán nữa", "", from(98)...); status != http.StatusUnauthorized {
		t.Fatalf("a guess after the delay: %d", status)
	}
	if status, hdr, _ := e.signIn(target, "đoán nữa", "", from(97)...); status != http.StatusTooManyRequests || hdr.Get("Retry-After") != "2" {
		t.Fatalf("next attempt: %d Retry-After %q, want 429 after 2 s", status, hdr.Get("Retry-After"))
	}
	// Another account is not slowed; the real user gets in once the delay has run.
	if status, _, _ := e.signIn(other, "mật khẩu của An 2026", "", from(0)...); status != http.StatusSeeOther {
		t.Fatalf("another account from the same address: %d, want 303", status)
	}
	e.advance(2 * time.Second)
	status, hdr, _ := e.signIn(target, "mật khẩu rất dài 2026", "", from(99)...)
	if status != http.StatusSeeOther || cookieNamed(hdr, "hl_session") == nil {
		t.Fatalf("the real user after the delay: %d, want 303 with a session", status)
	}
	// Signed in, the count starts again: the next failure costs no delay.
	if status, _, _ := e.signIn(target, "gõ nhầm", "", from(1)...); status != http.StatusUnauthorized {
		t.Fatalf("a typo after signing in: %d, want 401", status)
	}
	_, _, page := e.signInAdmin().get("/admin")
	if !strings.Contains(page, "Đăng nhập không thành công") || !strings.Contains(page, "5 in a row") {
		t.Fatalf("the audit list does not show the repeated failures")
	}
}

func TestOneAddressCannotGuessManyAccounts(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Limits.SignIn = 3 })
	for i := range 3 {
		if status, _, _ := e.signIn("nobody-"+strconv.Itoa(i), "mật khẩu đoán thử", ""); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, status)
		}
	}
	if status, hdr, _ := e.signIn("nobody-9", "mật khẩu đoán thử", ""); status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Fatalf("fourth attempt from one address: %d, want 429 with Retry-After", status)
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("lan", account.RoleOfficer, "Mật khẩu của Lan 2026")
	token := e.mustSignIn(name, "Mật khẩu của Lan 2026")
	s, err := e.session(token)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {s.CSRF}}.Encode()
	status, hdr, _ := e.post("/signout", "application/x-www-form-urlencoded", form, "Cookie", "hl_session="+token)
	cleared := cookieNamed(hdr, "hl_session")
	if status != http.StatusSeeOther || hdr.Get("Location") != "/signin" || cleared == nil || cleared.Value != "" || !cleared.Expires.Before(time.Now()) {
		t.Fatalf("sign out: %d %v", status, hdr)
	}
	if e.signedIn(token) {
		t.Fatal("the old cookie still works after signing out")
	}
	if _, err := e.session(token); !errors.Is(err, account.ErrSessionEnded) {
		t.Fatalf("session after sign-out: %v", err)
	}
}

func TestStateChangesNeedTheSessionCSRFToken(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("lan", account.RoleManager, "Mật khẩu của Lan 2026")
	token := e.mustSignIn(name, "Mật khẩu của Lan 2026")
	other := e.mustSignIn(name, "Mật khẩu của Lan 2026")
	otherSession, _ := e.session(other)
	cookie := []string{"Cookie", "hl_session=" + token}
	for _, c := range []struct {
		name, body string
		headers    []string
	}{
		{"no token", "", nil},
		{"empty token", "csrf=", nil},
		{"another session's token", "csrf=" + otherSession.CSRF, nil},
		{"wrong header", "", []string{"X-CSRF-Token", "nope"}},
	} {
		status, _, page := e.post("/signout", "application/x-www-form-urlencoded", c.body, append(c.headers, cookie...)...)
		if status != http.StatusForbidden || !strings.Contains(page, "Biểu mẫu đã hết hạn hoặc không hợp lệ") {
			t.Errorf("%s: %d, want 403 with the CSRF message", c.name, status)
		}
	}
	if !e.signedIn(token) {
		t.Fatal("a refused sign-out ended the session")
	}
	s, _ := e.session(token)
	if status, _, _ := e.post("/signout", "application/x-www-form-urlencoded", "", "X-CSRF-Token", s.CSRF, cookie[0], cookie[1]); status != http.StatusSeeOther || e.signedIn(token) {
		t.Fatalf("sign-out with the header token: %d", status)
	}
}

func TestSignInFormNeedsItsOwnCSRFToken(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("lan", account.RoleManager, "Mật khẩu của Lan 2026")
	pre, _ := e.signInForm()
	cases := map[string][]string{
		"no cookie":      {"csrf", pre},
		"field mismatch": {"csrf", flipFirst(pre), "Cookie", "hl_pre=" + pre},
		"no field":       {"Cookie", "hl_pre=" + pre},
	}
	for label, c := range cases {
		form := url.Values{"name": {name}, "password": {"Mật khẩu của Lan 2026"}}
		var headers []string
		for i := 0; i+1 < len(c); i += 2 {
			if c[i] == "csrf" {
				form.Set("csrf", c[i+1])
			} else {
				headers = append(headers, c[i], c[i+1])
			}
		}
		status, hdr, page := e.post("/signin", "application/x-www-form-urlencoded", form.Encode(), headers...)
		if status != http.StatusForbidden || cookieNamed(hdr, "hl_session") != nil || !strings.Contains(page, "Biểu mẫu đăng nhập đã hết hạn") || !csrfField.MatchString(page) {
			t.Errorf("%s: %d, want 403 with the form shown again", label, status)
		}
	}
}

// flipFirst returns s with its first character changed, so it never equals s.
func flipFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}

func TestExpiredSessionIsRefused(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("lan", account.RoleManager, "Mật khẩu của Lan 2026")
	token := e.mustSignIn(name, "Mật khẩu của Lan 2026")
	e.advance(12*time.Hour - time.Minute)
	if !e.signedIn(token) {
		t.Fatal("the session ended before 12 hours")
	}
	e.advance(time.Minute)
	if e.signedIn(token) {
		t.Fatal("the session still works after 12 hours")
	}
	// A state change with the expired cookie is sent to sign in, not checked for CSRF.
	status, hdr, _ := e.post("/signout", "application/x-www-form-urlencoded", "", "Cookie", "hl_session="+token)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/signin" {
		t.Fatalf("post with an expired session: %d %v", status, hdr)
	}
}

func TestDisablingAUserEndsTheirSessions(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("lan", account.RoleManager, "Mật khẩu của Lan 2026")
	token := e.mustSignIn(name, "Mật khẩu của Lan 2026")
	users := mongodb.NewUserStore(e.db)
	u, _ := users.UserByName(context.Background(), name)
	u.Disabled = true
	if err := users.UpdateUser(context.Background(), *u); err != nil {
		t.Fatal(err)
	}
	if e.signedIn(token) {
		t.Fatal("a disabled user's session still works")
	}
}

func TestNextOnlyLeadsWithinTheSite(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("lan", account.RoleManager, "Mật khẩu của Lan 2026")
	for next, want := range map[string]string{
		"":                          "/dashboard",
		"/dashboard?period=2026-03": "/dashboard?period=2026-03",
		"//evil.example":            "/dashboard",
		"https://evil.example":      "/dashboard",
		"/\\evil.example":           "/dashboard",
		"javascript:alert(1)":       "/dashboard",
		"/ok\r\nSet-Cookie: x=1":    "/dashboard",
	} {
		status, hdr, _ := e.signIn(name, "Mật khẩu của Lan 2026", next)
		if status != http.StatusSeeOther || hdr.Get("Location") != want {
			t.Errorf("next %q: %d Location %q, want %q", next, status, hdr.Get("Location"), want)
		}
	}
	for _, next := range []string{"//evil.example", "https://evil.example"} {
		if _, _, page := e.get("/signin?next=" + url.QueryEscape(next)); strings.Contains(page, "evil.example") {
			t.Errorf("the sign-in form carries next=%q", next)
		}
	}
	if _, _, page := e.get("/signin?next=%2Fdashboard%3Fperiod%3D2026-03"); !strings.Contains(page, `name="next" value="/dashboard?period=2026-03"`) {
		t.Error("the sign-in form dropped a local next")
	}
}

func TestSignInPageIsAccessible(t *testing.T) {
	e := newEnv(t)
	status, hdr, page := e.get("/signin")
	if status != 200 || hdr.Get("Cache-Control") != "no-store" || !strings.Contains(page, `lang="vi"`) {
		t.Fatalf("sign-in page: %d %v", status, hdr)
	}
	for _, want := range []string{
		`<label for="name">Tên đăng nhập</label>`, `id="name"`, `autocomplete="username"`,
		`<label for="password">Mật khẩu</label>`, `id="password"`, `type="password"`, `autocomplete="current-password"`,
		`class="primary">Đăng nhập</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("the sign-in page must work without JavaScript")
	}
	if _, _, page := e.get("/signin?lang=en"); !strings.Contains(page, `<label for="password">Password</label>`) {
		t.Error("no English sign-in page")
	}
}

// TestPasswordChangeEndsTheOtherSessions: a signed-in user changes their password with the
// current one; their other sessions end, this one goes on, and only the new password signs in.
// An admin's reset ends every session of the user.
func TestPasswordChangeEndsTheOtherSessions(t *testing.T) {
	e := newEnv(t)
	const old, fresh = "mật khẩu cũ dài 2026", "mật khẩu mới dài 2026"
	name := e.addUser("doi", account.RoleViewer, old)
	here, elsewhere := e.mustSignIn(name, old), e.mustSignIn(name, old)
	status, _, page := e.get("/account/password", "Cookie", "hl_session="+here)
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("password page: %d", status)
	}
	change := func(current, next, confirm string) (int, string) {
		form := url.Values{"csrf": {m[1]}, "current": {current}, "password": {next}, "confirm": {confirm}}
		st, hdr, body := e.post("/account/password", "application/x-www-form-urlencoded", form.Encode(), "Cookie", "hl_session="+here)
		return st, hdr.Get("Location") + body
	}
	for _, tc := range []struct{ current, next, confirm, says string }{
		{"sai rồi đấy nhé", fresh, fresh, "không đúng"},
		{old, fresh, fresh + "x", "không giống"},
		{old, "ngắn", "ngắn", "10"},
	} {
		if st, body := change(tc.current, tc.next, tc.confirm); st != http.StatusUnprocessableEntity || !strings.Contains(body, tc.says) {
			t.Errorf("change %+v: %d, want 422 saying %q", tc, st, tc.says)
		}
	}
	if !e.signedIn(elsewhere) {
		t.Fatal("a refused change ended a session")
	}
	if st, body := change(old, fresh, fresh); st != http.StatusSeeOther || !strings.HasPrefix(body, "/account/password?done=1") {
		t.Fatalf("change: %d %.200s", st, body)
	}
	if !e.signedIn(here) || e.signedIn(elsewhere) {
		t.Fatalf("after the change: this session live %v, the other %v; want true, false", e.signedIn(here), e.signedIn(elsewhere))
	}
	if st, _, _ := e.signIn(name, old, ""); st != http.StatusUnauthorized {
		t.Fatalf("the old password: %d, want 401", st)
	}
	mine := e.mustSignIn(name, fresh)

	a := e.signInAdmin()
	a.post("/admin/users/password", url.Values{"name": {name}, "password": {"ngắn"}}, http.StatusUnprocessableEntity)
	a.post("/admin/users/password", url.Values{"name": {name}, "password": {"mật khẩu quản trị đặt 2026"}}, http.StatusSeeOther)
	if e.signedIn(here) || e.signedIn(mine) {
		t.Fatal("an admin's reset left the user's sessions live")
	}
	e.mustSignIn(name, "mật khẩu quản trị đặt 2026")
	if _, _, page := a.get("/admin"); !strings.Contains(page, "Đặt lại mật khẩu") {
		t.Fatal("the reset is not in the audit list")
	}
}
