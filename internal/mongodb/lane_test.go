package mongodb

import (
	"sync"
	"testing"
	"time"
)

// While a write holds the lane, an urgent write that arrives after a background one still goes
// first; a background write kept waiting by a stream of urgent ones goes after maxBackgroundWait.
func TestLanePutsUrgentWritesFirst(t *testing.T) {
	l := newLane()
	var mu sync.Mutex
	var order []string
	record := func(s string) func() error {
		return func() error { mu.Lock(); order = append(order, s); mu.Unlock(); return nil }
	}
	hold := make(chan struct{})
	held := make(chan struct{})
	go func() { _ = l.urgent(func() error { close(held); <-hold; return nil }) }()
	<-held
	var wg sync.WaitGroup
	wg.Go(func() { _ = l.background(record("background")) })
	time.Sleep(20 * time.Millisecond) // the background write is waiting
	wg.Go(func() { _ = l.urgent(record("urgent")) })
	time.Sleep(20 * time.Millisecond)
	close(hold)
	wg.Wait()
	if len(order) != 2 || order[0] != "urgent" {
		t.Fatalf("order %v, want the urgent write first", order)
	}

	// A stream of urgent writes: the background write still goes within about maxBackgroundWait.
	stop := make(chan struct{})
	var stream sync.WaitGroup
	for range 4 {
		stream.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_ = l.urgent(func() error { time.Sleep(time.Millisecond); return nil })
				}
			}
		})
	}
	for busy := false; !busy; time.Sleep(time.Millisecond) { // the stream has started
		l.mu.Lock()
		busy = l.waiting > 0
		l.mu.Unlock()
	}
	start := time.Now()
	_ = l.background(func() error { return nil })
	waited := time.Since(start)
	close(stop)
	stream.Wait()
	if waited < maxBackgroundWait/2 || waited > 4*maxBackgroundWait {
		t.Errorf("background write waited %v under a stream of urgent writes, want about %v", waited, maxBackgroundWait)
	}
}

func TestNilLaneJustWrites(t *testing.T) {
	var l *lane
	n := 0
	_ = l.urgent(func() error { n++; return nil })
	_ = l.background(func() error { n++; return nil })
	if n != 2 {
		t.Fatalf("nil lane ran %d writes, want 2", n)
	}
}
