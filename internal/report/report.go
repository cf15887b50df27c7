package report

import (
	"fmt"
	"io"
	"time"

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
	Title       string       // empty: ReportTitle(Kind, Period, lang)
	Agency      string       // the reporting agency's name
	Period      stats.Period // the dates covered
	Kind        string       // KindCustom or a stats period kind
	GeneratedAt time.Time    // when the figures were taken, shown in Asia/Ho_Chi_Minh
	Overall     stats.Result // grouped by field; its Overall is the headline figure
	ByAgency    stats.Result // grouped by agency
	ByCriterion stats.Result // grouped by SIPAS criterion
	ByMonth     stats.Result // grouped by month
	ByChannel   stats.Result // grouped by response channel
	Comments    []Comment    // free comments of the period, in any order
}

// Comment is one citizen's free comment, without anything that identifies the citizen.
type Comment struct {
	At      time.Time // when it was given
	Field   string    // the field's display name
	Agency  string    // the agency's display name
	Overall int       // the overall rating, 1..5; 1–2 are listed first
	Text    string    // the comment; contact details in it are removed on output
}

var reportPrefix = survey.Text{VI: "Báo cáo sự hài lòng", EN: "Satisfaction report"}

var quarterNumerals = [...]string{"I", "II", "III", "IV"}

// ReportTitle names a report of kind over p in lang, e.g. "Báo cáo sự hài lòng quý I/2026"
// or "Satisfaction report for the first half of 2026"; an unknown kind names the date range.
func ReportTitle(kind string, p stats.Period, lang string) string {
	return reportPrefix.In(lang) + " " + periodPhrase(kind, p, lang)
}

func periodPhrase(kind string, p stats.Period, lang string) string {
	year := p.From.Year
	switch kind {
	case stats.PeriodMonth:
		return monthPhrase(p.From, lang)
	case stats.PeriodQuarter:
		q := (int(p.From.Month) - 1) / 3
		return pick(lang, fmt.Sprintf("quý %s/%d", quarterNumerals[q], year), fmt.Sprintf("for Q%d %d", q+1, year))
	case stats.PeriodHalf:
		return halfPhrase(year, p.From.Month > 6, lang)
	case stats.PeriodNineMonths:
		return pick(lang, fmt.Sprintf("9 tháng năm %d", year), fmt.Sprintf("for the first nine months of %d", year))
	case stats.PeriodYear:
		return pick(lang, fmt.Sprintf("năm %d", year), fmt.Sprintf("for %d", year))
	}
	return rangeText(p, lang)
}

func monthPhrase(d stats.Date, lang string) string {
	return pick(lang, fmt.Sprintf("tháng %d/%d", int(d.Month), d.Year), fmt.Sprintf("for %s %d", d.Month, d.Year))
}

func halfPhrase(year int, second bool, lang string) string {
	if second {
		return pick(lang, fmt.Sprintf("6 tháng cuối năm %d", year), fmt.Sprintf("for the second half of %d", year))
	}
	return pick(lang, fmt.Sprintf("6 tháng đầu năm %d", year), fmt.Sprintf("for the first half of %d", year))
}

func pick(lang, vi, en string) string {
	if english(lang) {
		return en
	}
	return vi
}

// Sheet names of the report workbook, in order.
var (
	summarySheetName   = survey.Text{VI: "Tổng hợp", EN: "Summary"}
	fieldSheetName     = survey.Text{VI: "Theo lĩnh vực", EN: "By field"}
	agencySheetName    = survey.Text{VI: "Theo cơ quan", EN: "By agency"}
	criterionSheetName = survey.Text{VI: "Theo tiêu chí SIPAS", EN: "By SIPAS criterion"}
	monthSheetName     = survey.Text{VI: "Theo tháng", EN: "By month"}
	channelSheetName   = survey.Text{VI: "Theo kênh", EN: "By channel"}
	commentSheetName   = survey.Text{VI: "Ý kiến", EN: "Comments"}
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
	if err := b.commentSheet(r.Comments, title, p); err != nil {
		return err
	}
	return b.write(w)
}

func (r *Report) title(lang string) string {
	if r.Title != "" {
		return r.Title
	}
	return ReportTitle(r.Kind, r.period(), lang)
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
