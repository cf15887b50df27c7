package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// utf8BOM lets Excel recognise the file as UTF-8 and show Vietnamese diacritics.
const utf8BOM = "\uFEFF"

// csvColumn is a column of the CSV: its heading, whether it holds a percentage (its heading
// then says "(%)"), and its value for a group.
type csvColumn struct {
	head    survey.Text
	percent bool
	value   func(g stats.Group) string
}

var csvColumns = []csvColumn{
	{survey.Msg("report.responses"), false, func(g stats.Group) string { return rawInt(g.Responses) }},
	{survey.Msg("report.satisfied"), false, func(g stats.Group) string { return rawInt(g.Satisfied) }},
	{survey.Msg("report.satisfaction"), true, func(g stats.Group) string { return ifAny(g, rawPercent(g.Satisfaction)) }},
	{survey.Msg("report.ci_lower"), true, func(g stats.Group) string { return ifAny(g, rawPercent(g.CILow)) }},
	{survey.Msg("report.ci_upper"), true, func(g stats.Group) string { return ifAny(g, rawPercent(g.CIHigh)) }},
	{survey.Msg("report.target"), true, func(g stats.Group) string { return optRawPercent(g.Target) }},
	{survey.Msg("report.response_rate"), true, func(g stats.Group) string { return optRawPercent(g.ResponseRate) }},
	{survey.Msg("report.dossier_ratio"), true, func(g stats.Group) string { return optRawPercent(g.DossierRatio) }},
	{survey.Msg("report.sipas_index"), true, func(g stats.Group) string { return optRawPercent(g.SIPASIndex) }},
	{survey.Msg("report.on_time"), true, func(g stats.Group) string { return optRawPercent(g.OnTimeShare) }},
	{survey.Msg("report.online_share"), true, func(g stats.Group) string { return optRawPercent(g.OnlineShare) }},
	{survey.Msg("report.returns_once"), true, func(g stats.Group) string { return rawShare(g.Returns.Once, g.Returns.Respondents) }},
	{survey.Msg("report.returns_more"), true, func(g stats.Group) string { return rawShare(g.Returns.TwiceOrMore, g.Returns.Respondents) }},
	{survey.Msg("report.complaints"), false, func(g stats.Group) string { return rawInt(g.Complaints) }},
	{survey.Msg("report.payment"), false, func(g stats.Group) string { return rawInt(g.Payment) }},
}

// handColumns set a group's tickets issued by hand on the counter form beside the rest, as the
// managers' dashboard does when grouped by counter.
var handColumns = []csvColumn{
	{survey.Msg("report.hand_tickets"), false, hand(func(h *stats.HandIssued) string { return rawInt(h.Tickets) })},
	{survey.Msg("report.hand_share"), true, hand(func(h *stats.HandIssued) string { return optRawPercent(h.Share) })},
	{survey.Msg("report.hand_sat"), true, hand(func(h *stats.HandIssued) string { return optRawPercent(h.Satisfaction) })},
	{survey.Msg("report.hand_other"), true, hand(func(h *stats.HandIssued) string { return optRawPercent(h.OtherSatisfaction) })},
	{survey.Msg("report.hand_same"), false, hand(func(h *stats.HandIssued) string { return rawInt(h.SameClient) })},
}

// hand is the column value v of a group's hand-issued figures, empty for a group without them.
func hand(v func(*stats.HandIssued) string) func(stats.Group) string {
	return func(g stats.Group) string {
		if g.Hand == nil {
			return ""
		}
		return v(g.Hand)
	}
}

// CSVOptions choose the CSV's optional columns.
type CSVOptions struct {
	// HandIssued adds the tickets issued by hand on the counter form, beside the rest: for
	// managers, as their dashboard shows them.
	HandIssued bool
}

// WriteCSV writes res as data for a spreadsheet, headed in lang ("vi" unless "en"): UTF-8 with a
// BOM so Excel reads the diacritics, the period's dates as ISO 8601, raw numbers with a dot
// decimal (percentages as 87.5, empty where there is none), and the verdicts in words. The
// overall row comes first, then one row per group.
func WriteCSV(w io.Writer, res stats.Result, lang string, opts ...CSVOptions) error {
	cols := csvColumns
	for _, o := range opts {
		if o.HandIssued {
			cols = append(slices.Clip(cols), handColumns...)
		}
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	head := []string{survey.Msg("report.group").In(lang), survey.Msg("report.from").In(lang), survey.Msg("report.to").In(lang)}
	for _, col := range cols {
		h := col.head.In(lang)
		if col.percent {
			h += " (%)"
		}
		head = append(head, h)
	}
	head = append(head, survey.Msg("report.status").In(lang), survey.Msg("report.rate_status").In(lang))
	rows := [][]string{head, csvRow(res, cols, res.Overall, overallLabel.In(lang), lang)}
	for _, g := range res.Groups {
		rows = append(rows, csvRow(res, cols, g, groupLabel(g), lang))
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

// csvRow is one group of res; a hidden group has only its label, dates and why it is hidden.
func csvRow(res stats.Result, cols []csvColumn, g stats.Group, label, lang string) []string {
	row := []string{label, res.From.String(), res.To.String()}
	for _, col := range cols {
		if g.Hidden {
			row = append(row, "")
			continue
		}
		row = append(row, col.value(g))
	}
	if g.Hidden {
		return append(row, hiddenNote.In(lang), "")
	}
	return append(row, statusCell(g.Status, lang), statusCell(stats.RateStatus(g.Figure), lang))
}

// statusCell is the verdict in words, empty when there is none (no target).
func statusCell(status, lang string) string {
	if w := StatusWord(status, lang); w != dash {
		return w
	}
	return ""
}

// rawInt is n as plain digits.
func rawInt(n int64) string { return strconv.FormatInt(n, 10) }

// rawPercent is the fraction p as a percentage with at most two decimals and a dot: 0.875 → 87.5.
func rawPercent(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return ""
	}
	return strconv.FormatFloat(math.Round(p*10000)/100, 'f', -1, 64)
}

// optRawPercent is rawPercent for an optional fraction, empty when absent.
func optRawPercent(p *float64) string {
	if p == nil {
		return ""
	}
	return rawPercent(*p)
}

// rawShare is part ÷ whole as rawPercent, empty when whole is 0.
func rawShare(part, whole int64) string {
	if whole <= 0 {
		return ""
	}
	return rawPercent(float64(part) / float64(whole))
}

// ifAny is s when g has responses, empty otherwise.
func ifAny(g stats.Group, s string) string {
	if g.Responses == 0 {
		return ""
	}
	return s
}

// guardRow defuses cells a spreadsheet would run as a formula (CSV injection).
func guardRow(row []string) {
	for i, s := range row {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			row[i] = "'" + s
		}
	}
}
