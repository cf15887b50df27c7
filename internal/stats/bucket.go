package stats

import (
	"strconv"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// Bucket is one rollup bucket: the counts of one day (Asia/Ho_Chi_Minh) of one officer at one
// counter of one agency, for one field and one response channel. Tickets count in buckets with
// an empty channel.
type Bucket struct {
	Day     Date
	Agency  string
	Counter string
	Field   string
	Channel string
	Officer string
	Counts  map[string]int64
}

// BucketKey is the identity of a bucket, used as its _id in the store.
func BucketKey(day, agency, counter, field, channel, officer string) string {
	return strings.Join([]string{day, agency, counter, field, channel, officer}, "|")
}

// Key returns the bucket's identity.
func (b *Bucket) Key() string {
	return BucketKey(b.Day.String(), b.Agency, b.Counter, b.Field, b.Channel, b.Officer)
}

// Add adds counts to the bucket.
func (b *Bucket) Add(counts map[string]int64) {
	if b.Counts == nil {
		b.Counts = make(map[string]int64, len(counts))
	}
	for k, v := range counts {
		b.Counts[k] += v
	}
}

// Buckets are rollup buckets by key, as the rollups keep them.
type Buckets map[string]*Bucket

// Add adds counts to b's bucket, creating it on first use.
func (bs Buckets) Add(b Bucket, counts map[string]int64) {
	k := b.Key()
	mine, ok := bs[k]
	if !ok {
		b.Counts = nil
		mine = &b
		bs[k] = mine
	}
	mine.Add(counts)
}

// Merge adds every bucket of o into bs.
func (bs Buckets) Merge(o Buckets) {
	for _, b := range o {
		bs.Add(*b, b.Counts)
	}
}

// Rollup counter names. A response flagged as misuse only counts in CounterMisuse and
// CounterAnswered.
const (
	CounterIssued    = "issued"   // tickets issued (by issue day)
	CounterHand      = "hand"     // tickets an officer issued by hand on the counter form
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

// ResponseCounts is what response r adds to its bucket; rollups and full recounts both use it.
func ResponseCounts(r *survey.Response) map[string]int64 {
	inc := map[string]int64{CounterAnswered: 1}
	if r.Misuse {
		inc[CounterMisuse] = 1
		return inc
	}
	if ValidRating(r.Overall) {
		inc[CounterRated] = 1
		inc[RatingCounter(r.Overall)] = 1
		if IsSatisfied(r.Overall) {
			inc[CounterSatisfied] = 1
		}
	}
	neg := r.Overall == 1 || r.Overall == 2
	late := r.OnTime != nil && !*r.OnTime
	flags := []struct {
		name string
		on   bool
	}{{CounterNegative, neg}, {CounterPayment, r.ExtraPayment}, {CounterLate, late}, {CounterFlagged, neg || late || r.ExtraPayment}}
	for _, f := range flags {
		if f.on {
			inc[f.name] = 1
		}
	}
	for _, c := range r.Criteria {
		if ValidRating(c.Rating) {
			inc[CriterionCounter(c.Criterion, c.Rating)]++
		}
	}
	return inc
}

// ResponseBucket is the bucket response r counts in.
func ResponseBucket(r *survey.Response) Bucket {
	return Bucket{Day: DateOf(r.SubmittedAt), Agency: r.Agency, Counter: r.Counter, Field: r.Field, Channel: string(r.Channel), Officer: r.Officer}
}

// TicketBucket is the bucket issuing t counts in.
func TicketBucket(t *survey.Ticket) Bucket {
	return Bucket{Day: DateOf(t.IssuedAt), Agency: t.Agency, Counter: t.Counter, Field: t.Field, Officer: t.Officer}
}

// TicketCounts is what issuing t adds to its bucket.
func TicketCounts(t *survey.Ticket) map[string]int64 {
	if t.IssuedBy == survey.IssuedByCounter {
		return map[string]int64{CounterIssued: 1, CounterHand: 1}
	}
	return map[string]int64{CounterIssued: 1}
}

// Comment is a citizen's free comment as managers see it: no personal data, only where and when.
type Comment struct {
	At      time.Time `bson:"at" json:"at"`
	Field   string    `bson:"field" json:"field"`
	Agency  string    `bson:"agency" json:"agency"`
	Counter string    `bson:"counter" json:"counter"`
	Overall int       `bson:"overall" json:"overall"`
	Text    string    `bson:"text" json:"text"`
}
