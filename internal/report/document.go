package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Draft is what a manager writes into a periodic report: the number it is issued under and the
// sections the figures cannot write (II. Tồn tại, hạn chế; III. Nguyên nhân; IV. Giải pháp,
// kiến nghị). One draft is kept per scope and period.
type Draft struct {
	Number       string // the number before "/BC-…", given when the document is issued
	Shortcomings string // II
	Causes       string // III
	Solutions    string // IV
	UpdatedAt    time.Time
	UpdatedBy    string
}

// Draft limits: a section fits a few pages, a number a few characters.
const (
	MaxDraftSection = 20000
	MaxDraftNumber  = 20
)

var errDraft = survey.Errorf(survey.CodeInvalid, "error.report_draft")

// Validate checks the draft's lengths.
func (d Draft) Validate() error {
	if len([]rune(d.Number)) > MaxDraftNumber || strings.ContainsAny(d.Number, "\r\n/") {
		return errDraft
	}
	for _, s := range []string{d.Shortcomings, d.Causes, d.Solutions} {
		if len([]rune(s)) > MaxDraftSection {
			return errDraft
		}
	}
	return nil
}

// Document is the periodic report as a Vietnamese administrative document (Nghị định
// 30/2020/NĐ-CP): the heading, the figures of the period beside the previous period and the
// same period last year, the manager's text, the recipients and the signer.
type Document struct {
	Identity org.Identity
	Report   *Report    // the period reported on
	Previous *Report    // the period before; nil when not gathered
	LastYear *Report    // the same period a year before; nil when not gathered
	Draft    Draft      // the manager's text
	Date     stats.Date // the date the document bears
	Lang     string
}

// Head is the document's heading block, top left and top right, then its type and subject.
type Head struct {
	Parent, Issuer string // top left: parent authority (may be empty) and issuing agency
	Number         string // "Số: 12/BC-TTPVHCC"
	Nation, Motto  string // Quốc hiệu and Tiêu ngữ
	PlaceDate      string // "Hương Trà, ngày 05 tháng 10 năm 2026"
	Type, Subject  string // "BÁO CÁO" and what it reports on
	Range          string // the dates covered, when the period is not a calendar one
}

// Part is one piece of the body: a heading, a paragraph or a table.
type Part struct {
	Heading string // a section ("I. KẾT QUẢ") or sub-section ("1. Tổng hợp chung") title
	Level   int    // 1 for a section, 2 for a sub-section
	Text    string // a paragraph
	Table   *Table
}

// Table is a figures table; Status holds each row's status for colour on the page.
type Table struct {
	Caption string // what the table shows, for screen readers
	Header  []string
	Rows    [][]string
	Status  []string
}

// Closing is the end of the document: recipients at left, signer at right.
type Closing struct {
	RecipientsLabel string
	Recipients      []string
	SignerTitle     string
	SignerName      string
}

func (d *Document) msg(key string, args ...string) string { return survey.Msg(key, args...).In(d.Lang) }

// Head returns the heading block.
func (d *Document) Head() Head {
	id := d.Identity
	symbol := "BC"
	if id.NumberPrefix != "" {
		symbol += "-" + id.NumberPrefix
	}
	number := d.Draft.Number
	if number == "" {
		number = "      "
	}
	h := Head{
		Parent: strings.ToUpper(id.Parent), Issuer: strings.ToUpper(id.Agency(d.Report.Agency)),
		Number: d.msg("doc.number", "number", number, "symbol", symbol),
		Nation: d.msg("doc.nation"), Motto: d.msg("doc.motto"),
		PlaceDate: d.placeDate(), Type: d.msg("doc.type"),
		Subject: d.msg("doc.subject", "period", d.periodName()),
	}
	if d.Report.Year > 0 && d.Report.CutoffDay > 1 {
		h.Range = d.msg("doc.range", "from", stats.FormatDate(d.Report.Period.From), "to", stats.FormatDate(d.Report.Period.To))
	}
	return h
}

// placeDate writes the date as Nghị định 30 asks: days below 10 and months 1 and 2 with a
// leading zero ("ngày 05 tháng 02 năm 2026").
func (d *Document) placeDate() string {
	day, month := strconv.Itoa(d.Date.Day), strconv.Itoa(int(d.Date.Month))
	if d.Date.Day < 10 {
		day = "0" + day
	}
	if d.Date.Month < 3 {
		month = "0" + month
	}
	place := d.Identity.Place
	if place == "" {
		place = "……"
	}
	return d.msg("doc.place_date", "place", place, "day", day, "month", month, "year", strconv.Itoa(d.Date.Year))
}

// periodName names the reported period in the subject ("quý III năm 2026").
func (d *Document) periodName() string {
	r := d.Report
	return PeriodName(r.Kind, r.Year, r.Index, r.Period, d.Lang)
}

// PeriodName names period index of kind in year as a document does ("quý III năm 2026",
// "6 tháng đầu năm 2026"); a custom range p is named by its dates.
func PeriodName(kind string, year, index int, p stats.Period, lang string) string {
	msg := func(key string, args ...string) string { return survey.Msg(key, args...).In(lang) }
	y := strconv.Itoa(year)
	switch kind {
	case stats.PeriodMonth:
		return msg("doc.period.month", "month", strconv.Itoa(index), "year", y)
	case stats.PeriodQuarter:
		q := quarterNumerals[(max(index, 1)-1)%4]
		if english(lang) {
			q = strconv.Itoa(index)
		}
		return msg("doc.period.quarter", "quarter", q, "year", y)
	case stats.PeriodHalf:
		if index == 2 {
			return msg("doc.period.second_half", "year", y)
		}
		return msg("doc.period.first_half", "year", y)
	case stats.PeriodNineMonths:
		return msg("doc.period.nine_months", "year", y)
	case stats.PeriodYear:
		return msg("doc.period.year", "year", y)
	}
	return msg("doc.period.custom", "from", stats.FormatDate(p.From), "to", stats.FormatDate(p.To))
}

// PeriodHeading is PeriodName starting with a capital, for a heading ("Quý III năm 2026").
func PeriodHeading(kind string, year, index int, p stats.Period, lang string) string {
	return capitalize(PeriodName(kind, year, index, p, lang))
}

// Body returns the four sections: I with the generated figures, II–IV with the manager's text.
func (d *Document) Body() []Part {
	parts := []Part{{Heading: d.msg("doc.s1"), Level: 1}}
	parts = append(parts, d.results()...)
	for _, s := range []struct{ key, text string }{
		{"doc.s2", d.Draft.Shortcomings}, {"doc.s3", d.Draft.Causes}, {"doc.s4", d.Draft.Solutions},
	} {
		parts = append(parts, Part{Heading: d.msg(s.key), Level: 1})
		parts = append(parts, d.paragraphs(s.text)...)
	}
	return parts
}

// paragraphs splits the manager's text at line breaks; an empty section says so.
func (d *Document) paragraphs(text string) []Part {
	var out []Part
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, Part{Text: line})
		}
	}
	if len(out) == 0 {
		out = append(out, Part{Text: d.msg("doc.empty_section")})
	}
	return out
}

// Closing returns the recipients and the signer; "Lưu: VT" always ends the recipients.
func (d *Document) Closing() Closing {
	id := d.Identity
	c := Closing{RecipientsLabel: d.msg("doc.recipients"), SignerTitle: strings.ToUpper(id.SignerTitle), SignerName: id.SignerName}
	for _, r := range id.Recipients {
		c.Recipients = append(c.Recipients, "- "+strings.TrimRight(strings.TrimLeft(r, "-– "), ";.")+";")
	}
	c.Recipients = append(c.Recipients, d.msg("doc.archive"))
	if c.SignerTitle == "" {
		c.SignerTitle = d.msg("doc.signer_default")
	}
	return c
}

// FileName is the document's download name without extension.
func (d *Document) FileName() string {
	p := d.Report.Period
	return fmt.Sprintf("bao-cao-hai-long-%s-%s", p.From, p.To)
}
