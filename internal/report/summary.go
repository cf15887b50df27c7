package report

import (
	"slices"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Labels of the summary sheet.
var (
	agencyLabel       = survey.Msg("report.agency")
	generatedLabel    = survey.Msg("report.generated")
	indicatorLabel    = survey.Msg("report.indicator")
	valueLabel        = survey.Msg("report.value")
	satisfactionLabel = survey.Msg("report.overall_satisfaction")
	targetLabel       = survey.Msg("report.target")
	statusLabel       = survey.Msg("report.status")
	ciLowLabel        = survey.Msg("report.ci_low")
	ciHighLabel       = survey.Msg("report.ci_high")
	ratedLabel        = survey.Msg("report.rated")
	satisfiedLabel    = survey.Msg("report.satisfied_count")
	misuseLabel       = survey.Msg("report.misuse")
	issuedLabel       = survey.Msg("report.issued")
	responseRateLabel = survey.Msg("report.response_rate")
	dossierLabel      = survey.Msg("report.dossier_ratio")
	belowLabel        = survey.Msg("report.fields_below")
	noneBelowLabel    = survey.Msg("report.none_below")
)

var summaryColumns = []column{
	{survey.Msg("report.field"), 42},
	{survey.Msg("report.responses"), 16},
	{survey.Msg("report.satisfaction"), 14},
	{survey.Msg("report.target"), 12},
	{survey.Msg("report.status"), 20},
}

// line is one labelled value of the summary.
type line struct {
	label survey.Text
	value cell
}

// summarySheet adds the headline: overall figure against its target, the Decision 766 ratio,
// response counts, misuse, then every field below its target by name.
func (b *book) summarySheet(r *Report, title string, p stats.Period) error {
	s, err := b.sheet(summarySheetName.In(b.lang))
	if err != nil {
		return err
	}
	b.heading(s, title, p)
	s.row(4, []cell{{indicatorLabel.In(b.lang), b.st.header}, {valueLabel.In(b.lang), b.st.header}})
	row := 5
	for _, l := range b.summaryLines(r) {
		s.row(row, []cell{{l.label.In(b.lang), 0}, l.value})
		row++
	}
	b.belowTarget(s, row+1, fieldsBelow(r.Overall.Groups))
	s.widths(summaryColumns)
	return s.done()
}

func (b *book) summaryLines(r *Report) []line {
	o := r.Overall.Overall
	rated := o.Responses > 0
	return []line{
		{agencyLabel, cell{r.Agency, 0}},
		{generatedLabel, cell{stats.FormatDateTime(r.GeneratedAt), 0}},
		{satisfactionLabel, b.share(o.Satisfaction, rated)},
		{targetLabel, b.optShare(o.Target)},
		{statusLabel, b.status(o.Status)},
		{ciLowLabel, b.share(o.CILow, rated)},
		{ciHighLabel, b.share(o.CIHigh, rated)},
		{ratedLabel, b.count(o.Responses)},
		{satisfiedLabel, b.count(o.Satisfied)},
		{misuseLabel, b.count(o.Misuse)},
		{issuedLabel, b.optCount(o.Issued)},
		{responseRateLabel, b.optShare(o.ResponseRate)},
		{dossierLabel, b.optShare(o.DossierRatio)},
	}
}

func (b *book) optCount(n *int64) cell {
	if n == nil {
		return cell{dash, 0}
	}
	return b.count(*n)
}

// belowTarget lists the fields below target from row on, or says there are none.
func (b *book) belowTarget(s *sheet, row int, below []stats.Group) {
	s.set(1, row, cell{belowLabel.In(b.lang), b.st.bold})
	if len(below) == 0 {
		s.set(1, row+1, cell{noneBelowLabel.In(b.lang), 0})
		return
	}
	s.row(row+1, b.headerCells(summaryColumns))
	for i, g := range below {
		s.row(row+2+i, []cell{
			{groupLabel(g), 0}, b.count(g.Responses), b.share(g.Satisfaction, true),
			b.optShare(g.Target), b.status(g.Status),
		})
	}
}

// fieldsBelow are the shown groups under their target, lowest satisfaction first.
func fieldsBelow(groups []stats.Group) []stats.Group {
	var out []stats.Group
	for _, g := range groups {
		// The plain rate agencies are judged by, at any sample; the statistical verdict too.
		if !g.Hidden && (g.RateStatus == stats.StatusBelow || g.Status == stats.StatusBelow || g.Status == stats.StatusLikelyBelow) {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b stats.Group) int {
		switch {
		case a.Satisfaction < b.Satisfaction:
			return -1
		case a.Satisfaction > b.Satisfaction:
			return 1
		}
		return 0
	})
	return out
}
