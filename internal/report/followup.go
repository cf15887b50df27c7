package report

import (
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

var followUpSheetName = survey.Msg("report.followup")

var followUpColumns = []column{
	{survey.Msg("report.group"), 34},
	{survey.Msg("report.fu_opened"), 11},
	{survey.Msg("report.fu_settled"), 11},
	{survey.Msg("report.fu_settled_rate"), 13},
	{survey.Msg("report.fu_on_time"), 13},
	{survey.Msg("report.fu_on_time_rate"), 13},
	{survey.Msg("report.fu_overdue"), 11},
	{survey.Msg("report.fu_median"), 15},
	{survey.Msg("report.status"), 20},
}

// followUpSheet adds the follow-up figures: cases opened in the period by unit, how many were
// settled and on time, against the plan's 95% and 100%.
func (b *book) followUpSheet(f cases.Figures, title string, p stats.Period) error {
	s, err := b.sheet(followUpSheetName.In(b.lang))
	if err != nil {
		return err
	}
	b.heading(s, title, p)
	s.row(3, b.headerCells(followUpColumns))
	s.row(4, b.followUpCells(f.Overall, overallLabel.In(b.lang)))
	for i, r := range f.Groups {
		s.row(5+i, b.followUpCells(r, r.Label))
	}
	s.widths(followUpColumns)
	s.freeze(3)
	return s.done()
}

func (b *book) followUpCells(r cases.Row, label string) []cell {
	median := cell{dash, 0}
	if r.MedianDays != nil {
		median = cell{*r.MedianDays, 0}
	}
	return []cell{
		{label, 0}, b.count(r.Opened), b.count(r.Settled), b.share(r.SettledRate, r.Opened > 0),
		b.count(r.SettledOnTime), b.share(r.OnTimeRate, r.Settled+r.Overdue > 0), b.count(r.Overdue),
		median, b.status(r.Status),
	}
}
