package rollup

import (
	"context"
	"sort"
	"sync"

	"github.com/hailong/hailong/internal/stats"
)

// ViewStore is what a view reads: every stored bucket and comment day once, then the batches
// completed since.
type ViewStore interface {
	// Done returns the number of the last completed batch, 0 before the first.
	Done(ctx context.Context) (int64, error)
	// Batch reads batch id; nil when it was not created yet or is no longer kept.
	Batch(ctx context.Context, id int64) (*Batch, error)
	// EachBucket calls fn for every stored bucket, with the last batch applied to it.
	EachBucket(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error
	// EachCommentDay calls fn for every stored day of comments, with the last batch applied to it.
	EachCommentDay(ctx context.Context, fn func(day string, seq int64, items []stats.Comment)) error
}

// View is an in-memory copy of the rollup buckets that follows the numbered batches, so a stats
// query reads memory: its cost depends on the number of buckets, never on the number of
// responses. Several instances each keep their own view of the one store.
type View struct {
	store   ViewStore
	mu      sync.RWMutex
	buckets map[string]*viewBucket
	months  monthIndex
	applied int64
	loaded  bool
	days    map[string]*dayComments
}

type dayComments struct {
	items []stats.Comment
	seq   int64
}

type viewBucket struct {
	stats.Bucket
	seq int64
}

// NewView returns an empty view on store; Refresh loads it.
func NewView(store ViewStore) *View {
	return &View{store: store, buckets: map[string]*viewBucket{}, months: newMonthIndex(), days: map[string]*dayComments{}}
}

// Refresh brings the view up to the last completed batch.
func (v *View) Refresh(ctx context.Context) error {
	v.mu.RLock()
	loaded := v.loaded
	v.mu.RUnlock()
	if !loaded {
		return v.reload(ctx)
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
		if b == nil { // fell behind the kept batches
			return v.reload(ctx)
		}
		v.applyBatch(b)
	}
}

func (v *View) applyBatch(b *Batch) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, bi := range b.Incs {
		vb, ok := v.buckets[bi.Key]
		if !ok {
			bk, err := bucketOf(bi.Dims)
			if err != nil {
				continue
			}
			vb = &viewBucket{Bucket: bk}
			v.buckets[bi.Key] = vb
			v.months.addBucket(vb)
		}
		if vb.seq >= b.ID {
			continue
		}
		vb.Add(bi.Inc)
		v.months.add(&vb.Bucket, bi.Inc)
		vb.seq = b.ID
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

// reload reads every bucket. Buckets already holding a later batch than the recorded
// progress are marked with their own seq, so following batches skip them.
func (v *View) reload(ctx context.Context) error {
	done, err := v.store.Done(ctx)
	if err != nil {
		return err
	}
	buckets := map[string]*viewBucket{}
	err = v.store.EachBucket(ctx, func(key string, seq int64, b stats.Bucket) {
		buckets[key] = &viewBucket{Bucket: b, seq: seq}
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
	months := newMonthIndex()
	for _, vb := range buckets {
		months.addBucket(vb)
	}
	v.buckets, v.months, v.applied, v.loaded, v.days = buckets, months, done, true, days
	v.mu.Unlock()
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
func (v *View) Buckets(p stats.Period, fn func(b *stats.Bucket)) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	v.months.each(p, fn)
}

// Len is the number of buckets in memory.
func (v *View) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.buckets)
}
