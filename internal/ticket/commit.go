package ticket

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/groupcommit"
	"github.com/hailong/hailong/internal/survey"
)

// committer stores tickets with group commit, as responses are: the tickets of concurrent
// calls are written together, one batch write per step (short codes, dossiers, journal,
// tickets) whatever their number, and each caller is answered once its own tickets are stored
// and announced. A ticket's failure, or a dossier that already has a ticket, is its own.
type committer struct {
	store     Store
	listeners []Listener
	in        chan *request
	mu        sync.RWMutex // held to send on in, and to close it
	closed    bool
	wg        sync.WaitGroup
}

// request is one call's tickets, answered together.
type request struct {
	tickets []*survey.Ticket
	results []Result
	done    chan struct{}
}

// Group-commit tuning: the most tickets one batch carries (a batch import's call may exceed
// it alone), and how long a writer gathers calls after its last batch ended. The callers that
// batch answered send their next calls within a few milliseconds: without the wait, the first
// of them would go alone and the rest wait a whole batch for it (under a closed-loop load,
// batches alternated between 127 tickets and 1). A call after a quiet spell is written at once.
const (
	maxBatch    = 512
	minFlushGap = 5 * time.Millisecond
)

var errClosing = survey.Wrap(errors.New("ticket: the issuer is closing"))

func newCommitter(writers int, store Store, listeners []Listener) *committer {
	c := &committer{store: store, listeners: listeners, in: make(chan *request, maxBatch)}
	for range max(writers, 1) {
		c.wg.Add(1)
		go c.writer()
	}
	return c
}

// issue stores ts with the next batch and returns their results in order.
func (c *committer) issue(ctx context.Context, ts []*survey.Ticket) []Result {
	if len(ts) == 0 {
		return nil
	}
	r := &request{tickets: ts, done: make(chan struct{})}
	if err := c.send(ctx, r); err != nil {
		return failAll(len(ts), err)
	}
	select {
	case <-r.done:
		return r.results
	case <-ctx.Done():
		return failAll(len(ts), survey.Wrap(ctx.Err()))
	}
}

func (c *committer) send(ctx context.Context, r *request) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return errClosing
	}
	select {
	case c.in <- r:
		return nil
	case <-ctx.Done():
		return survey.Wrap(ctx.Err())
	}
}

func failAll(n int, err error) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i].Err = err
	}
	return out
}

// close stops taking requests and waits until the queued ones are stored.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.in)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *committer) writer() {
	defer c.wg.Done()
	var flushed time.Time
	for first := range c.in {
		batch := groupcommit.Gather(c.in, first, flushed, minFlushGap, maxBatch, func(r *request) int { return len(r.tickets) })
		c.flush(batch)
		flushed = time.Now()
	}
}

// flush stores the batch's tickets, tells the listeners of the new ones, then answers each
// caller with its own results.
func (c *committer) flush(batch []*request) {
	var ts []*survey.Ticket
	for _, r := range batch {
		ts = append(ts, r.tickets...)
	}
	ctx := context.Background()
	results := c.store.IssueTickets(ctx, ts)
	var created []*survey.Ticket
	for _, r := range results {
		if r.Err == nil && r.Created {
			created = append(created, r.Ticket)
		}
	}
	if len(created) > 0 {
		for _, l := range c.listeners {
			l.TicketsIssued(ctx, created)
		}
	}
	for _, r := range batch {
		r.results, results = results[:len(r.tickets)], results[len(r.tickets):]
		close(r.done)
	}
}
