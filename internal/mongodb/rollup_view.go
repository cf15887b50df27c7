package mongodb

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/stats"
)

// RollupView is an in-memory copy of the rollup buckets that follows the numbered batches, so
// a stats query reads memory: its cost depends on the number of buckets, never on the number of
// responses. Several instances each keep their own view of the one store.
type RollupView struct {
	w       *RollupWorker
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

// NewRollupView returns an empty view; Refresh loads it.
func NewRollupView(w *RollupWorker) *RollupView {
	return &RollupView{w: w, buckets: map[string]*viewBucket{}, months: newMonthIndex(), days: map[string]*dayComments{}}
}

// rollupDoc is a bucket as stored.
type rollupDoc struct {
	Key     string           `bson:"_id"`
	Seq     int64            `bson:"seq"`
	Day     string           `bson:"day"`
	Agency  string           `bson:"agency"`
	Counter string           `bson:"counter"`
	Field   string           `bson:"field"`
	Source  string           `bson:"source"`
	Officer string           `bson:"officer"`
	C       map[string]int64 `bson:"c"`
}

func (d *rollupDoc) bucket() (stats.Bucket, error) {
	day, err := stats.ParseDate(d.Day)
	if err != nil {
		return stats.Bucket{}, fmt.Errorf("mongodb: rollup %q: %w", d.Key, err)
	}
	return stats.Bucket{Day: day, Agency: d.Agency, Counter: d.Counter, Field: d.Field, Source: d.Source, Officer: d.Officer, Counts: d.C}, nil
}

// Refresh brings the view up to the last completed batch.
func (v *RollupView) Refresh(ctx context.Context) error {
	v.mu.RLock()
	loaded := v.loaded
	v.mu.RUnlock()
	if !loaded {
		return v.reload(ctx)
	}
	done, err := v.w.Done(ctx)
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
		b, err := v.w.batch(ctx, next)
		if err != nil {
			return err
		}
		if b == nil { // fell behind the kept batches
			return v.reload(ctx)
		}
		v.applyBatch(b)
	}
}

func (v *RollupView) applyBatch(b *Batch) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, bi := range b.Incs {
		vb, ok := v.buckets[bi.Key]
		if !ok {
			doc := rollupDoc{Key: bi.Key}
			raw, _ := bson.Marshal(bi.Dims)
			_ = bson.Unmarshal(raw, &doc)
			bk, err := doc.bucket()
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
func (v *RollupView) reload(ctx context.Context) error {
	done, err := v.w.Done(ctx)
	if err != nil {
		return err
	}
	cur, err := v.w.rollups.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("mongodb: read rollups: %w", err)
	}
	defer cur.Close(ctx)
	buckets := map[string]*viewBucket{}
	for cur.Next(ctx) {
		var d rollupDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongodb: decode rollup: %w", err)
		}
		b, err := d.bucket()
		if err != nil {
			return err
		}
		buckets[d.Key] = &viewBucket{Bucket: b, seq: d.Seq}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("mongodb: read rollups: %w", err)
	}
	days := map[string]*dayComments{}
	err = scan(ctx, v.w.comments, func(d *struct {
		Day   string          `bson:"_id"`
		Seq   int64           `bson:"seq"`
		Items []stats.Comment `bson:"items"`
	}) {
		days[d.Day] = &dayComments{items: d.Items, seq: d.Seq}
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
func (v *RollupView) Comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment {
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

// Buckets calls fn, under a read lock, for buckets covering exactly the days of p: a whole month
// comes as one bucket per dimension dated the 1st, other days as day buckets. fn must not keep b.
func (v *RollupView) Buckets(p stats.Period, fn func(b *stats.Bucket)) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	v.months.each(p, fn)
}

// Len is the number of buckets in memory.
func (v *RollupView) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.buckets)
}
