package report

import (
	"io"
	"strconv"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// KindCustom is a report over any date range; the other kinds are stats.PeriodQuarter,
// stats.PeriodHalf, stats.PeriodNineMonths and stats.PeriodYear ("quarter", "half",
// "nine-months", "year").
const KindCustom = "custom"

// Report is the periodic satisfaction report sent to the Home Affairs office (Phòng Nội vụ)
// every quarter, 6 months, 9 months and year, or for any custom range.
type Report struct {
	Title       string        // empty: ReportTitle(Kind, Period, lang)
	Agency      string        // the reporting agency's name
	Period      stats.Period  // the dates covered
	Kind        string        // KindCustom or a stats period kind
	Year, Index int           // which period of Kind (quarter 3 of 2026); 0 for a custom range
	CutoffDay   int           // >1: periods run from this day to the day before it, not calendar months
	GeneratedAt time.Time     // when the figures were taken, shown in Asia/Ho_Chi_Minh
	Overall     stats.Result  // grouped by field; its Overall is the headline figure
	ByAgency    stats.Result  // grouped by agency
	ByCriterion stats.Result  // grouped by SIPAS criterion
	ByMonth     stats.Result  // grouped by month
	ByChannel   stats.Result  // grouped by response channel
	FollowUp    cases.Figures // the cases opened in the period, by unit
	Comments    []Comment     // free comments of the period, in any order
}

// Comment is one citizen's free comment, without anything that identifies the citizen.
type Comment struct {
	At      time.Time // when it was given
	Field   string    // the field's display name
	Agency  string    // the agency's display name
	Overall int       // the overall rating, 1..5; 1–2 are listed first
	Text    string    // the comment; contact details in it are removed on output
}

var reportPrefix = survey.Msg("report.title")

var quarterNumerals = [...]string{"I", "II", "III", "IV"}

// ReportTitle names a report of kind over p in lang, e.g. "Báo cáo sự hài lòng quý I/2026"
// or "Satisfaction report for the first half of 2026"; an unknown kind names the date range.
func ReportTitle(kind string, p stats.Period, lang string) string {
	return reportPrefix.In(lang) + " " + periodPhrase(kind, p, lang)
}

func periodPhrase(kind string, p stats.Period, lang string) string {
	year := strconv.Itoa(p.From.Year)
	switch kind {
	case stats.PeriodMonth:
		return monthPhrase(p.From, lang)
	case stats.PeriodQuarter:
		q := (int(p.From.Month) - 1) / 3
		quarter := quarterNumerals[q]
		if english(lang) {
			quarter = strconv.Itoa(q + 1)
		}
		return survey.Msg("report.period.quarter", "quarter", quarter, "year", year).In(lang)
	case stats.PeriodHalf:
		if p.From.Month > 6 {
			return survey.Msg("report.period.second_half", "year", year).In(lang)
		}
		return survey.Msg("report.period.first_half", "year", year).In(lang)
	case stats.PeriodNineMonths:
		return survey.Msg("report.period.nine_months", "year", year).In(lang)
	case stats.PeriodYear:
		return survey.Msg("report.period.year", "year", year).In(lang)
	}
	return rangeText(p, lang)
}

// monthPhrase names a month by its number in Vietnamese and by its name in English.
func monthPhrase(d stats.Date, lang string) string {
	month := strconv.Itoa(int(d.Month))
	if english(lang) {
		month = d.Month.String()
	}
	return survey.Msg("report.period.month", "month", month, "year", strconv.Itoa(d.Year)).In(lang)
}

// Sheet names of the report workbook, in order.
var (
	summarySheetName   = survey.Msg("report.sheet.summary")
	fieldSheetName     = survey.Msg("report.sheet.field")
	agencySheetName    = survey.Msg("report.sheet.agency")
	criterionSheetName = survey.Msg("report.sheet.criterion")
	monthSheetName     = survey.Msg("report.sheet.month")
	channelSheetName   = survey.Msg("report.sheet.channel")
	commentSheetName   = survey.Msg("report.sheet.comments")
)

// WriteXLSX writes the report as an Excel workbook in lang: a summary sheet, one sheet per
// breakdown (field, agency, SIPAS criterion, month, channel) and the citizens' comments.
func (r *Report) WriteXLSX(w io.Writer, lang string) error {
	b, err := newBook(lang)
	if err != nil {
		return err
	}
	defer b.f.Close()
	title, p := r.title(lang), r.period()
	if err := b.summarySheet(r, title, p); err != nil {
		return err
	}
	for _, s := range r.breakdowns() {
		name := s.name.In(lang)
		if err := b.figuresSheet(name, title+" – "+name, p, s.res); err != nil {
			return err
		}
	}
	if err := b.followUpSheet(r.FollowUp, title, p); err != nil {
		return err
	}
	if err := b.commentSheet(r.Comments, title, p); err != nil {
		return err
	}
	return b.write(w)
}

// TitleIn is the report's title in lang, named after its calendar period.
func (r *Report) TitleIn(lang string) string { return r.title(lang) }

func (r *Report) title(lang string) string {
	if r.Title != "" {
		return r.Title
	}
	return ReportTitle(r.Kind, r.labelPeriod(), lang)
}

// labelPeriod is the calendar period the report is named after: with a cut-off day, quarter III
// runs from 15 June to 14 September yet is still called quarter III.
func (r *Report) labelPeriod() stats.Period {
	if r.Year > 0 && r.Kind != KindCustom {
		if p, err := stats.PeriodOf(r.Kind, r.Year, max(r.Index, 1)); err == nil {
			return p
		}
	}
	return r.period()
}

// ReportingPeriod is period index of kind in year with the reporting cut-off day cutoff: 0 or 1
// gives the calendar period; 15 moves it to run from the 15th of the month before it begins to
// the 14th of its last month (quarter III of 2026: 15/06/2026 to 14/09/2026).
func ReportingPeriod(kind string, year, index, cutoff int) (stats.Period, error) {
	p, err := stats.PeriodOf(kind, year, index)
	if err != nil || cutoff <= 1 {
		return p, err
	}
	before := p.From.AddMonths(-1)
	return stats.NewPeriod(stats.NewDate(before.Year, before.Month, cutoff), stats.NewDate(p.To.Year, p.To.Month, cutoff-1))
}

// period is the report's period, else the one its headline figures cover.
func (r *Report) period() stats.Period {
	if !r.Period.From.IsZero() {
		return r.Period
	}
	return stats.Period{From: r.Overall.From, To: r.Overall.To}
}

type breakdown struct {
	name survey.Text
	res  stats.Result
}

func (r *Report) breakdowns() []breakdown {
	return []breakdown{
		{fieldSheetName, r.Overall},
		{agencySheetName, r.ByAgency},
		{criterionSheetName, r.ByCriterion},
		{monthSheetName, r.ByMonth},
		{channelSheetName, r.ByChannel},
	}
}
