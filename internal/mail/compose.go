package mail

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"

	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/stats"
)

// content is what one e-mail says, before it is laid out as text and as HTML.
type content struct {
	Lang     string
	Subject  string
	Intro    string
	Lines    []line
	Link     string
	LinkText string
	Footer   string
	Sign     string
}

// line is one "label: value" row of the message.
type line struct{ Label, Value string }

//go:embed templates
var templates embed.FS

var (
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templates, "templates/message.txt"))
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templates, "templates/message.html"))
)

// render lays c out as plain text and as HTML.
func render(c content, lang string) (string, string, error) {
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, c); err != nil {
		return "", "", err
	}
	if err := htmlTmpl.Execute(&h, c); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}

// compose is what ev says in lang to a user scoped to unit scope ("" for all; the digests show
// only the rows of their part of the organisation).
func compose(ev *outbox.Event, lang, base, scope string, within Scope) content {
	t := func(lang, key string, args ...string) string { return i18n.Format(lang, key, args...) }
	data := ev.Fields()
	str := func(k string) string { s, _ := data[k].(string); return s }
	num := func(k string) int64 { return toInt(data[k]) }
	pct := func(k string) string { return stats.Percent(toFloat(data[k])) }
	when := func(k string) string {
		if at, ok := toTime(data[k]); ok {
			return stats.FormatDateTime(at) + " (UTC+7)"
		}
		return ""
	}
	c := content{Lang: lang, Footer: t(lang, "mail.footer")}
	caseLines := func() {
		c.Lines = []line{
			{t(lang, "mail.case_ref"), str("ref")}, {t(lang, "mail.case_kind"), t(lang, "case.kind."+str("kind"))},
			{t(lang, "mail.field"), nameOr(str("field_name"), str("field"))}, {t(lang, "mail.agency"), nameOr(str("agency_name"), str("agency"))},
			{t(lang, "mail.case_due"), when("due_at")},
		}
		if a := str("assignee"); a != "" {
			c.Lines = append(c.Lines, line{t(lang, "mail.case_assignee"), a})
		}
		c.Link, c.LinkText = base+"/cases/"+str("id"), t(lang, "mail.open_case")
	}
	switch ev.Type {
	case outbox.CaseOpened:
		c.Subject, c.Intro = t(lang, "mail.case_opened.subject", "ref", str("ref")), t(lang, "mail.case_opened.intro."+str("kind"))
		caseLines()
	case outbox.CaseDueSoon:
		c.Subject, c.Intro = t(lang, "mail.case_due_soon.subject", "ref", str("ref")), t(lang, "mail.case_due_soon.intro")
		caseLines()
	case outbox.CaseOverdue:
		c.Subject, c.Intro = t(lang, "mail.case_overdue.subject", "ref", str("ref")), t(lang, "mail.case_overdue.intro")
		caseLines()
	case outbox.CaseResolved:
		c.Subject, c.Intro = t(lang, "mail.case_resolved.subject", "ref", str("ref")), ""
		caseLines()
	case outbox.TargetBelow:
		name := nameOr(str("name"), str("key"))
		c.Subject = t(lang, "mail.target_below.subject", "name", name, "period", str("period_label"))
		c.Intro = t(lang, "mail.target_below.intro", "name", name, "period", str("period_label"))
		c.Lines = []line{
			{t(lang, "mail.satisfaction"), pct("satisfaction")}, {t(lang, "mail.target"), pct("target")},
			{t(lang, "mail.responses"), stats.FormatInt(num("responses"))},
		}
		c.Link, c.LinkText = base+"/dashboard/", t(lang, "mail.open_dashboard")
	case outbox.DigestDaily, outbox.DigestWeekly:
		key := "mail.digest_daily"
		if ev.Type == outbox.DigestWeekly {
			key = "mail.digest_weekly"
		}
		c.Subject, c.Intro = t(lang, key+".subject", "period", str("period_label")), t(lang, key+".intro", "period", str("period_label"))
		c.Lines = digestLines(data, lang, t, scope, within)
		c.Link, c.LinkText = base+"/dashboard/", t(lang, "mail.open_dashboard")
	case outbox.Invitation:
		c.Subject = t(lang, "mail.invitation.subject")
		c.Intro = t(lang, "mail.invitation.intro", "agency", nameOr(str("agency_name"), str("agency")), "dossier", str("dossier_code"))
		c.Link, c.LinkText = str("url"), t(lang, "mail.invitation.link")
		c.Footer = t(lang, "mail.invitation.footer")
	default:
		c.Subject = ev.Type
	}
	return c
}

// digestLines are a digest's figures: the whole organisation's to a user who sees it all,
// and each unit's in the user's part.
func digestLines(data map[string]any, lang string, t func(string, string, ...string) string, scope string, within Scope) []line {
	var out []line
	row := func(prefix string, m map[string]any) {
		resp, sat := toInt(m["responses"]), toInt(m["satisfied"])
		v := t(lang, "mail.digest.row", "responses", stats.FormatInt(resp), "satisfaction", "—")
		if resp > 0 {
			v = t(lang, "mail.digest.row", "responses", stats.FormatInt(resp), "satisfaction", stats.Percent(float64(sat)/float64(resp)))
		}
		v += t(lang, "mail.digest.cases", "opened", stats.FormatInt(toInt(m["cases_opened"])), "open", stats.FormatInt(toInt(m["cases_open"])), "overdue", stats.FormatInt(toInt(m["cases_overdue"])))
		out = append(out, line{prefix, v})
	}
	if scope == "" {
		if all, ok := data["all"].(map[string]any); ok {
			row(t(lang, "mail.digest.all"), all)
		}
	}
	agencies, _ := data["agencies"].([]any)
	for _, a := range agencies {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		code, _ := m["agency"].(string)
		if within(scope, code) {
			name, _ := m["name"].(string)
			row(nameOr(name, code), m)
		}
	}
	return out
}

func nameOr(name, code string) string {
	if name != "" {
		return name
	}
	return code
}

// Numbers and times in the event data come as JSON decodes them.

func toInt(v any) int64 {
	if n, ok := v.(float64); ok {
		return int64(n)
	}
	return 0
}

func toFloat(v any) float64 {
	n, _ := v.(float64)
	return n
}

func toTime(v any) (time.Time, bool) {
	s, _ := v.(string)
	at, err := time.Parse(time.RFC3339, s)
	return at, err == nil
}
