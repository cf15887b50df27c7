package dashboard

import "github.com/hailong/hailong/internal/stats"

// handRow is one counter's hand-issued tickets beside the rest, for managers to see a counter
// whose officers issue tickets by hand and answer them.
type handRow struct {
	Label string
	stats.HandIssued
}

// handRows are the counters of res that issued tickets by hand in the period, when res is
// grouped by counter; hidden counters are left out, as in the table above them.
func handRows(res stats.Result) []handRow {
	if res.GroupBy != stats.ByCounter {
		return nil
	}
	var out []handRow
	for _, g := range res.Groups {
		if g.Hidden || g.Hand == nil || g.Hand.Tickets == 0 {
			continue
		}
		out = append(out, handRow{Label: g.Label, HandIssued: *g.Hand})
	}
	return out
}
