package redisstore_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/testkit"
)

// A client's count is shared by the instances of one deployment, and not by another deployment
// that happens to use the same Redis.
func TestLimiterCountsArePerDeployment(t *testing.T) {
	url := testkit.RedisURL(t)
	run := fmt.Sprintf("hl:test-%d", time.Now().UnixNano())
	newLimiter := func(prefix string) *redisstore.Limiter {
		return redisstore.NewLimiter(testkit.RedisClient(t, url), prefix, testkit.Logger(t))
	}
	a1, a2, b := newLimiter(run+"-a:"), newLimiter(run+"-a:"), newLimiter(run+"-b:")
	ctx, limit := context.Background(), redisstore.PerMinute(1)

	if ok, _ := a1.Allow(ctx, "signin:client", limit); !ok {
		t.Fatal("the first attempt was refused")
	}
	if ok, _ := a2.Allow(ctx, "signin:client", limit); ok {
		t.Error("the same deployment's other instance allowed a second attempt within the limit of 1")
	}
	if ok, _ := b.Allow(ctx, "signin:client", limit); !ok {
		t.Error("another deployment's attempt was counted against this one's limit")
	}
}

// Checks sent at once share round trips to Redis; each is still counted once, so a limit of 50
// lets exactly 50 of 200 simultaneous requests through, and each request gets its own answer.
func TestLimiterHoldsUnderConcurrentChecks(t *testing.T) {
	url := testkit.RedisURL(t)
	l := redisstore.NewLimiter(testkit.RedisClient(t, url), fmt.Sprintf("hl:test-%d:", time.Now().UnixNano()), testkit.Logger(t))
	ctx, limit := context.Background(), redisstore.PerMinute(50)

	var allowed, other atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if ok, _ := l.Allow(ctx, "submit:crowd", limit); ok {
				allowed.Add(1)
			}
			// A client of its own beside the crowd is never refused.
			if ok, _ := l.Allow(ctx, fmt.Sprintf("submit:alone-%d", i), limit); ok {
				other.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 50 {
		t.Errorf("%d of 200 simultaneous requests of one client allowed under a limit of 50", n)
	}
	if n := other.Load(); n != 200 {
		t.Errorf("%d of 200 clients with one request each allowed, want all", n)
	}
}

// BenchmarkLimiterConcurrent checks distinct clients' limits from 128 goroutines at once, as a
// busy instance does, against REDIS_URL (or a throwaway server), and reports this process's
// CPU time per check beside the time.
//
//	go test ./internal/redisstore -run '^$' -bench LimiterConcurrent -benchtime 100000x
func BenchmarkLimiterConcurrent(b *testing.B) {
	url := testkit.RedisURL(b)
	l := redisstore.NewLimiter(testkit.RedisClient(b, url), fmt.Sprintf("hl:bench-%d:", time.Now().UnixNano()), testkit.Logger(b))
	ctx, limit := context.Background(), redisstore.PerMinute(1_000_000)
	const workers = 128
	var next atomic.Int64
	cpu0 := processCPU(b)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if ok, _ := l.Allow(ctx, "submit:client-"+strconv.FormatInt(i%10_000, 10), limit); !ok {
					b.Error("a check was refused under a limit it cannot reach")
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N)/1e3, "cpu-µs/check")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

// processCPU is the user and system CPU time this process has used, in nanoseconds.
func processCPU(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
