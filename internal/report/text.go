// Package report turns stats answers into files managers keep and send on: CSV and Excel
// exports of one stats answer, and the periodic workbook for the Home Affairs office.
package report

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// dash stands for a value that is absent or not shown.
const dash = stats.NotANumber

var (
	overallLabel = survey.Msg("report.overall")
	hiddenNote   = survey.Msg("report.hidden")
)

// statusWords names every figure status; a colour is never the only sign of a status.
var statusWords = map[string]survey.Text{
	stats.StatusMeets:        survey.Msg("status.meets"),
	stats.StatusBelow:        survey.Msg("status.below"),
	stats.StatusLikelyBelow:  survey.Msg("status.likely_below"),
	stats.StatusInsufficient: survey.Msg("status.insufficient"),
}

// english reports whether lang asks for English; everything else is Vietnamese.
func english(lang string) bool { return lang == "en" || strings.HasPrefix(lang, "en-") }

// StatusWord names status in lang, on pages and in files alike; "none" and unknown statuses
// are a dash.
func StatusWord(status, lang string) string {
	if w, ok := statusWords[status]; ok {
		return w.In(lang)
	}
	return dash
}

// groupLabel is the name a group is shown under: its label, else its key.
func groupLabel(g stats.Group) string {
	if g.Label != "" {
		return g.Label
	}
	if g.Key != "" {
		return g.Key
	}
	return dash
}

// localNumber turns Vietnamese number text ("1.234,5") into lang's ("1,234.5" for English).
func localNumber(s, lang string) string {
	if !english(lang) {
		return s
	}
	return stats.InEnglish(s)
}

// percentText formats the fraction p with one decimal in lang ("87,5%" / "87.5%").
func percentText(p float64, lang string) string {
	return localNumber(stats.Percent(p), lang)
}

// optPercentText is percentText for an optional fraction, a dash when absent.
func optPercentText(p *float64, lang string) string {
	if p == nil {
		return dash
	}
	return percentText(*p, lang)
}

// countText formats n with thousands separators in lang ("1.234" / "1,234").
func countText(n int64, lang string) string { return localNumber(stats.FormatInt(n), lang) }

// rangeText is "từ 01/01/2026 đến 31/03/2026" ("" for a period without dates).
func rangeText(p stats.Period, lang string) string {
	if p.From.IsZero() || p.To.IsZero() {
		return ""
	}
	return survey.Msg("report.range", "from", stats.FormatDate(p.From), "to", stats.FormatDate(p.To)).In(lang)
}

// periodText is rangeText as a line of its own: "Từ 01/01/2026 đến 31/03/2026".
func periodText(p stats.Period, lang string) string { return capitalize(rangeText(p, lang)) }

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// texts picks every text in lang.
func texts(ts []survey.Text, lang string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(lang)
	}
	return out
}
