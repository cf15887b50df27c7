// Package webkit is what every audience's handlers share: page rendering and the language
// choice, the error answer, request decoding, the signed-in user, the audit trail and tickets.
package webkit

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/public"
)

// Renderer holds the parsed page templates; the texts come from the i18n catalogue. English
// pages are parsed apart, with number functions that write 1,234.5 instead of 1.234,5.
type Renderer struct {
	pages, english map[string]*template.Template
}

// NewRenderer parses every page template, with the shared template functions and extra, the
// functions that only some audience's pages use.
func NewRenderer(extra template.FuncMap) (*Renderer, error) {
	r := &Renderer{pages: map[string]*template.Template{}, english: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"t": i18n.T, "tx": func(lang string, t survey.Text) string { return t.In(lang) }, "checked": checked, "face": Face,
		"status": report.StatusWord, "pct": stats.Percent, "pctp": percentOrDash, "num": stats.FormatInt,
		"list": func(s ...string) []string { return s }, "named": named,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}, "date": stats.FormatDate, "datetime": stats.FormatDateTime, "datetimep": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return stats.FormatDateTime(*t)
		}, "share": share, "prepend": prependRow, "deref": func(p *float64) float64 { return *p }, "itoa": strconv.Itoa,
		"ptr": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
	}
	for k, f := range extra {
		funcs[k] = f
	}
	english := template.FuncMap{}
	for k, f := range funcs {
		if numeric[k] {
			english[k] = inEnglish(f)
		}
	}
	names, err := fs.Glob(public.FS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if strings.HasSuffix(n, "/layout.html") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		for _, set := range []struct {
			pages map[string]*template.Template
			funcs []template.FuncMap
		}{{r.pages, []template.FuncMap{funcs}}, {r.english, []template.FuncMap{funcs, english}}} {
			t := template.New("")
			for _, fm := range set.funcs {
				t = t.Funcs(fm)
			}
			if set.pages[name], err = t.ParseFS(public.FS, "templates/layout.html", n); err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", n, err)
			}
		}
	}
	return r, nil
}

// numeric names the template functions that write numbers, which English pages swap.
var numeric = map[string]bool{"pct": true, "pctp": true, "num": true, "share": true, "points": true}

// inEnglish wraps a number-writing template function so its text reads the English way.
func inEnglish(f any) any {
	switch f := f.(type) {
	case func(float64) string:
		return func(p float64) string { return stats.InEnglish(f(p)) }
	case func(*float64) string:
		return func(p *float64) string { return stats.InEnglish(f(p)) }
	case func(int64) string:
		return func(n int64) string { return stats.InEnglish(f(n)) }
	case func(int64, int64) string:
		return func(a, b int64) string { return stats.InEnglish(f(a, b)) }
	case func(stats.Group, stats.Group) string:
		return func(a, b stats.Group) string { return stats.InEnglish(f(a, b)) }
	}
	panic(fmt.Sprintf("webkit: no English form for template function %T", f))
}

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

// named is the text of prefix+code in lang ("scope.stats:read" → "Đọc số liệu"), or the code
// itself when the catalogue has no name for it.
func named(lang, prefix, code string) string {
	if v := i18n.T(lang, prefix+code); v != prefix+code {
		return v
	}
	return code
}

func percentOrDash(p *float64) string {
	if p == nil {
		return "—"
	}
	return stats.Percent(*p)
}

// PageData is what every page template gets.
type PageData struct {
	Lang       string
	Title      string
	LangSwitch string
	Agency     AgencyMark // the centre's name and emblem in the header; empty until set in /admin
}

// PageLang is the page's language, which picks the number format.
func (p PageData) PageLang() string { return p.Lang }

// AgencyMark is how the centre shows itself at the top of every page.
type AgencyMark struct {
	Name    string
	Hotline string
	Logo    string // the emblem's URL, "" without one
}

// Base is what every page handler shares: the page renderer, the log, the clock and the
// service's public URL.
type Base struct {
	Pages   *Renderer
	Log     *slog.Logger
	Now     func() time.Time
	BaseURL string
	// Identity is the centre's identity set in /admin; nil shows none.
	Identity *org.Identities
}

// Today is the centre's date by the handlers' clock.
func (s Base) Today() stats.Date { return stats.DateOf(s.Now()) }

// Render writes page name with data as HTML.
func (s Base) Render(c *fiber.Ctx, name string, data any) error {
	pages := s.Pages.pages
	if pd, ok := data.(interface{ PageLang() string }); ok && pd.PageLang() == "en" {
		pages = s.Pages.english
	}
	t, ok := pages[name]
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
	PageData
	Kind, Body   string
	ShowCodeLink bool
	Staff        *staffLinks // instead of the code link, on an error shown to staff
}

// staffLinks are the staff pages an error page offers a signed-in staff member.
type staffLinks struct{ Counter, Dashboard bool }

// RenderMessage shows a one-message page (thanks, already rated, expired, errors).
func (s Base) RenderMessage(c *fiber.Ctx, kind, title, body string) error {
	return s.renderMessage(c, kind, title, body, nil)
}

func (s Base) renderMessage(c *fiber.Ctx, kind, title, body string, staff *staffLinks) error {
	l := Lang(c)
	return s.Render(c, "message", messageData{
		PageData:     s.PageFor(c, title),
		Kind:         kind,
		Body:         body,
		ShowCodeLink: staff == nil && kind != "thanks" && kind != "rated" && l != "",
		Staff:        staff,
	})
}

// staffLinksFor is what an error page offers the request's sender when it comes from staff: the
// signed-in user's pages when the guard has loaded them, or, when only the session cookie hints
// at staff (the guard refused the user's role before naming them), the counter and the
// dashboard, which check access themselves. Citizens carry no session cookie and get nil.
func staffLinksFor(c *fiber.Ctx) *staffLinks {
	if u := CurrentUser(c); u != nil {
		return &staffLinks{Counter: u.Role != account.RoleViewer, Dashboard: true}
	}
	if c.Cookies(SessionCookie) != "" {
		return &staffLinks{Counter: true, Dashboard: true}
	}
	return nil
}

// PageFor is the page data of a page titled title, with the link to the other language.
func (s Base) PageFor(c *fiber.Ctx, title string) PageData {
	l := Lang(c)
	other := "en"
	if l == "en" {
		other = "vi"
	}
	return PageData{Lang: l, Title: title, LangSwitch: LocalPath(c.Path()) + "?lang=" + other, Agency: s.agencyMark(c)}
}

// agencyMark is the header's name, hotline and emblem link; the link changes with each upload,
// so the emblem can be cached for good.
func (s Base) agencyMark(c *fiber.Ctx) AgencyMark {
	id := s.Identity.Get(c.UserContext())
	m := AgencyMark{Name: id.Name, Hotline: id.Hotline}
	if len(id.Logo) > 0 {
		m.Logo = LogoPath + "?v=" + strconv.FormatInt(id.UpdatedAt.Unix(), 36)
	}
	return m
}

// LogoPath is where the centre's emblem is served.
const LogoPath = "/emblem"

// LocalPath is path as a link on this site: a path such as "//evil.example/x" or "/\evil.example"
// would send a browser to another host, so leading slashes and backslashes become one slash.
func LocalPath(path string) string {
	return "/" + strings.TrimLeft(path, "/\\")
}

// Lang picks the page language: ?lang= or a form's lang field, then (except on the pages
// VietnameseFirst marks) Accept-Language, then Vietnamese.
func Lang(c *fiber.Ctx) string {
	for _, v := range []string{c.Query("lang"), formLang(c)} {
		if v == "vi" || v == "en" {
			return v
		}
	}
	if c.Locals(vietnameseFirst) == nil && c.AcceptsLanguages("vi", "en") == "en" {
		return "en"
	}
	return "vi"
}

type localKey int

const vietnameseFirst localKey = iota

// VietnameseFirst makes the citizen's and the kiosk's pages Vietnamese whatever the device's
// language, as the slip and the counter are: English only when chosen with the switch.
func VietnameseFirst(c *fiber.Ctx) error {
	c.Locals(vietnameseFirst, true)
	return c.Next()
}

func formLang(c *fiber.Ctx) string {
	if c.Method() != fiber.MethodPost || !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationForm) {
		return ""
	}
	return c.FormValue("lang")
}

// share is part ÷ whole as a percentage, for counts shown with their share.
func share(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	return stats.Percent(float64(part) / float64(whole))
}

// prependRow puts the overall row of the follow-up figures before its groups.
func prependRow(first cases.Row, rest []cases.Row) []cases.Row {
	return append([]cases.Row{first}, rest...)
}
