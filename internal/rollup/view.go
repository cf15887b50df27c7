package rollup

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/hailong/hailong/internal/stats"
)

// ViewStore is what a view reads: the stored month sums, comment days and day buckets once,
// then the batches completed since.
type ViewStore interface {
	// Done returns the number of the last completed batch, 0 before the first.
	Done(ctx context.Context) (int64, error)
	// Batch reads batch id; nil when it was not created yet or is no longer kept.
	Batch(ctx context.Context, id int64) (*Batch, error)
	// MonthsBuilt reports whether the month sums are stored (the worker builds them once).
	MonthsBuilt(ctx context.Context) (bool, error)
	// EachMonth calls fn for every stored month sum, with the last batch applied to it.
	EachMonth(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error
	// EachBucket calls fn for every stored day bucket, with the last batch applied to it.
	EachBucket(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error
	// EachCommentDay calls fn for every stored day of comments, with the last batch applied to it.
	EachCommentDay(ctx context.Context, fn func(day string, seq int64, items []stats.Comment)) error
}

// ErrLoading says the figures asked for are still loading into memory: the caller retries.
var ErrLoading = errors.New("rollup: figures are still loading")

// View is an in-memory copy of the rollups that follows the numbered batches, so a stats query
// reads memory: its cost depends on the number of buckets, never on the number of responses.
// Refresh loads the month sums first (a few thousand, so whole months are answerable within
// seconds of start) and LoadDays the day buckets; a period that is not whole months waits for
// them. Several instances each keep their own view of the one store.
type View struct {
	store     ViewStore
	mu        sync.RWMutex
	months    monthIndex
	applied   int64
	loaded    bool          // month sums and comments in memory
	loadedCh  chan struct{} // closed once loaded
	buckets   map[string]*viewBucket
	daysIn    bool          // every day bucket in memory
	daysCh    chan struct{} // closed once daysIn
	recording bool          // day buckets are loading: batches applied meanwhile are kept in replay
	replay    []*Batch
	days      map[string]*dayComments
}

type dayComments struct {
	items []stats.Comment
	seq   int64
}

type viewBucket struct {
	stats.Bucket
	seq int64
}

// NewView returns an empty view on store; Refresh and LoadDays load it.
func NewView(store ViewStore) *View {
	return &View{store: store, buckets: map[string]*viewBucket{}, months: newMonthIndex(), days: map[string]*dayComments{},
		loadedCh: make(chan struct{}), daysCh: make(chan struct{})}
}

// Refresh brings the view up to the last completed batch, loading the month sums first if
// needed; until the worker has stored them (an install from before month sums, on its first
// start) it leaves the view unloaded.
func (v *View) Refresh(ctx context.Context) error {
	v.mu.RLock()
	loaded := v.loaded
	v.mu.RUnlock()
	if !loaded {
		return v.loadMonths(ctx)
	}
	done, err := v.store.Done(ctx)
	if err != nil {
		return err
	}
	for {
		v.mu.RLock()
		next := v.applied + 1
		v.mu.RUnlock()
		if next > done {
			return nil
		}
		b, err := v.store.Batch(ctx, next)
		if err != nil {
			return err
		}
		if b == nil { // fell behind the kept batches: start again
			return v.Reload(ctx)
		}
		v.applyBatch(b)
	}
}

// Loaded reports whether whole months can be answered (the month sums are in memory).
func (v *View) Loaded() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.loaded
}

// Since returns the first day of the earliest month the rollups count anything in: no ticket
// was issued and no response submitted before it. False until the month sums are in memory, or
// while they hold nothing.
func (v *View) Since() (stats.Date, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	first := ""
	for month := range v.months.sums {
		if first == "" || month < first {
			first = month
		}
	}
	if !v.loaded || first == "" {
		return stats.Date{}, false
	}
	d, err := stats.ParseDate(first + "-01")
	return d, err == nil
}

// DaysLoaded reports whether every day bucket is in memory.
func (v *View) DaysLoaded() bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.daysIn
}

// Reload forgets the view and loads the month sums and comments again (the day buckets follow
// with LoadDays): for a view that fell behind the kept batches, or a store changed behind them.
func (v *View) Reload(ctx context.Context) error {
	v.reset()
	return v.loadMonths(ctx)
}

// reset forgets everything.
func (v *View) reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.loaded, v.daysIn, v.recording, v.replay = false, false, false, nil
	v.loadedCh, v.daysCh = make(chan struct{}), make(chan struct{})
	v.buckets, v.months = map[string]*viewBucket{}, newMonthIndex()
}

func (v *View) applyBatch(b *Batch) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, mi := range MonthIncs(b) {
		mb, err := bucketOf(mi.Dims)
		if err != nil {
			continue
		}
		if s := v.months.sum(&mb); s.seq < b.ID {
			v.months.add(s, mi.Inc)
			s.seq = b.ID
		}
	}
	if v.daysIn {
		v.applyDays(v.buckets, b, true)
	} else if v.recording {
		v.replay = append(v.replay, b)
	}
	for _, dc := range b.Comments {
		d, ok := v.days[dc.Day]
		if !ok {
			d = &dayComments{}
			v.days[dc.Day] = d
		}
		if d.seq < b.ID {
			d.items = append(d.items, dc.Items...)
			d.seq = b.ID
		}
	}
	v.applied = b.ID
}

// applyDays adds batch b to the day buckets it touches that do not hold it yet; index says
// to index new buckets under their month.
func (v *View) applyDays(buckets map[string]*viewBucket, b *Batch, index bool) {
	for _, bi := range b.Incs {
		vb, ok := buckets[bi.Key]
		if !ok {
			bk, err := bucketOf(bi.Dims)
			if err != nil {
				continue
			}
			vb = &viewBucket{Bucket: bk}
			vb.Packed = stats.Pack(v.months.names, nil)
			buckets[bi.Key] = vb
			if index {
				v.months.addDay(vb)
			}
		}
		if vb.seq < b.ID {
			vb.Packed.Add(bi.Inc)
			vb.seq = b.ID
		}
	}
}

// loadMonths reads the month sums and comment days. Sums already holding a later batch than
// the recorded progress keep their own seq, so following batches skip them.
func (v *View) loadMonths(ctx context.Context) error {
	built, err := v.store.MonthsBuilt(ctx)
	if err != nil || !built {
		return err
	}
	done, err := v.store.Done(ctx)
	if err != nil {
		return err
	}
	months := newMonthIndex()
	err = v.store.EachMonth(ctx, func(_ string, seq int64, b stats.Bucket) {
		s := months.sum(&b)
		months.add(s, b.Counts)
		s.seq = seq
	})
	if err != nil {
		return err
	}
	days := map[string]*dayComments{}
	err = v.store.EachCommentDay(ctx, func(day string, seq int64, items []stats.Comment) {
		days[day] = &dayComments{items: items, seq: seq}
	})
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.loaded { // loaded by a concurrent call meanwhile
		return nil
	}
	v.months, v.applied, v.loaded, v.days = months, done, true, days
	close(v.loadedCh)
	return nil
}

// LoadDays reads every day bucket into memory, while the view goes on following the batches
// and answering whole months; the batches applied meanwhile are then added to the buckets read
// that do not hold them yet. It does nothing until the month sums are loaded, once done, or
// while another call is loading them.
func (v *View) LoadDays(ctx context.Context) error {
	v.mu.Lock()
	if !v.loaded || v.daysIn || v.recording { // not yet, done, or in progress in another call
		v.mu.Unlock()
		return nil
	}
	v.recording, v.replay = true, nil
	names := v.months.names
	v.mu.Unlock()
	buckets := map[string]*viewBucket{}
	dims := interner{}
	err := v.store.EachBucket(ctx, func(key string, seq int64, b stats.Bucket) {
		vb := &viewBucket{Bucket: dims.bucket(b), seq: seq}
		vb.Packed, vb.Counts = stats.Pack(names, b.Counts), nil // packed alone: a third of the memory
		buckets[key] = vb
	})
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.daysIn { // loaded by a concurrent call meanwhile
		return nil
	}
	if err != nil || !v.recording || v.months.names != names { // failed, or reset meanwhile
		v.recording, v.replay = false, nil
		return err
	}
	for _, b := range v.replay {
		v.applyDays(buckets, b, false)
	}
	for _, vb := range buckets {
		v.months.addDay(vb)
	}
	v.buckets, v.daysIn, v.recording, v.replay = buckets, true, false, nil
	close(v.daysCh)
	return nil
}

// interner shares one copy of each dimension value among buckets: less memory, and a query
// that hashes them reads a few strings already in the cache rather than one per bucket.
type interner map[string]string

func (in interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// bucket returns b with its dimension values interned.
func (in interner) bucket(b stats.Bucket) stats.Bucket {
	b.Agency, b.Counter, b.Field = in.of(b.Agency), in.of(b.Counter), in.of(b.Field)
	b.Channel, b.Officer = in.of(b.Channel), in.of(b.Officer)
	return b
}

// Wait waits until the view can answer every period of ps exactly: whole months once the month
// sums are loaded, other periods once every day bucket is. It returns ErrLoading when ctx ends
// first.
func (v *View) Wait(ctx context.Context, ps ...stats.Period) error {
	for {
		v.mu.RLock()
		ch := v.pending(ps)
		v.mu.RUnlock()
		if ch == nil {
			return nil
		}
		select {
		case <-ch: // check again: a reset may have come in between
		case <-ctx.Done():
			return ErrLoading
		}
	}
}

// pending is what the view waits for before it can answer ps, nil when it can; the caller holds
// the lock.
func (v *View) pending(ps []stats.Period) chan struct{} {
	if !v.loaded {
		return v.loadedCh
	}
	for _, p := range ps {
		if !v.daysIn && !wholeMonths(p) {
			return v.daysCh
		}
	}
	return nil
}

// Comments returns up to limit comments of period p that keep passes, negative ratings first,
// then the newest.
func (v *View) Comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment {
	v.mu.RLock()
	var out []stats.Comment
	for day, d := range v.days {
		date, err := stats.ParseDate(day)
		if err != nil || !p.Contains(date) {
			continue
		}
		for i := range d.items {
			if keep == nil || keep(&d.items[i]) {
				out = append(out, d.items[i])
			}
		}
	}
	v.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		ni, nj := out[i].Overall <= 2, out[j].Overall <= 2
		if ni != nj {
			return ni
		}
		return out[i].At.After(out[j].At)
	})
	return out[:min(limit, len(out))]
}

// ForgetCommentsBefore drops from memory the days of comments before day, as the retention
// job drops them from the store.
func (v *View) ForgetCommentsBefore(day stats.Date) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for d := range v.days {
		if date, err := stats.ParseDate(d); err == nil && date.Before(day) {
			delete(v.days, d)
		}
	}
}

// Buckets calls fn, under a read lock, for buckets covering exactly the days of p: a whole month
// comes as one bucket per dimension dated the 1st, other days as day buckets. fn must not keep b.
// Until the view can answer p (see Wait, which callers use to bound the wait) it waits, so it
// never yields part of a period.
func (v *View) Buckets(p stats.Period, fn func(b *stats.Bucket)) {
	ps := []stats.Period{p}
	for {
		v.mu.RLock()
		if v.pending(ps) == nil {
			defer v.mu.RUnlock()
			v.months.each(p, fn)
			return
		}
		v.mu.RUnlock()
		_ = v.Wait(context.Background(), p)
	}
}

// Len is the number of day buckets in memory.
func (v *View) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.buckets)
}
