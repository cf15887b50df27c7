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
	for l.busy {
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
	l.mu.Lock()
	for l.busy || (l.waiting > 0 && time.Since(since) < maxBackgroundWait) {
		l.turn.Wait()
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
