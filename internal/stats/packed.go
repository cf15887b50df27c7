package stats

import "sync"

// CounterNames numbers counter names, so that buckets kept in memory can carry their counts as
// packed (number, count) pairs: a query then adds a bucket with one array addition per counter
// instead of one map update (about 10× faster over a year of month sums), and a day bucket
// takes about a third of the memory of a map. It is safe for concurrent use.
type CounterNames struct {
	mu    sync.RWMutex // names grow while the day buckets load beside queries
	names []string
	index map[string]uint32
}

// NewCounterNames returns an empty numbering.
func NewCounterNames() *CounterNames { return &CounterNames{index: map[string]uint32{}} }

// number returns the number of name, adding it when new.
func (n *CounterNames) number(name string) uint32 {
	n.mu.RLock()
	i, ok := n.index[name]
	n.mu.RUnlock()
	if ok {
		return i
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if i, ok = n.index[name]; !ok {
		i = uint32(len(n.names))
		n.names = append(n.names, name)
		n.index[name] = i
	}
	return i
}

// lookUp returns the number of name, false when it has none.
func (n *CounterNames) lookUp(name string) (uint32, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	i, ok := n.index[name]
	return i, ok
}

// name returns the name numbered i.
func (n *CounterNames) name(i uint32) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.names[i]
}

// Packed is a bucket's counts as pairs of a counter's number (in Names) and its count.
type Packed struct {
	Names *CounterNames
	Num   []uint32
	Val   []int64
}

// Pack packs counts with names.
func Pack(names *CounterNames, counts map[string]int64) *Packed {
	p := &Packed{Names: names, Num: make([]uint32, 0, len(counts)), Val: make([]int64, 0, len(counts))}
	p.Add(counts)
	return p
}

// Add adds counts.
func (p *Packed) Add(counts map[string]int64) {
	for k, v := range counts {
		i := p.Names.number(k)
		found := false
		for j, n := range p.Num {
			if n == i {
				p.Val[j] += v
				found = true
				break
			}
		}
		if !found {
			p.Num, p.Val = append(p.Num, i), append(p.Val, v)
		}
	}
}

// count returns the count of counter name.
func (p *Packed) count(name string) int64 {
	i, ok := p.Names.lookUp(name)
	if !ok {
		return 0
	}
	return p.countOf(i)
}

// countOf returns the count of the counter numbered i.
func (p *Packed) countOf(i uint32) int64 {
	for j, n := range p.Num {
		if n == i {
			return p.Val[j]
		}
	}
	return 0
}

// probe reads one counter of many buckets: it looks the counter's number up once per
// numbering, and reads packed counts where a bucket has them (a month sum has both forms, and
// its packed pairs are the ones a query has just read).
type probe struct {
	name  string
	names *CounterNames
	num   uint32
	ok    bool
}

// count returns b's count of the probe's counter.
func (pr *probe) count(b *Bucket) int64 {
	p := b.Packed
	if p == nil {
		return b.Counts[pr.name]
	}
	if p.Names != pr.names || !pr.ok { // a name not numbered yet may be numbered since
		pr.names = p.Names
		pr.num, pr.ok = p.Names.lookUp(pr.name)
		if !pr.ok {
			return 0
		}
	}
	return p.countOf(pr.num)
}

// Map returns the counts as a map.
func (p *Packed) Map() map[string]int64 {
	m := make(map[string]int64, len(p.Num))
	for j, n := range p.Num {
		m[p.Names.name(n)] += p.Val[j]
	}
	return m
}

// Count returns the bucket's count of counter name, from Counts or else Packed.
func (b *Bucket) Count(name string) int64 {
	if b.Counts == nil && b.Packed != nil {
		return b.Packed.count(name)
	}
	return b.Counts[name]
}

// CountsMap returns the bucket's counts as a map: Counts, or else Packed unpacked.
func (b *Bucket) CountsMap() map[string]int64 {
	if b.Counts == nil && b.Packed != nil {
		return b.Packed.Map()
	}
	return b.Counts
}

// tally sums the counts of buckets: packed ones into an array, others into a map.
type tally struct {
	m     map[string]int64
	names *CounterNames
	v     []int64
}

func newTally() *tally { return &tally{m: map[string]int64{}} }

// addBucket adds b's counts.
func (t *tally) addBucket(b *Bucket) {
	p := b.Packed
	if p == nil || (t.names != nil && t.names != p.Names) {
		addCounts(t.m, b.CountsMap())
		return
	}
	t.names = p.Names
	for j, n := range p.Num {
		if int(n) >= len(t.v) {
			t.v = append(t.v, make([]int64, int(n)+1-len(t.v))...)
		}
		t.v[n] += p.Val[j]
	}
}

// counts returns the sums as a map.
func (t *tally) counts() map[string]int64 {
	for i, v := range t.v {
		if v != 0 {
			t.m[t.names.name(uint32(i))] += v
		}
	}
	t.v = nil
	return t.m
}
