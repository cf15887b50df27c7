package rollup

import (
	"strings"

	"github.com/hailong/hailong/internal/stats"
)

// monthIndex keeps, beside the day buckets, each month's buckets and their sums per dimension,
// so a query over whole months reads one sum per dimension instead of one bucket per day.
type monthIndex struct {
	days map[string][]*viewBucket            // month → its day buckets
	sums map[string]map[string]*stats.Bucket // month → dimensions → summed counts
}

func newMonthIndex() monthIndex {
	return monthIndex{days: map[string][]*viewBucket{}, sums: map[string]map[string]*stats.Bucket{}}
}

func monthOf(d stats.Date) string { return d.String()[:7] }

func dimsKey(b *stats.Bucket) string {
	return strings.Join([]string{b.Agency, b.Counter, b.Field, b.Channel, b.Officer}, "|")
}

// addBucket indexes a new day bucket.
func (m monthIndex) addBucket(vb *viewBucket) {
	month := monthOf(vb.Day)
	m.days[month] = append(m.days[month], vb)
	m.add(&vb.Bucket, vb.Counts)
}

// add adds counts of day bucket b to its month's sum.
func (m monthIndex) add(b *stats.Bucket, counts map[string]int64) {
	month := monthOf(b.Day)
	sums := m.sums[month]
	if sums == nil {
		sums = map[string]*stats.Bucket{}
		m.sums[month] = sums
	}
	k := dimsKey(b)
	s := sums[k]
	if s == nil {
		s = &stats.Bucket{Day: b.Day.FirstOfMonth(), Agency: b.Agency, Counter: b.Counter, Field: b.Field, Channel: b.Channel, Officer: b.Officer}
		sums[k] = s
	}
	s.Add(counts)
}

// each calls fn for the buckets of period p: a month's sums when p covers the whole month, its
// day buckets otherwise.
func (m monthIndex) each(p stats.Period, fn func(b *stats.Bucket)) {
	for first := p.From.FirstOfMonth(); !first.After(p.To); first = first.AddMonths(1) {
		month := monthOf(first)
		last := first.AddMonths(1).AddDays(-1)
		if !first.Before(p.From) && !last.After(p.To) {
			for _, s := range m.sums[month] {
				fn(s)
			}
			continue
		}
		for _, vb := range m.days[month] {
			if p.Contains(vb.Day) {
				fn(&vb.Bucket)
			}
		}
	}
}
