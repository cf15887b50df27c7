package web

import (
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/redisstore"
)

// signIn serves staff sign-in and sign-out.
type signIn struct {
	base
	guard    *guard
	users    account.UserStore
	sessions account.SessionStore
	audit    account.AuditStore
	limit    redisstore.Limit // sign-in attempts per client and per account
}

// signInData is what the sign-in form shows.
type signInData struct {
	pageData
	Name, Next, CSRF, Error string
}

// page handles GET /signin; a user already signed in goes straight on.
func (h *signIn) page(c *fiber.Ctx) error {
	if c.Cookies(sessionCookie) != "" {
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
	form, err := formValues(c)
	if err != nil {
		return err
	}
	next, l := form.Get("next"), lang(c)
	name := strings.ToLower(strings.TrimSpace(form.Get("name")))
	if !sameToken(c.Cookies(preCookie), form.Get("csrf")) {
		return h.renderSignIn(c, fiber.StatusForbidden, next, name, h.pages.t(l, "signin.expired"))
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
		return h.renderSignIn(c, fiber.StatusUnauthorized, next, name, h.pages.t(l, "signin.failed"))
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
		h.log.Error("unreadable password hash", "user", name, "err", err)
	}
	if !ok || u == nil || u.Disabled {
		h.log.Info("sign-in refused", "client", h.guard.clientKey(c))
		return nil, nil
	}
	return u, nil
}

// startSession signs u in with a new session (a token the browser sent is never reused, so a
// planted cookie cannot fix the session), records it and goes on to next.
func (h *signIn) startSession(c *fiber.Ctx, u *account.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(sessionCookie); old != "" {
		if err := h.sessions.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	token, _, err := h.sessions.CreateSession(ctx, u.Name, account.SessionTTL)
	if err != nil {
		return err
	}
	entry := account.AuditEntry{At: h.now().UTC(), User: u.Name, Action: "signin", Target: u.Name, Detail: "client " + h.guard.clientKey(c)}
	if err := h.audit.Record(ctx, entry); err != nil {
		_ = h.sessions.DeleteSession(ctx, token)
		return err
	}
	h.guard.setCookie(c, sessionCookie, token, "/", account.SessionTTL)
	h.guard.setCookie(c, preCookie, "", "/signin", 0)
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
	if err := h.sessions.DeleteSession(ctx, c.Cookies(sessionCookie)); err != nil {
		return err
	}
	h.guard.setCookie(c, sessionCookie, "", "/", 0)
	if u := currentUser(c); u != nil {
		entry := account.AuditEntry{At: h.now().UTC(), User: u.Name, Action: "signout", Target: u.Name}
		if err := h.audit.Record(ctx, entry); err != nil {
			h.log.Warn("audit sign-out", "err", err)
		}
	}
	return c.Redirect("/signin", fiber.StatusSeeOther)
}

// renderSignIn shows the sign-in form with a pre-session CSRF token.
func (h *signIn) renderSignIn(c *fiber.Ctx, status int, next, name, msg string) error {
	l := lang(c)
	d := signInData{pageData: h.pageFor(c, h.pages.t(l, "signin.title")), Name: name, Next: safeNext(next), CSRF: h.preToken(c), Error: msg}
	if d.Next != "" {
		d.LangSwitch += "&next=" + url.QueryEscape(d.Next)
	}
	if len(name) > 64 {
		d.Name = ""
	}
	return h.render(c.Status(status), "signin", d)
}

// preToken returns the browser's sign-in CSRF token, setting a new one when it has none.
func (h *signIn) preToken(c *fiber.Ctx) string {
	if t := c.Cookies(preCookie); len(t) == 43 {
		return t
	}
	t := newToken()
	h.guard.setCookie(c, preCookie, t, "/signin", preCookieTTL)
	return t
}
