package report

import "github.com/hailong/hailong/internal/stats"

// Earlier names the periods a report is compared with: the one before it and the same one a
// year before. Year and nine-months reports have no shorter "previous" period, so theirs is
// the year before as well. A custom range is compared with the range of as many days just
// before it and the same dates a year before.
type Earlier struct {
	Previous, LastYear *Report // Kind, Year, Index and Period set; the figures are not
}

// EarlierPeriods returns the periods r is compared with, cut-off day included.
func EarlierPeriods(r *Report) (Earlier, error) {
	if r.Kind == KindCustom || r.Year == 0 {
		days := r.Period.Days()
		prev := stats.Period{From: r.Period.From.AddDays(-days), To: r.Period.From.AddDays(-1)}
		last := stats.Period{From: r.Period.From.AddMonths(-12), To: r.Period.To.AddMonths(-12)}
		return Earlier{
			Previous: &Report{Kind: KindCustom, Period: prev},
			LastYear: &Report{Kind: KindCustom, Period: last},
		}, nil
	}
	py, pi := r.Year, r.Index-1
	count := map[string]int{stats.PeriodMonth: 12, stats.PeriodQuarter: 4, stats.PeriodHalf: 2}[r.Kind]
	if count == 0 || pi < 1 {
		py, pi = r.Year-1, max(count, 1)
	}
	prev, err := periodReport(r.Kind, py, pi, r.CutoffDay)
	if err != nil {
		return Earlier{}, err
	}
	last, err := periodReport(r.Kind, r.Year-1, r.Index, r.CutoffDay)
	if err != nil {
		return Earlier{}, err
	}
	return Earlier{Previous: prev, LastYear: last}, nil
}

func periodReport(kind string, year, index, cutoff int) (*Report, error) {
	p, err := ReportingPeriod(kind, year, index, cutoff)
	if err != nil {
		return nil, err
	}
	return &Report{Kind: kind, Year: year, Index: index, CutoffDay: cutoff, Period: p}, nil
}
