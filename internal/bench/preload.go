package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/embedded"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// loadResult is what loading one scale took.
type loadResult struct {
	responses, buckets int
	raw, total         time.Duration
	key                string // a stats:read API key, created while the store was open
	reused             bool   // loaded by an earlier run (--stats-data)
}

func (l loadResult) String() string {
	if l.reused {
		return fmt.Sprintf("%d responses and %d rollup docs loaded by an earlier run (--stats-data)", l.responses, l.buckets)
	}
	return fmt.Sprintf("%d responses in %s (%.0f/s), then %d rollup docs; %s in all (%.0f docs/s)",
		l.responses, secs(l.raw), float64(l.responses)/l.raw.Seconds(), l.buckets,
		secs(l.total), float64(l.responses+l.buckets)/l.total.Seconds())
}

// loadWriters insert in parallel; the store's single SQLite writer is the limit beyond a few.
const (
	loadWriters = 4
	loadBatch   = 1000
)

// loadSynthetic starts the embedded store on dir in-process and writes n synthetic responses
// and their rollup buckets straight into it, far faster than through the API.
func (b *bench) loadSynthetic(ctx context.Context, dir string, n int) (loadResult, error) {
	log := slog.New(slog.NewTextHandler(b.progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	es, err := embedded.Start(dir, log, "normal") // a loader: nothing here is acknowledged to anyone
	if err != nil {
		return loadResult{}, err
	}
	defer es.Stop()
	db, err := mongodb.Open(ctx, es.URI, "hailong")
	if err != nil {
		return loadResult{}, err
	}
	defer func() { _ = db.Close(context.Background()) }()
	if err := db.EnsureSchema(ctx); err != nil {
		return loadResult{}, err
	}
	key, _, err := mongodb.NewAPIKeyStore(db).CreateAPIKey(ctx, "bench", []string{account.ScopeStatsRead}, time.Now())
	if err != nil {
		return loadResult{}, err
	}
	res, err := b.fill(ctx, db, n)
	res.key = key
	return res, err
}

// fill writes n synthetic responses, then their rollup documents (day buckets and month sums),
// and times both.
func (b *bench) fill(ctx context.Context, db *mongodb.DB, n int) (loadResult, error) {
	start := time.Now()
	buckets, err := b.insertResponses(ctx, db.DB.Collection("responses"), n)
	if err != nil {
		return loadResult{}, err
	}
	res := loadResult{responses: n, buckets: len(buckets), raw: time.Since(start)}
	if err := insertRollups(ctx, db.DB.Collection("rollups"), buckets); err != nil {
		return loadResult{}, err
	}
	if err := mongodb.NewRollupStore(db).BuildMonths(ctx, 0, rollup.MonthSums(buckets)); err != nil {
		return loadResult{}, err
	}
	res.total = time.Since(start)
	return res, nil
}

// insertResponses writes n responses from loadWriters goroutines, each a contiguous stretch of
// the year, and returns their rollup buckets.
func (b *bench) insertResponses(ctx context.Context, col *mongo.Collection, n int) (stats.Buckets, error) {
	var done atomic.Int64
	stop := b.reportProgress(n, &done)
	defer stop()
	parts := make([]stats.Buckets, loadWriters)
	errs := make([]error, loadWriters)
	var wg sync.WaitGroup
	for w := range loadWriters {
		wg.Go(func() {
			parts[w], errs[w] = insertRange(ctx, col, n*w/loadWriters, n*(w+1)/loadWriters, n, &done)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all := stats.Buckets{}
	for _, p := range parts {
		all.Merge(p)
	}
	return all, nil
}

func insertRange(ctx context.Context, col *mongo.Collection, lo, hi, n int, done *atomic.Int64) (stats.Buckets, error) {
	buckets := stats.Buckets{}
	batch := make([]any, 0, loadBatch)
	for i := lo; i < hi; i++ {
		r := synthResponse(i, n)
		buckets.Add(stats.ResponseBucket(r), stats.ResponseCounts(r))
		batch = append(batch, r)
		if len(batch) < loadBatch && i < hi-1 {
			continue
		}
		if err := insertBatch(ctx, col, batch); err != nil {
			return nil, err
		}
		done.Add(int64(len(batch)))
		batch = batch[:0]
	}
	return buckets, nil
}

func insertRollups(ctx context.Context, col *mongo.Collection, buckets stats.Buckets) error {
	docs := make([]any, 0, loadBatch)
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		err := insertBatch(ctx, col, docs)
		docs = docs[:0]
		return err
	}
	for _, bucket := range buckets {
		if docs = append(docs, mongodb.RollupDoc(bucket)); len(docs) == loadBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// insertBatch inserts docs with a deadline of its own: it outlasts the store client's 10 s
// default, which a busy machine can exceed for a batch.
func insertBatch(ctx context.Context, col *mongo.Collection, docs []any) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return fmt.Errorf("bench: insert into %s: %w", col.Name(), err)
	}
	return nil
}

// reportProgress prints a progress line to stderr every 5 s until stopped.
func (b *bench) reportProgress(n int, done *atomic.Int64) (stop func()) {
	quit := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				d := done.Load()
				b.logf("stats %d: loaded %d responses (%.0f%%), %.0f/s", n, d, 100*float64(d)/float64(n), float64(d)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(quit) }
}
