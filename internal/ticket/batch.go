package ticket

import (
	"context"
	"sync"

	"github.com/hailong/hailong/internal/survey"
)

// BatchLimit is the most dossiers one batch import may carry.
const BatchLimit = 500

// batchParallel bounds how many dossiers of one batch are issued at once. The embedded store
// writes one at a time, so more gain nothing: with 32 at once, a 500-dossier batch under the
// race detector on a loaded 2-core machine ran into the store's 10 s timeout (503).
const batchParallel = 8

// Result is the outcome of issuing one dossier of a batch, as Issue would return it.
type Result struct {
	Ticket  *survey.Ticket
	Created bool
	Err     error
}

// IssueAll issues the ticket of each request through Issue, several at a time, and returns one
// result per request in order: a bad request fails alone, and a dossier sent twice gets one
// ticket. Each ticket is marked as issued by batch.
func (is *Issuer) IssueAll(ctx context.Context, reqs []*survey.TicketRequest) []Result {
	out := make([]Result, len(reqs))
	slots := make(chan struct{}, batchParallel)
	var wg sync.WaitGroup
	for i, req := range reqs {
		req.IssuedBy = survey.IssuedByBatch
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			t, created, err := is.Issue(ctx, req)
			out[i] = Result{Ticket: t, Created: created, Err: err}
		})
	}
	wg.Wait()
	return out
}
