package stats

// Previous is the period of the same length just before p: as many whole months when p covers
// whole months (a quarter → the quarter before), otherwise as many days.
func (p Period) Previous() Period {
	if months, ok := p.wholeMonths(); ok {
		from := p.From.AddMonths(-months)
		return Period{From: from, To: p.From.AddDays(-1)}
	}
	n := p.Days()
	return Period{From: p.From.AddDays(-n), To: p.From.AddDays(-1)}
}

// SameLastYear is p one year earlier; whole months stay whole (February keeps its last day).
func (p Period) SameLastYear() Period {
	if _, ok := p.wholeMonths(); ok {
		return Period{From: p.From.AddMonths(-12), To: lastOfMonth(p.To.FirstOfMonth().AddMonths(-12))}
	}
	from, to := p.From.AddMonths(-12), p.To.AddMonths(-12)
	if to.Month != p.To.Month { // 29 February → 28 February
		to = lastOfMonth(to.AddMonths(-1))
	}
	return Period{From: from, To: to}
}

// wholeMonths reports how many months p spans when it starts on a 1st and ends on a last day.
func (p Period) wholeMonths() (int, bool) {
	if p.From.Day != 1 || p.To != lastOfMonth(p.To) {
		return 0, false
	}
	return (p.To.Year-p.From.Year)*12 + int(p.To.Month) - int(p.From.Month) + 1, true
}

func lastOfMonth(d Date) Date { return d.FirstOfMonth().AddMonths(1).AddDays(-1) }

// Comparison is a stats answer for another period, beside the one asked for.
type Comparison struct {
	From    Date    `json:"from"`
	To      Date    `json:"to"`
	Overall Group   `json:"overall"`
	Groups  []Group `json:"groups"`
}

// Compare adds to res the same query over the previous period and the same period last year.
func Compare(each func(p Period, fn func(*Bucket)), q Query, m Meta, res *Result) error {
	for _, c := range []struct {
		p   Period
		dst **Comparison
	}{{q.Period.Previous(), &res.Previous}, {q.Period.SameLastYear(), &res.LastYear}} {
		cq := q
		cq.Period = c.p
		r, err := Aggregate(func(fn func(*Bucket)) { each(c.p, fn) }, cq, m)
		if err != nil {
			return err
		}
		*c.dst = &Comparison{From: r.From, To: r.To, Overall: r.Overall, Groups: r.Groups}
	}
	return nil
}
