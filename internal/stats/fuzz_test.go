package stats_test

import (
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// FuzzParsePeriod feeds the from/to query parameters of the stats API and dashboard.
func FuzzParsePeriod(f *testing.F) {
	f.Add("2026-01-01", "2026-03-31")
	f.Add("2026-02-29", "2026-03-01")
	f.Add("9999-12-31", "0001-01-01")
	f.Add("2026-1-1", "31/03/2026")
	f.Fuzz(func(t *testing.T, from, to string) {
		p, err := stats.ParsePeriod(from, to)
		if err != nil {
			return
		}
		if p.From.After(p.To) || p.Days() > stats.MaxPeriodDays || p.From.String() != from || p.To.String() != to {
			t.Fatalf("accepted %q..%q as %v", from, to, p)
		}
	})
}
