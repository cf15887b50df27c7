package signin

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/web/webkit"
)

// passwordData is what the password change form shows.
type passwordData struct {
	webkit.PageData
	User              *account.User
	CSRF, Error, Done string
	MinPassword       int
}

// PasswordPage handles GET /account/password: the form to change one's own password.
func (h *Handler) PasswordPage(c *fiber.Ctx) error {
	done := ""
	if c.Query("done") == "1" {
		done = i18n.T(webkit.Lang(c), "password.done")
	}
	return h.renderPassword(c, fiber.StatusOK, "", done)
}

// ChangePassword handles POST /account/password: with the current password, the signed-in
// user sets a new one; every other session of theirs ends (a browser left signed in elsewhere,
// or one whose password was guessed).
func (h *Handler) ChangePassword(c *fiber.Ctx) error {
	if err := h.Guard.Allow(c, "password:"+h.Guard.ClientKey(c), h.Limit); err != nil {
		return err
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	u, l := webkit.CurrentUser(c), webkit.Lang(c)
	if ok, _ := account.Verify(u.PasswordHash, form.Get("current")); !ok {
		return h.renderPassword(c, fiber.StatusUnprocessableEntity, i18n.T(l, "password.wrong"), "")
	}
	next := form.Get("password")
	if next != form.Get("confirm") {
		return h.renderPassword(c, fiber.StatusUnprocessableEntity, i18n.T(l, "password.mismatch"), "")
	}
	if err := SetPassword(c, h.Users, h.Sessions, u, next, c.Cookies(webkit.SessionCookie)); err != nil {
		if errors.Is(err, account.ErrShortPassword) {
			_, body := h.Classify(c, err)
			return h.renderPassword(c, fiber.StatusUnprocessableEntity, body.Error.Message, "")
		}
		return err
	}
	entry := account.AuditEntry{At: h.Now().UTC(), User: u.Name, Action: "password.change", Target: u.Name}
	if err := h.Audit.Record(c.UserContext(), entry); err != nil {
		return err
	}
	return c.Redirect("/account/password?done=1", fiber.StatusSeeOther)
}

// SetPassword gives u password and ends u's sessions but the one of keepToken ("": all). The
// admin's reset uses it too.
func SetPassword(c *fiber.Ctx, users account.UserStore, sessions account.SessionStore, u *account.User, password, keepToken string) error {
	if len([]rune(password)) < account.MinPasswordLength {
		return account.ErrShortPassword
	}
	hash, err := account.Hash(password)
	if err != nil {
		return account.ErrShortPassword
	}
	changed := *u
	changed.PasswordHash = hash
	if err := users.UpdateUser(c.UserContext(), changed); err != nil {
		return err
	}
	_, err = sessions.DeleteUserSessions(c.UserContext(), u.Name, keepToken)
	return err
}

func (h *Handler) renderPassword(c *fiber.Ctx, status int, msg, done string) error {
	l := webkit.Lang(c)
	return h.Render(c.Status(status), "password", passwordData{PageData: h.PageFor(c, i18n.T(l, "password.title")),
		User: webkit.CurrentUser(c), CSRF: webkit.CSRFToken(c), Error: msg, Done: done, MinPassword: account.MinPasswordLength})
}
