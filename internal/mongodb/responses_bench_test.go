package mongodb_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

// BenchmarkGroupCommit measures accepted submissions per second straight into the response
// store (no HTTP), 64 concurrent submitters, with the rollup worker running beside it.
func BenchmarkGroupCommit(b *testing.B) {
	db := testkit.Store(b)
	log := testkit.Logger(b)
	j := mongodb.NewJournal(db, log)
	store := mongodb.NewResponseStore(db, j, log)
	defer store.Close()
	var batches, docs atomic.Int64
	store.Batches = func(n int) { batches.Add(1); docs.Add(int64(n)) }
	worker := rollup.NewWorker(mongodb.NewRollupStore(db), nil, log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if os.Getenv("NOWORKER") == "" {
		go worker.Run(ctx, 500*time.Millisecond)
	}
	t := &survey.Ticket{Field: "land", Agency: "H48", Counter: "c1", Delivery: survey.DeliveryDirect}
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := b.N/64 + 1
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				tk := *t
				tk.Token = fmt.Sprintf("tok-%d", next.Add(1))
				r := response(&tk, 5)
				if err := store.SubmitResponse(ctx, r); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.ReportMetric(float64(per*64)/elapsed.Seconds(), "accepted/s")
	if n := batches.Load(); n > 0 {
		b.ReportMetric(float64(docs.Load())/float64(n), "docs/batch")
	}
}
