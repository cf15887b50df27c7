package signin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/web/webkit"
)

// profileData is what the account page shows.
type profileData struct {
	webkit.PageData
	User        *account.User
	CSRF        string
	Error, Done string
	Email       string
	MailLang    string
	Notify      account.Notify
	MailOff     bool
}

// ProfilePage handles GET /account: the user's e-mail address, its language and what they are
// mailed.
func (h *Handler) ProfilePage(c *fiber.Ctx) error {
	u := webkit.CurrentUser(c)
	done := ""
	if c.Query("done") == "1" {
		done = i18n.T(webkit.Lang(c), "account.saved")
	}
	return h.renderProfile(c, fiber.StatusOK, profileData{Email: u.Email, MailLang: u.Lang, Notify: u.Notifications(), Done: done})
}

func (h *Handler) renderProfile(c *fiber.Ctx, status int, d profileData) error {
	l := webkit.Lang(c)
	d.PageData, d.User, d.CSRF, d.MailOff = h.PageFor(c, i18n.T(l, "account.title")), webkit.CurrentUser(c), webkit.CSRFToken(c), !h.MailOn
	if d.MailLang != "en" {
		d.MailLang = "vi"
	}
	c.Status(status)
	return h.Render(c, "account", d)
}

// SaveProfile handles POST /account.
func (h *Handler) SaveProfile(c *fiber.Ctx) error {
	v, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	u := *webkit.CurrentUser(c)
	d := profileData{Email: strings.TrimSpace(v.Get("email")), MailLang: v.Get("mail_lang"),
		Notify: account.Notify{Alerts: v.Get("alerts") == "on", Reminders: v.Get("reminders") == "on", Daily: v.Get("daily") == "on", Weekly: v.Get("weekly") == "on"}}
	if d.Email != "" && cases.NormalizeEmail(d.Email) == "" {
		d.Error = i18n.T(webkit.Lang(c), "account.bad_email")
		return h.renderProfile(c, fiber.StatusUnprocessableEntity, d)
	}
	u.Email, u.Lang, u.Notify = d.Email, d.MailLang, &d.Notify
	if u.Lang != "en" {
		u.Lang = "vi"
	}
	if err := h.Users.UpdateUser(c.UserContext(), u); err != nil {
		return err
	}
	entry := account.AuditEntry{At: h.Now().UTC(), User: u.Name, Action: "account.notifications", Target: u.Name}
	if err := h.Audit.Record(c.UserContext(), entry); err != nil {
		return err
	}
	return c.Redirect("/account?done=1&lang="+webkit.Lang(c), fiber.StatusSeeOther)
}
