package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/auth"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/survey"
)

// Cookies of signed-in staff. hl_pre carries the sign-in form's CSRF token before a session
// exists (double-submit: the form must echo it).
const (
	sessionCookie = "hl_session"
	preCookie     = "hl_pre"
	preCookieTTL  = 2 * time.Hour
)

var errCSRF = survey.Errorf(survey.CodeForbidden,
	"Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại.",
	"This form has expired or is not valid. Please reload the page and try again.")

// authRoutes registers sign-in and sign-out.
func (s *Server) authRoutes(app *fiber.App) {
	app.Get("/signin", s.signInPage)
	app.Post("/signin", s.signIn)
	app.Post("/signout", s.requireSession(), s.csrf, s.signOut)
}

type signInData struct {
	pageData
	Name, Next, CSRF, Error string
}

// signInPage handles GET /signin; a user already signed in goes straight on.
func (s *Server) signInPage(c *fiber.Ctx) error {
	if c.Cookies(sessionCookie) != "" {
		if _, _, err := s.loadSession(c); err == nil {
			return c.Redirect(landing(c.Query("next")), fiber.StatusSeeOther)
		}
	}
	return s.renderSignIn(c, fiber.StatusOK, c.Query("next"), "", "")
}

// signIn handles POST /signin. Attempts are limited per client and per account, and an unknown
// name fails exactly like a wrong password, in the same time.
func (s *Server) signIn(c *fiber.Ctx) error {
	limit := redisstore.PerMinute(s.Config.Limits.SignIn)
	if err := s.allow(c, "signin:"+s.clientKey(c), limit); err != nil {
		return err
	}
	form, err := formValues(c)
	if err != nil {
		return err
	}
	next, l := form.Get("next"), lang(c)
	name := strings.ToLower(strings.TrimSpace(form.Get("name")))
	if !sameToken(c.Cookies(preCookie), form.Get("csrf")) {
		return s.renderSignIn(c, fiber.StatusForbidden, next, name, s.pages.t(l, "signin.expired"))
	}
	if survey.ValidUserName(name) {
		if err := s.allow(c, "signin-user:"+name, limit); err != nil {
			return err
		}
	}
	u, err := s.checkPassword(c, name, form.Get("password"))
	if err != nil {
		return err
	}
	if u == nil {
		return s.renderSignIn(c, fiber.StatusUnauthorized, next, name, s.pages.t(l, "signin.failed"))
	}
	return s.startSession(c, u, next)
}

// dummyHash is verified for unknown names so they take as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.Hash("hài lòng: không có tài khoản này")
	return h
})

// checkPassword returns the enabled account called name if password is its password, else nil.
func (s *Server) checkPassword(c *fiber.Ctx, name, password string) (*survey.User, error) {
	var u *survey.User
	if survey.ValidUserName(name) {
		got, err := s.Users.UserByName(c.UserContext(), name)
		if err != nil && !errors.Is(err, survey.ErrUserNotFound) {
			return nil, err
		}
		u = got
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := auth.Verify(hash, password)
	if err != nil {
		s.Log.Error("unreadable password hash", "user", name, "err", err)
	}
	if !ok || u == nil || u.Disabled {
		s.Log.Info("sign-in refused", "client", s.clientKey(c))
		return nil, nil
	}
	return u, nil
}

// startSession signs u in with a new session (a token the browser sent is never reused, so a
// planted cookie cannot fix the session), records it and goes on to next.
func (s *Server) startSession(c *fiber.Ctx, u *survey.User, next string) error {
	ctx := c.UserContext()
	if old := c.Cookies(sessionCookie); old != "" {
		if err := s.Sessions.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	token, _, err := s.Sessions.CreateSession(ctx, u.Name, survey.SessionTTL)
	if err != nil {
		return err
	}
	entry := survey.AuditEntry{At: s.Now().UTC(), User: u.Name, Action: "signin", Target: u.Name, Detail: "client " + s.clientKey(c)}
	if err := s.Audit.Record(ctx, entry); err != nil {
		_ = s.Sessions.DeleteSession(ctx, token)
		return err
	}
	s.setCookie(c, sessionCookie, token, "/", survey.SessionTTL)
	s.setCookie(c, preCookie, "", "/signin", 0)
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
func (s *Server) signOut(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if err := s.Sessions.DeleteSession(ctx, c.Cookies(sessionCookie)); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, "", "/", 0)
	if u := currentUser(c); u != nil {
		entry := survey.AuditEntry{At: s.Now().UTC(), User: u.Name, Action: "signout", Target: u.Name}
		if err := s.Audit.Record(ctx, entry); err != nil {
			s.Log.Warn("audit sign-out", "err", err)
		}
	}
	return c.Redirect("/signin", fiber.StatusSeeOther)
}

// requireSession admits a signed-in, enabled user having one of roles (any role when none are
// given). Pages send others to the sign-in form; the API answers 401.
func (s *Server) requireSession(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, sess, err := s.loadSession(c)
		if errors.Is(err, survey.ErrSessionEnded) {
			return s.signInFirst(c)
		}
		if err != nil {
			return err
		}
		if len(roles) > 0 && !slices.Contains(roles, u.Role) {
			return survey.ErrForbidden
		}
		c.Locals("user", u)
		c.Locals("session", sess)
		return c.Next()
	}
}

// loadSession loads the session of the request's cookie and its user; an ended session, or a
// deleted or disabled user, is survey.ErrSessionEnded.
func (s *Server) loadSession(c *fiber.Ctx) (*survey.User, *survey.Session, error) {
	ctx := c.UserContext()
	token := c.Cookies(sessionCookie)
	if token == "" {
		return nil, nil, survey.ErrSessionEnded
	}
	sess, err := s.Sessions.SessionByToken(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Users.UserByName(ctx, sess.User)
	if errors.Is(err, survey.ErrUserNotFound) || (err == nil && u.Disabled) {
		_ = s.Sessions.DeleteSession(ctx, token)
		return nil, nil, survey.ErrSessionEnded
	}
	return u, sess, err
}

// signInFirst answers a request without a valid session: 401 under /api/, otherwise a
// redirect to the sign-in form that comes back to the page asked for.
func (s *Server) signInFirst(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/api/") {
		return survey.ErrUnauthorized
	}
	if c.Cookies(sessionCookie) != "" {
		s.setCookie(c, sessionCookie, "", "/", 0)
	}
	target := "/signin"
	if c.Method() == fiber.MethodGet {
		target += "?next=" + url.QueryEscape(c.OriginalURL())
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// csrf refuses a state-changing request unless it carries the session's CSRF token, in the
// form field csrf or the X-CSRF-Token header. It runs after requireSession.
func (s *Server) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sent := c.Get("X-CSRF-Token")
	if sent == "" {
		sent = c.FormValue("csrf")
	}
	if !sameToken(csrfToken(c), sent) {
		return errCSRF
	}
	return c.Next()
}

// currentUser is the signed-in user, or nil outside requireSession.
func currentUser(c *fiber.Ctx) *survey.User {
	u, _ := c.Locals("user").(*survey.User)
	return u
}

// csrfToken is the session's CSRF token, for the hidden csrf field of a page's forms.
func csrfToken(c *fiber.Ctx) string {
	if sess, ok := c.Locals("session").(*survey.Session); ok {
		return sess.CSRF
	}
	return ""
}

// renderSignIn shows the sign-in form with a pre-session CSRF token.
func (s *Server) renderSignIn(c *fiber.Ctx, status int, next, name, msg string) error {
	l := lang(c)
	d := signInData{pageData: s.page(c, s.pages.t(l, "signin.title")), Name: name, Next: safeNext(next), CSRF: s.preToken(c), Error: msg}
	if d.Next != "" {
		d.LangSwitch += "&next=" + url.QueryEscape(d.Next)
	}
	if len(name) > 64 {
		d.Name = ""
	}
	return s.render(c.Status(status), "signin", d)
}

// preToken returns the browser's sign-in CSRF token, setting a new one when it has none.
func (s *Server) preToken(c *fiber.Ctx) string {
	if t := c.Cookies(preCookie); len(t) == 43 {
		return t
	}
	t := newToken()
	s.setCookie(c, preCookie, t, "/signin", preCookieTTL)
	return t
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the service is served over
// HTTPS; ttl 0 deletes it.
func (s *Server) setCookie(c *fiber.Ctx, name, value, path string, ttl time.Duration) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: path, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: strings.HasPrefix(s.Config.BaseURL, "https://"),
	}
	if ttl > 0 {
		ck.MaxAge = int(ttl.Seconds())
	} else {
		ck.Expires = time.Unix(1, 0)
	}
	c.Cookie(ck)
}

// allow takes one attempt for key under limit, or answers 429 with Retry-After.
func (s *Server) allow(c *fiber.Ctx, key string, limit redisstore.Limit) error {
	ok, wait := s.Limiter.Allow(c.UserContext(), key, limit)
	if ok {
		return nil
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(max(wait.Seconds(), 1)))))
	return survey.ErrRateLimited
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

// sameToken compares a sent token with the expected one in constant time; empty never matches.
func sameToken(want, sent string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(sent)) == 1
}

// newToken returns 256 random bits in base64url.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
