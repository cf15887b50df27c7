package mongodb

import (
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// RollupDims are the dimensions of a rollup bucket: one day (Asia/Ho_Chi_Minh) of one
// officer at one counter of one agency, for one field and one response source.
type RollupDims struct {
	Day     string `bson:"day"`
	Agency  string `bson:"agency"`
	Counter string `bson:"counter"`
	Field   string `bson:"field"`
	Source  string `bson:"source"`
	Officer string `bson:"officer"`
}

// Key is the bucket's _id in the rollups collection.
func (d RollupDims) Key() string {
	return strings.Join([]string{d.Day, d.Agency, d.Counter, d.Field, d.Source, d.Officer}, "|")
}

func (d RollupDims) doc() bson.D {
	return bson.D{
		{Key: "day", Value: d.Day}, {Key: "agency", Value: d.Agency}, {Key: "counter", Value: d.Counter},
		{Key: "field", Value: d.Field}, {Key: "source", Value: d.Source}, {Key: "officer", Value: d.Officer},
	}
}

// Rollup counter names. A response flagged as misuse only counts in CounterMisuse.
const (
	CounterIssued    = "issued"   // tickets issued (by issue day)
	CounterAnswered  = "answered" // responses stored, misuse included
	CounterMisuse    = "misuse"   // responses flagged as misuse
	CounterRated     = "n"        // responses with an overall rating (the denominator)
	CounterSatisfied = "sat"      // overall rating 4 or 5
	CounterNegative  = "neg"      // overall rating 1 or 2
	CounterPayment   = "pay"      // asked for extra payment or harassed
	CounterLate      = "late"     // dossier settled late
	CounterFlagged   = "d766"     // dossier rated dissatisfied, complained about, or late
)

// RatingCounter names the counter of overall rating r ("r1".."r5").
func RatingCounter(r int) string { return "r" + strconv.Itoa(r) }

// CriterionCounter names the counter of rating r on a SIPAS criterion ("c_staff_4").
func CriterionCounter(criterion string, r int) string {
	return "c_" + criterion + "_" + strconv.Itoa(r)
}

// responseEvent is the rollup contribution of storing r.
func responseEvent(r *survey.Response) Event {
	dims := RollupDims{
		Day: stats.DateOf(r.SubmittedAt).String(), Agency: r.Agency, Counter: r.Counter,
		Field: r.Field, Source: string(r.Source), Officer: r.Officer,
	}
	return Event{Col: colResponses, DocID: r.Token, Nonce: r.Nonce, Key: dims.Key(), Dims: dims.doc(), Inc: ResponseCounters(r)}
}

// ResponseCounters is what r adds to its bucket; a full recount sums the same thing.
func ResponseCounters(r *survey.Response) map[string]int64 {
	inc := map[string]int64{CounterAnswered: 1}
	if r.Misuse {
		inc[CounterMisuse] = 1
		return inc
	}
	late := r.OnTime != nil && !*r.OnTime
	neg := r.Overall == 1 || r.Overall == 2
	if stats.ValidRating(r.Overall) {
		inc[CounterRated] = 1
		inc[RatingCounter(r.Overall)] = 1
		if stats.IsSatisfied(r.Overall) {
			inc[CounterSatisfied] = 1
		}
	}
	for name, on := range map[string]bool{CounterNegative: neg, CounterPayment: r.ExtraPayment, CounterLate: late, CounterFlagged: neg || late || r.ExtraPayment} {
		if on {
			inc[name] = 1
		}
	}
	for _, c := range r.Criteria {
		inc[CriterionCounter(c.Criterion, c.Rating)]++
	}
	return inc
}

// ticketDims is the bucket a ticket's issue counts in.
func ticketDims(t *survey.Ticket) RollupDims {
	return RollupDims{
		Day: stats.DateOf(t.IssuedAt).String(), Agency: t.Agency, Counter: t.Counter,
		Field: t.Field, Source: "", Officer: t.Officer,
	}
}
