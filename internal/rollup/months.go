package rollup

import (
	"strings"

	"github.com/hailong/hailong/internal/stats"
)

// Month sums are stored beside the day buckets, one per month and dimension combination (a
// month bucket dated the 1st), and every batch updates them with the day buckets it touches,
// under the same seq guard: a server loads a few thousand month sums at start instead of every
// day bucket, and answers whole months from them while the day buckets load.

// MonthKey is the key of the month sum that day bucket key (stats.BucketKey) counts in: the day
// "2025-03-14" becomes the month "2025-03".
func MonthKey(dayKey string) string {
	if len(dayKey) < 10 || dayKey[4] != '-' || dayKey[7] != '-' {
		return dayKey
	}
	return dayKey[:7] + dayKey[10:]
}

// monthBucket is the month sum, without counts, that day bucket b counts in.
func monthBucket(b *stats.Bucket) stats.Bucket {
	return stats.Bucket{Day: b.Day.FirstOfMonth(), Agency: b.Agency, Counter: b.Counter, Field: b.Field, Channel: b.Channel, Officer: b.Officer}
}

// MonthIncs is what batch b adds to each month sum: its day bucket increments summed by month.
// It is derived from b alone, so re-applying b after a crash writes the same increments.
func MonthIncs(b *Batch) []BucketInc {
	merged := map[string]*BucketInc{}
	var order []string
	for _, bi := range b.Incs {
		day, err := bucketOf(bi.Dims)
		if err != nil {
			continue
		}
		key := MonthKey(bi.Key)
		mi, ok := merged[key]
		if !ok {
			mi = &BucketInc{Key: key, Dims: Dims(monthBucket(&day)), Inc: map[string]int64{}}
			merged[key] = mi
			order = append(order, key)
		}
		for k, v := range bi.Inc {
			mi.Inc[k] += v
		}
	}
	out := make([]BucketInc, 0, len(order))
	for _, k := range order {
		out = append(out, *merged[k])
	}
	return out
}

// MonthSums sums day buckets into month sums, by MonthKey.
func MonthSums(days stats.Buckets) stats.Buckets {
	out := make(stats.Buckets, len(days)/20+1)
	for key, b := range days {
		addMonth(out, key, b, b.Counts, 1)
	}
	return out
}

// addMonth adds sign × counts of day bucket b (key) to its month sum in sums.
func addMonth(sums stats.Buckets, key string, b *stats.Bucket, counts map[string]int64, sign int64) {
	mk := MonthKey(key)
	s, ok := sums[mk]
	if !ok {
		m := monthBucket(b)
		s = &m
		sums[mk] = s
	}
	if s.Counts == nil {
		s.Counts = make(map[string]int64, len(counts))
	}
	for k, v := range counts {
		s.Counts[k] += sign * v
	}
}

// monthIndex keeps each month's sums per dimension (loaded from the store, then following the
// batches) and, once they are loaded, its day buckets, so a query over whole months reads one
// sum per dimension instead of one bucket per day.
type monthIndex struct {
	days  map[string][]*viewBucket          // month → its day buckets
	sums  map[string]map[string]*viewBucket // month → dimensions → month sum, with its seq
	list  map[string][]*viewBucket          // month → its month sums, for queries to walk
	names *stats.CounterNames               // numbers the counters of the sums' packed counts
	dims  interner                          // the sums' dimension values, one copy each
}

func newMonthIndex() monthIndex {
	return monthIndex{days: map[string][]*viewBucket{}, sums: map[string]map[string]*viewBucket{}, list: map[string][]*viewBucket{}, names: stats.NewCounterNames(), dims: interner{}}
}

func monthOf(d stats.Date) string { return d.String()[:7] }

func dimsKey(b *stats.Bucket) string {
	return strings.Join([]string{b.Agency, b.Counter, b.Field, b.Channel, b.Officer}, "|")
}

// addDay indexes a day bucket under its month.
func (m monthIndex) addDay(vb *viewBucket) {
	month := monthOf(vb.Day)
	m.days[month] = append(m.days[month], vb)
}

// sum returns the month sum of month bucket b's dimensions, creating it empty.
func (m monthIndex) sum(b *stats.Bucket) *viewBucket {
	month := monthOf(b.Day)
	sums := m.sums[month]
	if sums == nil {
		sums = map[string]*viewBucket{}
		m.sums[month] = sums
	}
	k := dimsKey(b)
	s := sums[k]
	if s == nil {
		s = &viewBucket{Bucket: m.dims.bucket(monthBucket(b))}
		s.Packed = stats.Pack(m.names, nil)
		sums[k] = s
		m.list[month] = append(m.list[month], s)
	}
	return s
}

// add adds counts to month sum s, in both its forms.
func (m monthIndex) add(s *viewBucket, counts map[string]int64) {
	s.Add(counts)
	s.Packed.Add(counts)
}

// wholeMonths reports whether p starts on the 1st of a month and ends on the last day of one.
func wholeMonths(p stats.Period) bool {
	return p.From == p.From.FirstOfMonth() && p.To.AddDays(1) == p.To.AddDays(1).FirstOfMonth()
}

// each calls fn for the buckets of period p: a month's sums when p covers the whole month, its
// day buckets otherwise.
func (m monthIndex) each(p stats.Period, fn func(b *stats.Bucket)) {
	for first := p.From.FirstOfMonth(); !first.After(p.To); first = first.AddMonths(1) {
		month := monthOf(first)
		last := first.AddMonths(1).AddDays(-1)
		if !first.Before(p.From) && !last.After(p.To) {
			for _, s := range m.list[month] {
				fn(&s.Bucket)
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
