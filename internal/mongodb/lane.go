package mongodb

import (
	"sync"
	"time"
)

// lane orders the writes that share the embedded store's single writer (see SerialWrites):
// submissions, whose callers wait for them, go ahead of the rollup worker's background writes,
// which otherwise sit in the same queue and hold a waiting submission batch up to one bucket
// command per write it makes. A background write that has waited maxBackgroundWait goes at
// the next turn anyway, so the rollups never starve under a sustained load.
type lane struct {
	mu      sync.Mutex
	turn    *sync.Cond
	busy    bool
	waiting int // urgent writers waiting for their turn
	overdue int // background writers that have waited maxBackgroundWait: they go next
}

const maxBackgroundWait = 250 * time.Millisecond

func newLane() *lane {
	l := &lane{}
	l.turn = sync.NewCond(&l.mu)
	return l
}

// urgent runs write ahead of any waiting background write. A nil lane just runs it.
func (l *lane) urgent(write func() error) error {
	if l == nil {
		return write()
	}
	l.mu.Lock()
	l.waiting++
	for l.busy || l.overdue > 0 {
		l.turn.Wait()
	}
	l.waiting--
	l.busy = true
	l.mu.Unlock()
	defer l.release()
	return write()
}

// background runs write once no urgent write waits, or once it has waited maxBackgroundWait.
func (l *lane) background(write func() error) error {
	if l == nil {
		return write()
	}
	since := time.Now()
	overdue := false
	l.mu.Lock()
	for l.busy || (l.waiting > 0 && !overdue) {
		if !overdue && time.Since(since) >= maxBackgroundWait {
			overdue = true // urgent writers now wait for this one
			l.overdue++
			continue
		}
		l.turn.Wait()
	}
	if overdue {
		l.overdue--
	}
	l.busy = true
	l.mu.Unlock()
	defer l.release()
	return write()
}

func (l *lane) release() {
	l.mu.Lock()
	l.busy = false
	l.mu.Unlock()
	l.turn.Broadcast()
}
