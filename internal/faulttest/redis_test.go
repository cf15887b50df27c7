package faulttest

import (
	"context"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/testkit"
)

// Redis only shares rate limits: while it is down every valid submission must still be stored
// (no 5xx, no 429 from a limiter failing closed), and once it is back the limits live in it again.
func TestRedisStoppedMidLoad(t *testing.T) {
	skipShort(t)
	r := testkit.StartRedis(t)
	s := startServer(t, "a", t.TempDir(), "REDIS_URL="+r.URL)
	c := newClient()
	tokens := issueTickets(t, c, s.base, s.apiKey(), "REDIS", 360)
	during, after := tokens[:240], tokens[240:]

	// About 60 submissions a second: Redis is stopped a second in, and the load goes on for
	// a few seconds without it.
	l := startPacedLoad(c, s.base, during, 8, 120*time.Millisecond)
	sampling := sampleRateLimitKeys(t, r.URL)
	time.Sleep(time.Second)
	if n := sampling(); n == 0 {
		t.Errorf("no rate-limit keys in Redis during a second of load: rate limits are not in Redis")
	}
	stoppedAt := time.Now()
	r.Stop()
	outcomes := l.Wait()
	first := tallyOf(outcomes)
	whileDown := 0
	for _, o := range outcomes {
		if o.start.After(stoppedAt) {
			whileDown++
		}
	}
	t.Logf("first load: %d submissions, %d of them sent after Redis was stopped", len(first.attempted), whileDown)
	if whileDown < 20 {
		t.Fatalf("only %d submissions were sent while Redis was down; the load ended too soon to test anything", whileDown)
	}
	expectAllCreated(t, "with Redis stopped mid-load", first)

	r.Start()
	restartedAt := time.Now()
	sampling = sampleRateLimitKeys(t, r.URL)
	second := tallyOf(startPacedLoad(c, s.base, after, 4, 100*time.Millisecond).Wait())
	keys := sampling()
	t.Logf("second load: %d submissions over %s after Redis restarted", len(second.attempted), time.Since(restartedAt).Round(time.Millisecond))
	expectAllCreated(t, "after Redis restarted", second)
	if keys == 0 {
		t.Errorf("the restarted Redis never held a rate-limit key during %d submissions: rate limiting did not return to Redis", len(second.attempted))
	} else {
		t.Logf("the restarted Redis held up to %d rate-limit keys during the load: limits are shared through it again", keys)
	}
	checkStored(t, s.store(), append(first.acked, second.acked...), append(first.attempted, second.attempted...))
}

// expectAllCreated fails the test for every submission that did not get 201.
func expectAllCreated(t *testing.T, when string, tl tally) {
	t.Helper()
	if len(tl.failed) > 0 {
		t.Errorf("%s: %d submissions got a transport error, want 201", when, len(tl.failed))
	}
	for status, os := range tl.byStatus {
		t.Errorf("%s: %d submissions got status %d, want 201 (first: %s)", when, len(os), status, os[0])
	}
}

// sampleRateLimitKeys counts the limiter's keys in the Redis at url every 50 ms until the
// returned func is called, which gives the most seen. Keys are sampled while the load runs
// because a limit as generous as the test's expires its key within a second.
func sampleRateLimitKeys(t *testing.T, url string) func() int {
	t.Helper()
	rc := testkit.RedisClient(t, url)
	stop, done := make(chan struct{}), make(chan int)
	go func() {
		most := 0
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			// redis_rate stores "<HAILONG_REDIS_PREFIX>rl:<bucket>:<client>" under its own "rate:"
			// prefix; the servers here keep the default prefix, hl:<HAILONG_DB>: (a database of the
			// test's own on MONGODB_URI).
			keys, err := rc.Keys(ctx, "*hl:*:rl:*").Result()
			cancel()
			if err == nil {
				most = max(most, len(keys))
			}
			select {
			case <-stop:
				done <- most
				return
			case <-tick.C:
			}
		}
	}()
	return func() int {
		close(stop)
		return <-done
	}
}
