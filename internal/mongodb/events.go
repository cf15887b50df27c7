package mongodb

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// bucketDims are the dimension fields stored on a rollup document.
func bucketDims(b stats.Bucket) bson.D {
	return bson.D{
		{Key: "day", Value: b.Day.String()}, {Key: "agency", Value: b.Agency}, {Key: "counter", Value: b.Counter},
		{Key: "field", Value: b.Field}, {Key: "source", Value: b.Source}, {Key: "officer", Value: b.Officer},
	}
}

func event(col, docID, nonce string, b stats.Bucket, inc map[string]int64) Event {
	return Event{Col: col, DocID: docID, Nonce: nonce, Key: b.Key(), Dims: bucketDims(b), Inc: inc}
}

// responseEvent is the rollup contribution of storing r, with its comment if it has one.
func responseEvent(r *survey.Response) Event {
	ev := event(colResponses, r.Token, r.Nonce, stats.ResponseBucket(r), stats.ResponseCounts(r))
	if r.Comment != "" && !r.Misuse {
		ev.Comment = &stats.Comment{
			At: r.SubmittedAt, Field: r.Field, Agency: r.Agency, Counter: r.Counter,
			Overall: r.Overall, Text: r.Comment,
		}
	}
	return ev
}

// ticketEvent is the rollup contribution of issuing t.
func ticketEvent(t *survey.Ticket) Event {
	return event(colTickets, t.Token, t.Nonce, stats.TicketBucket(t), stats.TicketCounts())
}
