// Package signin serves staff sign-in and sign-out: the form, the password check with its rate
// limits, and the session cookie the access guard then reads.
package signin

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// Handler serves staff sign-in and sign-out.
type Handler struct {
	webkit.Base
	Guard    Guard
	Users    account.UserStore
	Failures account.SignInFailureStore
	Sessions account.SessionStore
	Audit    account.AuditStore
	Limit    redisstore.Limit // sign-in attempts per client
	// MailOn says e-mail is configured; the account page says so when it is not.
	MailOn bool
}

// Guard is what sign-in asks of the access guard.
type Guard interface {
	// SignedIn reports whether the request carries a live session of an enabled user.
	SignedIn(c *fiber.Ctx) bool
	// ClientKey is the salted hash standing for the client's IP.
	ClientKey(c *fiber.Ctx) string
	// Allow takes one attempt for key under limit, or answers 429 with Retry-After.
	Allow(c *fiber.Ctx, key string, limit redisstore.Limit) error
}

// hl_pre carries the sign-in form's CSRF token before a session exists (double-submit: the
// form must echo it).
const (
	preCookie    = "hl_pre"
	preCookieTTL = 2 * time.Hour
)

// signInData is what the sign-in form shows.
type signInData struct {
	webkit.PageData
	Name, Next, CSRF, Error string
}

// Page handles GET /signin; a user already signed in goes straight on.
func (h *Handler) Page(c *fiber.Ctx) error {
	if c.Cookies(webkit.SessionCookie) != "" && h.Guard.SignedIn(c) {
		return c.Redirect(landing(c.Query("next")), fiber.StatusSeeOther)
	}
	return h.renderSignIn(c, fiber.StatusOK, c.Query("next"), "", "")
}

// Submit handles POST /signin. Attempts are limited per client; an account name's failures
// slow its next attempts (account.SignInFailures), and an unknown name fails exactly like a
// wrong password, in the same time.
func (h *Handler) Submit(c *fiber.Ctx) error {
	if err := h.Guard.Allow(c, "signin:"+h.Guard.ClientKey(c), h.Limit); err != nil {
		return err
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	next, l := form.Get("next"), webkit.Lang(c)
	name := strings.ToLower(strings.TrimSpace(form.Get("name")))
	if !webkit.SameToken(c.Cookies(preCookie), form.Get("csrf")) {
		return h.renderSignIn(c, fiber.StatusForbidden, next, name, i18n.T(l, "signin.expired"))
	}
	failures, err := h.failuresOf(c, name)
	if err != nil {
		return err
	}
	u, err := h.checkPassword(c, name, form.Get("password"))
	if err != nil {
		return err
	}
	if u == nil {
		if err := h.failed(c, name, failures); err != nil {
			return err
		}
		return h.renderSignIn(c, fiber.StatusUnauthorized, next, name, i18n.T(l, "signin.failed"))
	}
	if failures.Count > 0 {
		if err := h.Failures.ClearSignInFailures(c.UserContext(), name); err != nil {
			return err
		}
	}
	return h.startSession(c, u, next)
}

// failuresOf returns name's recent failed sign-ins, answering 429 with Retry-After while the
// delay they earned runs.
func (h *Handler) failuresOf(c *fiber.Ctx, name string) (account.SignInFailures, error) {
	if !account.ValidUserName(name) {
		return account.SignInFailures{}, nil
	}
	f, err := h.Failures.SignInFailures(c.UserContext(), name)
	if err != nil {
		return f, err
	}
	now := h.Now()
	if wait := f.Wait(now); wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return f, survey.ErrRateLimited
	}
	return f.Current(now), nil
}

// failed counts one more failed sign-in as name; every few in a row go to the audit trail.
func (h *Handler) failed(c *fiber.Ctx, name string, f account.SignInFailures) error {
	if !account.ValidUserName(name) {
		return nil
	}
	f.Count++
	f.Last = h.Now().UTC()
	ctx := c.UserContext()
	if err := h.Failures.SetSignInFailures(ctx, name, f); err != nil {
		return err
	}
	if f.Count%account.AuditSignInFailuresEvery != 0 {
		return nil
	}
	entry := account.AuditEntry{At: f.Last, Action: "signin.failed", Target: name,
		Detail: fmt.Sprintf("%d in a row, the last from client %s", f.Count, h.Guard.ClientKey(c))}
	return h.Audit.Record(ctx, entry)
}

// dummyHash is verified for unknown names so they take as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := account.Hash("hài lòng: không có tài khoản này")
	return h
})

// checkPassword returns the enabled account called name if password is its password, else nil.
func (h *Handler) checkPassword(c *fiber.Ctx, name, password string) (*account.User, error) {
	var u *account.User
	if account.ValidUserName(name) {
		got, err := h.Users.UserByName(c.UserContext(), name)
		if err != nil && !errors.Is(err, account.ErrUserNotFound) {
			return nil, err
		}
		u = got
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := account.Verify(hash, password)
	if err != nil {
		h.Log.Error("unreadable password hash", "user", name, "err", err)
	}
	if !ok || u == nil || u.Disabled {
		h.Log.Info("sign-in refused", "client", h.Guard.ClientKey(c))
		return nil, nil
	}
	return u, nil
}

// startSession signs u in with a new session (a token the browser sent is never reused, so a
// planted cookie cannot fix the session), records it and goes on to next.
func (h *Handler) startSession(c *fiber.Ctx, u *account.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(webkit.SessionCookie); old != "" {
		if err := h.Sessions.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	token, _, err := h.Sessions.CreateSession(ctx, u.Name, account.SessionTTL)
	if err != nil {
		return err
	}
	entry := account.AuditEntry{At: h.Now().UTC(), User: u.Name, Action: "signin", Target: u.Name, Detail: "client " + h.Guard.ClientKey(c)}
	if err := h.Audit.Record(ctx, entry); err != nil {
		_ = h.Sessions.DeleteSession(ctx, token)
		return err
	}
	h.SetCookie(c, webkit.SessionCookie, token, "/", account.SessionTTL)
	h.SetCookie(c, preCookie, "", "/signin", 0)
	return c.Redirect(landing(next), fiber.StatusSeeOther)
}

// landing is where signing in leads: next when it is safe, else the dashboard.
func landing(next string) string {
	if next = safeNext(next); next != "" {
		return next
	}
	return "/dashboard"
}

// SignOut handles POST /signout: it ends the session and forgets the cookie.
func (h *Handler) SignOut(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if err := h.Sessions.DeleteSession(ctx, c.Cookies(webkit.SessionCookie)); err != nil {
		return err
	}
	h.SetCookie(c, webkit.SessionCookie, "", "/", 0)
	if u := webkit.CurrentUser(c); u != nil {
		entry := account.AuditEntry{At: h.Now().UTC(), User: u.Name, Action: "signout", Target: u.Name}
		if err := h.Audit.Record(ctx, entry); err != nil {
			h.Log.Warn("audit sign-out", "err", err)
		}
	}
	return c.Redirect("/signin", fiber.StatusSeeOther)
}

// renderSignIn shows the sign-in form with a pre-session CSRF token.
func (h *Handler) renderSignIn(c *fiber.Ctx, status int, next, name, msg string) error {
	l := webkit.Lang(c)
	d := signInData{PageData: h.PageFor(c, i18n.T(l, "signin.title")), Name: name, Next: safeNext(next), CSRF: h.preToken(c), Error: msg}
	if d.Next != "" {
		d.LangSwitch += "&next=" + url.QueryEscape(d.Next)
	}
	if len(name) > 64 {
		d.Name = ""
	}
	return h.Render(c.Status(status), "signin", d)
}

// preToken returns the browser's sign-in CSRF token, setting a new one when it has none.
func (h *Handler) preToken(c *fiber.Ctx) string {
	if t := c.Cookies(preCookie); len(t) == 43 {
		return t
	}
	t := newToken()
	h.SetCookie(c, preCookie, t, "/signin", preCookieTTL)
	return t
}

// safeNext returns next when it is a path on this site, or "" (e.g. for //evil.example or
// https://evil.example, which would send the user elsewhere after signing in).
func safeNext(next string) string {
	if len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

// newToken returns 256 random bits in base64url.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
