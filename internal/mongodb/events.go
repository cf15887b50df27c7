package mongodb

import (
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// event is the contribution of storing document docID of col, with its nonce, to bucket b.
func event(col, docID, nonce string, b stats.Bucket, inc map[string]int64) rollup.Event {
	return rollup.Event{Col: col, DocID: docID, Nonce: nonce, Key: b.Key(), Dims: rollup.Dims(b), Inc: inc}
}

// responseEvent is the rollup contribution of storing r, with its comment if it has one and the
// follow-up case it opens, if any.
func responseEvent(r *survey.Response) rollup.Event {
	ev := event(colResponses, r.Token, r.Nonce, stats.ResponseBucket(r), stats.ResponseCounts(r))
	if r.Comment != "" && !r.Misuse {
		ev.Comment = &stats.Comment{
			At: r.SubmittedAt, Field: r.Field, Agency: r.Agency, Counter: r.Counter,
			Overall: r.Overall, Text: r.Comment,
		}
	}
	ev.Case = cases.SeedOf(r)
	return ev
}

// ticketEvent is the rollup contribution of issuing t.
func ticketEvent(t *survey.Ticket) rollup.Event {
	return event(colTickets, t.Token, t.Nonce, stats.TicketBucket(t), stats.TicketCounts(t))
}

// followUpEvent is what adding f to the stored response r adds to r's bucket: the counts of r
// with f less those of r alone (nothing for a response flagged as misuse).
func followUpEvent(r *survey.Response, f *survey.FollowUp) rollup.Event {
	before, after := stats.ResponseCounts(r), stats.ResponseCounts(r.WithFollowUp(f))
	inc := map[string]int64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			inc[k] = d
		}
	}
	ev := event(colResponses, r.Token, f.Nonce, stats.ResponseBucket(r), inc)
	ev.NonceField = fieldFollowUpNonce
	return ev
}
