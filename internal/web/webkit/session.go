package webkit

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
)

// SessionCookie carries a signed-in staff member's session token: sign-in sets it, the access
// guard reads it.
const SessionCookie = "hl_session"

// SetSignedIn remembers the request's signed-in user and session, for CurrentUser and CSRFToken.
// The access guard calls it once the session is checked.
func SetSignedIn(c *fiber.Ctx, u *account.User, sess *account.Session) {
	c.Locals("user", u)
	c.Locals("session", sess)
}

// CurrentUser is the signed-in user, or nil outside the guard's session check.
func CurrentUser(c *fiber.Ctx) *account.User {
	u, _ := c.Locals("user").(*account.User)
	return u
}

// CSRFToken is the session's CSRF token, for the hidden csrf field of a page's forms.
func CSRFToken(c *fiber.Ctx) string {
	if sess, ok := c.Locals("session").(*account.Session); ok {
		return sess.CSRF
	}
	return ""
}

// SameToken compares a sent token with the expected one in constant time; empty never matches.
func SameToken(want, sent string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(sent)) == 1
}

// SecureCookies reports whether cookies are marked Secure: when the service's base URL is
// HTTPS, whatever a request's X-Forwarded-Proto says.
func (s Base) SecureCookies() bool { return strings.HasPrefix(s.BaseURL, "https://") }

// SetCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the service is served over
// HTTPS; ttl 0 deletes it.
func (s Base) SetCookie(c *fiber.Ctx, name, value, path string, ttl time.Duration) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: path, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.SecureCookies(),
	}
	if ttl > 0 {
		ck.MaxAge = int(ttl.Seconds())
	} else {
		ck.Expires = time.Unix(1, 0)
	}
	c.Cookie(ck)
}
