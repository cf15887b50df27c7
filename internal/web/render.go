package web

import (
	"bytes"
	"fmt"
	"html/template"
	"log/slog"
	"io/fs"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/public"
)

// renderer holds the parsed page templates; the texts come from the i18n catalogue.
type renderer struct {
	pages map[string]*template.Template
}

func newRenderer() (*renderer, error) {
	r := &renderer{pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"t": r.t, "tx": func(lang string, t survey.Text) string { return t.In(lang) }, "checked": checked,
		"status": report.StatusWord, "pct": stats.Percent, "pctp": percentOrDash, "num": stats.FormatInt,
		"drill": drillLink, "list": func(s ...string) []string { return s },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}, "date": stats.FormatDate, "itoa": itoa,
		"ptr": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
	}
	names, err := fs.Glob(public.FS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if strings.HasSuffix(n, "/layout.html") {
			continue
		}
		t, err := template.New("").Funcs(funcs).ParseFS(public.FS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		r.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return r, nil
}

// t translates key into lang, falling back to Vietnamese and then to the key itself.
func (r *renderer) t(lang, key string) string { return i18n.T(lang, key) }

// checked reports whether value was chosen for question id in the submitted values.
func checked(values map[string]any, id, value string) bool {
	switch v := values[id].(type) {
	case string:
		return v == value
	case []string:
		for _, x := range v {
			if x == value {
				return true
			}
		}
	}
	return false
}

// pageData is what every page template gets.
type pageData struct {
	Lang       string
	Title      string
	LangSwitch string
}

// base is what every page handler shares: the page renderer, the log, the clock and the
// service's public URL.
type base struct {
	pages   *renderer
	log     *slog.Logger
	now     func() time.Time
	baseURL string
}

// render writes page name with data as HTML.
func (s base) render(c *fiber.Ctx, name string, data any) error {
	t, ok := s.pages.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

type messageData struct {
	pageData
	Kind, Body   string
	ShowCodeLink bool
}

// renderMessage shows a one-message page (thanks, already rated, expired, errors).
func (s base) renderMessage(c *fiber.Ctx, kind, title, body string) error {
	l := lang(c)
	return s.render(c, "message", messageData{
		pageData:     s.pageFor(c, title),
		Kind:         kind,
		Body:         body,
		ShowCodeLink: kind != "thanks" && kind != "rated" && l != "",
	})
}

func (s base) pageFor(c *fiber.Ctx, title string) pageData {
	l := lang(c)
	other := "en"
	if l == "en" {
		other = "vi"
	}
	return pageData{Lang: l, Title: title, LangSwitch: c.Path() + "?lang=" + other}
}

// lang picks the page language: ?lang= or a form's lang field, then Accept-Language, then Vietnamese.
func lang(c *fiber.Ctx) string {
	for _, v := range []string{c.Query("lang"), formLang(c)} {
		if v == "vi" || v == "en" {
			return v
		}
	}
	if c.AcceptsLanguages("vi", "en") == "en" {
		return "en"
	}
	return "vi"
}

func formLang(c *fiber.Ctx) string {
	if c.Method() != fiber.MethodPost || !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationForm) {
		return ""
	}
	return c.FormValue("lang")
}
