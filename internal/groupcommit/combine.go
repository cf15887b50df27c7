package groupcommit

import (
	"context"
	"sync"
)

// Combiner writes the items of concurrent calls together, one write at a time: a call that
// finds no write under way writes its items at once, and the items added while a write is under
// way go together in the next one. Each call returns the error of the write that held its items.
// On a store where concurrent writers of the same documents collide and retry, this keeps an
// instance's writers from colliding with each other.
type Combiner[T any] struct {
	write   func([]T) error
	mu      sync.Mutex
	busy    bool
	pending []T
	waiting []chan error
}

// NewCombiner returns a combiner writing with write.
func NewCombiner[T any](write func([]T) error) *Combiner[T] {
	return &Combiner[T]{write: write}
}

// Do writes items with those of concurrent calls and returns once they are written, or when
// ctx ends first (they are written all the same). The call that starts a write waits for it.
func (c *Combiner[T]) Do(ctx context.Context, items ...T) error {
	done := make(chan error, 1)
	c.mu.Lock()
	c.pending = append(c.pending, items...)
	c.waiting = append(c.waiting, done)
	start := !c.busy
	c.busy = true
	c.mu.Unlock()
	if start {
		c.drain()
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain makes one write of what is pending and answers its calls; what was added meanwhile is
// written by another goroutine, so no caller waits for more than the write after the one
// under way when it came.
func (c *Combiner[T]) drain() {
	c.mu.Lock()
	items, waiting := c.pending, c.waiting
	c.pending, c.waiting = nil, nil
	c.mu.Unlock()
	err := c.write(items)
	for _, w := range waiting {
		w <- err
	}
	c.mu.Lock()
	more := len(c.waiting) > 0
	c.busy = more
	c.mu.Unlock()
	if more {
		go c.drain()
	}
}
