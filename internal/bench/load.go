package bench

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// closedLoop runs n requests with workers clients, each sending its next request when the last
// one is answered.
func closedLoop(ctx context.Context, n, workers int, do func(ctx context.Context, i int) int) *tally {
	var next atomic.Int64
	parts := make([]*tally, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range parts {
		t := newTally()
		parts[w] = t
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				sent := time.Now()
				status := do(ctx, i)
				t.add(status, time.Since(sent), time.Since(start))
			}
		})
	}
	wg.Wait()
	total := newTally()
	for _, p := range parts {
		total.merge(p)
	}
	total.elapsed = time.Since(start)
	return total
}

// maxInFlight bounds the open-loop phase: beyond it a send waits, and the wait shows in latency.
const maxInFlight = 1024

// openLoop sends request i at start + i×interval, each in its own goroutine, whatever the
// answers before it. Latency runs from the scheduled time, so a server falling behind shows up
// in it rather than slowing the sender (no coordinated omission). It also returns how long
// sending took.
func openLoop(ctx context.Context, n int, interval time.Duration, do func(ctx context.Context, i int) int) (*tally, time.Duration) {
	sem := make(chan struct{}, maxInFlight)
	var mu sync.Mutex
	t := newTally()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if sleep(ctx, time.Until(due)) != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			status := do(ctx, i)
			mu.Lock()
			t.add(status, time.Since(due), time.Since(start))
			mu.Unlock()
		})
	}
	sending := time.Since(start)
	wg.Wait()
	t.elapsed = time.Since(start)
	return t, sending
}

// throughput is what forDuration counted.
type throughput struct {
	ops, errs int
	elapsed   time.Duration
}

func (t throughput) perSec() float64 { return float64(t.ops) / t.elapsed.Seconds() }

func (t throughput) String() string {
	s := fmt.Sprintf("%.0f/s (%d in %s)", t.perSec(), t.ops, secs(t.elapsed))
	if t.errs > 0 {
		s += fmt.Sprintf(", %d errors", t.errs)
	}
	return s
}

// forDuration calls op from workers goroutines for d and counts what they did; op returns how
// many operations one call performed.
func forDuration(ctx context.Context, workers int, d time.Duration, op func(ctx context.Context) (int, error)) throughput {
	var ops, errs atomic.Int64
	start := time.Now()
	stop := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) && ctx.Err() == nil {
				n, err := op(ctx)
				if err != nil {
					errs.Add(1)
					continue
				}
				ops.Add(int64(n))
			}
		})
	}
	wg.Wait()
	return throughput{ops: int(ops.Load()), errs: int(errs.Load()), elapsed: time.Since(start)}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// tally collects the statuses and latencies of a phase's requests.
type tally struct {
	lat      latencies
	finished []time.Duration // when each request was answered, from the start of the phase
	statuses map[int]int
	elapsed  time.Duration
}

func newTally() *tally { return &tally{statuses: map[int]int{}} }

func (t *tally) add(status int, latency, finished time.Duration) {
	t.lat = append(t.lat, latency)
	t.finished = append(t.finished, finished)
	t.statuses[status]++
}

func (t *tally) merge(o *tally) {
	t.lat = append(t.lat, o.lat...)
	t.finished = append(t.finished, o.finished...)
	for s, n := range o.statuses {
		t.statuses[s] += n
	}
}

func (t *tally) count(status int) int { return t.statuses[status] }

// trend is the answer rate in each quarter of the phase: a falling rate means the server slows
// down as its data grows.
func (t *tally) trend() string {
	if len(t.finished) == 0 || t.elapsed <= 0 {
		return "no answers"
	}
	var n [4]int
	for _, f := range t.finished {
		n[min(int(4*f/t.elapsed), 3)]++
	}
	quarter := t.elapsed.Seconds() / 4
	return fmt.Sprintf("%.0f, %.0f, %.0f, %.0f answers/s", float64(n[0])/quarter, float64(n[1])/quarter, float64(n[2])/quarter, float64(n[3])/quarter)
}

func (t *tally) rate(status int) float64 {
	if t.elapsed <= 0 {
		return 0
	}
	return float64(t.count(status)) / t.elapsed.Seconds()
}

// errorLine lists the counts of every status but ok, e.g. "409: 3, no answer: 1".
func (t *tally) errorLine(ok int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(t.statuses)) {
		if s == ok {
			continue
		}
		name := strconv.Itoa(s)
		switch s {
		case 0:
			name = "no answer"
		case -1:
			name = "unreadable answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, t.statuses[s]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
