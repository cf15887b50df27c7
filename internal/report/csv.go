package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// utf8BOM lets Excel recognise the file as UTF-8 and show Vietnamese diacritics.
const utf8BOM = "\uFEFF"

var csvHeader = []survey.Text{
	survey.Msg("report.group"),
	survey.Msg("report.responses"),
	survey.Msg("report.satisfied"),
	survey.Msg("report.satisfaction"),
	survey.Msg("report.ci"),
	survey.Msg("report.target"),
	survey.Msg("report.status"),
	survey.Msg("report.response_rate"),
	survey.Msg("report.dossier_ratio"),
	survey.Msg("report.rate_status"),
	survey.Msg("report.sipas_index"),
	survey.Msg("report.on_time"),
	survey.Msg("report.online_share"),
	survey.Msg("report.returns_once"),
	survey.Msg("report.returns_more"),
	survey.Msg("report.complaints"),
	survey.Msg("report.payment"),
}

// WriteCSV writes res as a spreadsheet-ready CSV in lang ("vi" unless "en"): the overall row
// first, then one row per group, numbers formatted as people in that language read them.
func WriteCSV(w io.Writer, res stats.Result, lang string) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	rows := [][]string{texts(csvHeader, lang), csvRow(res.Overall, overallLabel.In(lang), lang)}
	for _, g := range res.Groups {
		rows = append(rows, csvRow(g, groupLabel(g), lang))
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, row := range rows {
		guardRow(row)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// csvRow is one group as text; a hidden group shows only its label and why it is hidden.
func csvRow(g stats.Group, label, lang string) []string {
	if g.Hidden {
		return []string{label, dash, dash, dash, dash, dash, hiddenNote.In(lang), dash, dash, dash, dash, dash, dash, dash, dash, dash, dash}
	}
	r := g.Returns
	return []string{
		label,
		countText(g.Responses, lang),
		countText(g.Satisfied, lang),
		satisfactionText(g, lang),
		intervalText(g, lang),
		optPercentText(g.Target, lang),
		StatusWord(g.Status, lang),
		optPercentText(g.ResponseRate, lang),
		optPercentText(g.DossierRatio, lang),
		StatusWord(stats.RateStatus(g.Figure), lang),
		optPercentText(g.SIPASIndex, lang),
		optPercentText(g.OnTimeShare, lang),
		optPercentText(g.OnlineShare, lang),
		shareText(r.Once, r.Respondents, lang),
		shareText(r.TwiceOrMore, r.Respondents, lang),
		countText(g.Complaints, lang),
		countText(g.Payment, lang),
	}
}

// shareText is part ÷ whole as a percentage, a dash when whole is 0.
func shareText(part, whole int64, lang string) string {
	if whole <= 0 {
		return dash
	}
	return percentText(float64(part)/float64(whole), lang)
}

// satisfactionText is a dash when there is nothing to divide.
func satisfactionText(g stats.Group, lang string) string {
	if g.Responses == 0 {
		return dash
	}
	return percentText(g.Satisfaction, lang)
}

// intervalText is the 95% interval as "80,1% – 92,3%".
func intervalText(g stats.Group, lang string) string {
	if g.Responses == 0 {
		return dash
	}
	return percentText(g.CILow, lang) + " – " + percentText(g.CIHigh, lang)
}

// guardRow defuses cells a spreadsheet would run as a formula (CSV injection).
func guardRow(row []string) {
	for i, s := range row {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			row[i] = "'" + s
		}
	}
}
