package web

import (
	"errors"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
)

type codeData struct {
	pageData
	Code, Error string
}

// codePage handles GET /s: the form for typing a short code.
func (s *Server) codePage(c *fiber.Ctx) error {
	return s.render(c, "code", codeData{pageData: s.page(c, s.pages.t(lang(c), "code.title"))})
}

// codeSubmit handles POST /s: a valid short code leads to its survey. Attempts are rate limited
// per client so codes cannot be enumerated.
func (s *Server) codeSubmit(c *fiber.Ctx) error {
	form, err := formValues(c)
	if err != nil {
		return err
	}
	typed := form.Get("code")
	code := survey.NormalizeShortCode(typed)
	l := lang(c)
	if code == "" {
		return s.codeError(c, typed, s.pages.t(l, "code.invalid"), fiber.StatusUnprocessableEntity)
	}
	t, err := s.Tickets.TicketByShortCode(c.UserContext(), code)
	if errors.Is(err, survey.ErrTicketNotFound) {
		return s.codeError(c, typed, s.pages.t(l, "notfound.body"), fiber.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?lang="+l, fiber.StatusSeeOther)
}

func (s *Server) codeError(c *fiber.Ctx, typed, msg string, status int) error {
	if len(typed) > 20 || !utf8.ValidString(typed) {
		typed = ""
	}
	return s.render(c.Status(status), "code", codeData{pageData: s.page(c, s.pages.t(lang(c), "code.title")), Code: typed, Error: msg})
}

func utf8ValidString(s string) bool { return utf8.ValidString(s) }
