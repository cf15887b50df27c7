package web

import (
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/web/webkit"
)

// signIn serves staff sign-in and sign-out.
type signIn struct {
	webkit.Base
	guard    *guard
	users    account.UserStore
	sessions account.SessionStore
	audit    account.AuditStore
	limit    redisstore.Limit // sign-in attempts per client and per account
}

// signInData is what the sign-in form shows.
type signInData struct {
	webkit.PageData
	Name, Next, CSRF, Error string
}

// page handles GET /signin; a user already signed in goes straight on.
func (h *signIn) page(c *fiber.Ctx) error {
	if c.Cookies(webkit.SessionCookie) != "" {
		if _, _, err := h.guard.loadSession(c); err == nil {
			return c.Redirect(landing(c.Query("next")), fiber.StatusSeeOther)
		}
	}
	return h.renderSignIn(c, fiber.StatusOK, c.Query("next"), "", "")
}

// submit handles POST /signin. Attempts are limited per client and per account, and an unknown
// name fails exactly like a wrong password, in the same time.
func (h *signIn) submit(c *fiber.Ctx) error {
	if err := h.guard.allow(c, "signin:"+h.guard.clientKey(c), h.limit); err != nil {
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
	if account.ValidUserName(name) {
		if err := h.guard.allow(c, "signin-user:"+name, h.limit); err != nil {
			return err
		}
	}
	u, err := h.checkPassword(c, name, form.Get("password"))
	if err != nil {
		return err
	}
	if u == nil {
		return h.renderSignIn(c, fiber.StatusUnauthorized, next, name, i18n.T(l, "signin.failed"))
	}
	return h.startSession(c, u, next)
}

// dummyHash is verified for unknown names so they take as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := account.Hash("hài lòng: không có tài khoản này")
	return h
})

// checkPassword returns the enabled account called name if password is its password, else nil.
func (h *signIn) checkPassword(c *fiber.Ctx, name, password string) (*account.User, error) {
	var u *account.User
	if account.ValidUserName(name) {
		got, err := h.users.UserByName(c.UserContext(), name)
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
		h.Log.Info("sign-in refused", "client", h.guard.clientKey(c))
		return nil, nil
	}
	return u, nil
}

// startSession signs u in with a new session (a token the browser sent is never reused, so a
// planted cookie cannot fix the session), records it and goes on to next.
func (h *signIn) startSession(c *fiber.Ctx, u *account.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(webkit.SessionCookie); old != "" {
		if err := h.sessions.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	token, _, err := h.sessions.CreateSession(ctx, u.Name, account.SessionTTL)
	if err != nil {
		return err
	}
	entry := account.AuditEntry{At: h.Now().UTC(), User: u.Name, Action: "signin", Target: u.Name, Detail: "client " + h.guard.clientKey(c)}
	if err := h.audit.Record(ctx, entry); err != nil {
		_ = h.sessions.DeleteSession(ctx, token)
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

// signOut handles POST /signout: it ends the session and forgets the cookie.
func (h *signIn) signOut(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if err := h.sessions.DeleteSession(ctx, c.Cookies(webkit.SessionCookie)); err != nil {
		return err
	}
	h.SetCookie(c, webkit.SessionCookie, "", "/", 0)
	if u := webkit.CurrentUser(c); u != nil {
		entry := account.AuditEntry{At: h.Now().UTC(), User: u.Name, Action: "signout", Target: u.Name}
		if err := h.audit.Record(ctx, entry); err != nil {
			h.Log.Warn("audit sign-out", "err", err)
		}
	}
	return c.Redirect("/signin", fiber.StatusSeeOther)
}

// renderSignIn shows the sign-in form with a pre-session CSRF token.
func (h *signIn) renderSignIn(c *fiber.Ctx, status int, next, name, msg string) error {
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
func (h *signIn) preToken(c *fiber.Ctx) string {
	if t := c.Cookies(preCookie); len(t) == 43 {
		return t
	}
	t := newToken()
	h.SetCookie(c, preCookie, t, "/signin", preCookieTTL)
	return t
}
