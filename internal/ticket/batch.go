package ticket

import (
	"context"

	"github.com/hailong/hailong/internal/survey"
)

// BatchLimit is the most dossiers one batch import may carry.
const BatchLimit = 500

// Result is the outcome of issuing one dossier of a batch, as Issue would return it.
type Result struct {
	Ticket  *survey.Ticket
	Created bool
	Err     error
}

// IssueAll issues the ticket of each request and returns one result per request in order: a
// bad request fails alone, and a dossier sent twice gets one ticket. The valid requests go to
// the store together, in as few batch writes as its batch size allows. Each ticket is marked as
// issued by batch.
func (is *Issuer) IssueAll(ctx context.Context, reqs []*survey.TicketRequest) []Result {
	out := make([]Result, len(reqs))
	var ts []*survey.Ticket
	var at []int
	for i, req := range reqs {
		req.IssuedBy = survey.IssuedByBatch
		if errs := is.Validate(ctx, req); len(errs) > 0 {
			out[i].Err = errs
			continue
		}
		ts, at = append(ts, is.newTicket(req)), append(at, i)
	}
	for k, r := range is.commit.issue(ctx, ts) {
		out[at[k]] = r
	}
	return out
}
