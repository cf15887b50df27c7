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
	// Packed, when set, holds Counts again in packed form, which a query adds up faster; whoever
	// sets it keeps the two equal.
	Packed *Packed
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
		b.Counts, b.Packed = nil, nil
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
	CounterIssued    = "issued"    // tickets issued (by issue day)
	CounterHand      = "hand"      // tickets an officer issued by hand on the counter form
	CounterAnswered  = "answered"  // responses stored, misuse included
	CounterMisuse    = "misuse"    // responses flagged as misuse
	CounterRated     = "n"         // responses with an overall rating (the denominator)
	CounterSatisfied = "sat"       // overall rating 4 or 5
	CounterNegative  = "neg"       // overall rating 1 or 2
	CounterPayment   = "pay"       // asked for extra payment or harassed
	CounterLate      = "late"      // response about a dossier settled late
	CounterComplaint = "complaint" // respondent asked to report a problem or be contacted
)

// Counters of the answers to hand-issued tickets: rated and satisfied ones, and answers sent
// from the browser the officer issued the ticket from.
const (
	CounterHandRated     = "hand_n"
	CounterHandSatisfied = "hand_sat"
	CounterSameClient    = "same"
)

// Ticket counters: every dossier issued in the period, answered or not.
const (
	CounterIssuedOnline  = "iss_online" // dossiers whose result was delivered online
	CounterLateDossier   = "late_d"     // dossiers settled late (on_time=false)
	CounterOnTimeDossier = "ontime_d"   // dossiers settled on time (on_time=true)
)

// CounterFlaggedAnswer counts responses that put their dossier against the Decision 766 ratio
// — rated 1–2, or opening an integrity or complaint case — about a dossier not settled late
// (late dossiers count once, by their ticket, in CounterLateDossier).
const CounterFlaggedAnswer = "d766r"

// Counters of the return-trips question: respondents who answered it, and by answer.
const (
	CounterReturnsAnswered = "ret_n"
	CounterReturnsNone     = "ret_0"
	CounterReturnsOnce     = "ret_1"
	CounterReturnsMore     = "ret_2p"
)

// CounterCriterionAny counts respondents who answered at least one criterion item: the sample
// of the SIPAS-style index.
const CounterCriterionAny = "crit_n"

// RatingCounter names the counter of overall rating r ("r1".."r5").
func RatingCounter(r int) string { return "r" + strconv.Itoa(r) }

// CriterionCounter names the counter of item answers rated r on a SIPAS criterion ("c_staff_4").
func CriterionCounter(criterion string, r int) string {
	return "c_" + criterion + "_" + strconv.Itoa(r)
}

// CriterionRespondents names the counter of respondents who answered at least one item of a
// criterion; CriterionSatisfied those among them whose items average 4 or more.
func CriterionRespondents(criterion string) string { return "cn_" + criterion }

// CriterionSatisfied names the counter of a criterion's satisfied respondents.
func CriterionSatisfied(criterion string) string { return "cs_" + criterion }

// ReasonCounter names the counter of a kiosk reason chip ("chip_waiting").
func ReasonCounter(chip string) string { return reasonPrefix + chip }

const reasonPrefix = "chip_"

// procedurePrefix starts the counters kept per procedure: "p|<code>|<counter>", with the dots
// of the code written as ":" (a counter name is a field path in the store, where dots nest).
const procedurePrefix = "p|"

// ProcedureCounter names counter kept for one procedure code.
func ProcedureCounter(code, counter string) string {
	return procedurePrefix + strings.ReplaceAll(code, ".", ":") + "|" + counter
}

// splitProcedureCounter is the procedure code and counter a per-procedure counter names.
func splitProcedureCounter(name string) (code, counter string, ok bool) {
	rest, found := strings.CutPrefix(name, procedurePrefix)
	if !found {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '|')
	if i <= 0 {
		return "", "", false
	}
	return strings.ReplaceAll(rest[:i], ":", "."), rest[i+1:], true
}

// procedureCounters are the counters kept per procedure as well as per bucket: enough for the
// satisfaction, the index, the response rate and the QĐ 766 ratio of each procedure.
var procedureCounters = func() []string {
	cs := []string{CounterIssued, CounterLateDossier, CounterOnTimeDossier, CounterAnswered, CounterRated, CounterSatisfied, CounterFlaggedAnswer, CounterCriterionAny}
	for _, c := range survey.Criteria {
		cs = append(cs, CriterionRespondents(c), CriterionSatisfied(c))
	}
	return cs
}()

// ResponseCounts is what r adds to its bucket; rollups and full recounts both use it.
func ResponseCounts(r *survey.Response) map[string]int64 {
	inc := map[string]int64{CounterAnswered: 1}
	if r.Misuse {
		inc[CounterMisuse] = 1
		return withProcedure(inc, r.ProcedureCode)
	}
	if ValidRating(r.Overall) {
		inc[CounterRated] = 1
		inc[RatingCounter(r.Overall)] = 1
		if IsSatisfied(r.Overall) {
			inc[CounterSatisfied] = 1
		}
	}
	if r.IssuedBy == survey.IssuedByCounter && ValidRating(r.Overall) {
		inc[CounterHandRated] = 1
		if IsSatisfied(r.Overall) {
			inc[CounterHandSatisfied] = 1
		}
	}
	if r.SameClient {
		inc[CounterSameClient] = 1
	}
	neg := r.Overall == 1 || r.Overall == 2
	late := r.OnTime != nil && !*r.OnTime
	flags := []struct {
		name string
		on   bool
	}{
		{CounterNegative, neg}, {CounterPayment, r.ExtraPayment}, {CounterLate, late}, {CounterComplaint, r.Contact},
		{CounterFlaggedAnswer, !late && (neg || r.ExtraPayment || r.Contact)},
	}
	for _, f := range flags {
		if f.on {
			inc[f.name] = 1
		}
	}
	criterionCounts(inc, r.Criteria)
	returnCounts(inc, r.Returns)
	for _, chip := range r.Reasons {
		if validChip(chip) {
			inc[ReasonCounter(chip)] = 1
		}
	}
	return withProcedure(inc, r.ProcedureCode)
}

// criterionCounts adds the item answers and, once per criterion, the respondent: satisfied
// when the mean of their answered items is 4 or more (sum >= 4 × items, exact in integers).
func criterionCounts(inc map[string]int64, items []survey.CriterionRating) {
	sum, n := map[string]int{}, map[string]int{}
	for _, c := range items {
		if ValidRating(c.Rating) {
			inc[CriterionCounter(c.Criterion, c.Rating)]++
			sum[c.Criterion] += c.Rating
			n[c.Criterion]++
		}
	}
	for c, k := range n {
		inc[CriterionRespondents(c)] = 1
		if sum[c] >= SatisfiedMinRating*k {
			inc[CriterionSatisfied(c)] = 1
		}
	}
	if len(n) > 0 {
		inc[CounterCriterionAny] = 1
	}
}

func returnCounts(inc map[string]int64, answer string) {
	counter, ok := map[string]string{"0": CounterReturnsNone, "1": CounterReturnsOnce, "2+": CounterReturnsMore}[answer]
	if ok {
		inc[CounterReturnsAnswered], inc[counter] = 1, 1
	}
}

// validChip keeps counter names to plain option values.
func validChip(v string) bool {
	if v == "" || len(v) > 32 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// withProcedure repeats the per-procedure counters of inc under procedure code.
func withProcedure(inc map[string]int64, code string) map[string]int64 {
	if code == "" || !survey.ValidCode(code) {
		return inc
	}
	for _, c := range procedureCounters {
		if v := inc[c]; v != 0 {
			inc[ProcedureCounter(code, c)] = v
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

// TicketCounts is what issuing t adds to its bucket: the dossier, how its result was
// delivered and whether it was settled on time.
func TicketCounts(t *survey.Ticket) map[string]int64 {
	inc := map[string]int64{CounterIssued: 1}
	if t.IssuedBy == survey.IssuedByCounter {
		inc[CounterHand] = 1
	}
	if t.Delivery == survey.DeliveryOnline {
		inc[CounterIssuedOnline] = 1
	}
	switch {
	case t.OnTime == nil:
	case *t.OnTime:
		inc[CounterOnTimeDossier] = 1
	default:
		inc[CounterLateDossier] = 1
	}
	return withProcedure(inc, t.ProcedureCode)
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
