package groupcommit_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/groupcommit"
)

// Concurrent calls are written together, never two writes at once, every item exactly once,
// and each call returns only once its own items are written, with that write's error.
func TestCombinerWritesConcurrentCallsTogetherOneWriteAtATime(t *testing.T) {
	var (
		mu      sync.Mutex
		written []int
		writes  int
		inWrite atomic.Int32
	)
	failing := errors.New("write failed")
	c := groupcommit.NewCombiner(func(items []int) error {
		if inWrite.Add(1) != 1 {
			t.Error("two writes at once")
		}
		defer inWrite.Add(-1)
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		writes++
		written = append(written, items...)
		if slices.Contains(items, 13) {
			return failing
		}
		return nil
	})
	const calls = 64
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.Do(context.Background(), i)
			mu.Lock()
			defer mu.Unlock()
			if !slices.Contains(written, i) {
				t.Errorf("call %d returned before its item was written", i)
			}
			if i == 13 && !errors.Is(err, failing) {
				t.Errorf("the call whose write failed got %v", err)
			}
		}()
	}
	wg.Wait()
	slices.Sort(written)
	for i, v := range written {
		if i >= calls || v != i {
			t.Fatalf("written %v, want each of 0..%d once", written, calls-1)
		}
	}
	if writes >= calls/2 {
		t.Errorf("%d writes for %d concurrent calls, want them combined", writes, calls)
	}
}
