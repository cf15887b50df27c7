package stats

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hailong/hailong/internal/survey"
)

// Groupings a stats query can ask for.
const (
	ByField     = "field"
	ByAgency    = "agency"
	ByCounter   = "counter"
	ByChannel   = "channel"
	ByCriterion = "criterion"
	ByMonth     = "month"
	ByOfficer   = "officer"
	ByProcedure = "procedure"
)

// Groupings lists the group_by values accepted from outside.
var Groupings = []string{ByField, ByAgency, ByCounter, ByChannel, ByCriterion, ByMonth, ByOfficer, ByProcedure}

// Query selects and groups rollup buckets.
type Query struct {
	Period   Period
	GroupBy  string
	Field    string          // only this field, when set
	Channel  string          // only this response channel, when set
	Agency   string          // only this agency's subtree (see Agencies), when set
	Agencies map[string]bool // the agencies in scope; nil means all
	Counter  string          // only this counter (an officer's own, of their one agency), when set
	// MinGroupResponses hides groups with fewer responses.
	MinGroupResponses int64
	// MinOfficerResponses hides any group whose responses all concern one officer (an officer's
	// own row, or a counter or field served by one officer in the period) when it has fewer, so
	// no grouping shows an officer judged on a handful of answers. Hidden officers' rows are
	// merged into one, without their names.
	MinOfficerResponses int64
}

// Meta is what aggregation needs besides the counts: the targets, and the names (field groups
// and labels) that only the organisation knows.
type Meta struct {
	Targets TargetTable
	Names   Names // nil: keys as labels, field groups from Targets
}

// Names tells aggregation what a field code's target group is and how people call a dimension
// value; an empty answer falls back to the key.
type Names interface {
	FieldGroup(field string) string
	Label(dim, key string) string
}

// Group is one row of a stats answer: a satisfaction figure with its context.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Figure
	Answered int64 `json:"answered"`
	Misuse   int64 `json:"misuse"`
	Negative int64 `json:"negative"`
	// Payment counts respondents who reported being asked for an unofficial payment or harassed.
	Payment      int64    `json:"payment"`
	Ratings      [5]int64 `json:"ratings"`
	Issued       *int64   `json:"issued"`
	ResponseRate *float64 `json:"response_rate"`
	DossierRatio *float64 `json:"dossier_ratio"`
	Hidden       bool     `json:"hidden,omitempty"`
	Extra
	counts map[string]int64
}

// Result is a stats answer: the overall figure and one per group.
type Result struct {
	From    Date    `json:"from"`
	To      Date    `json:"to"`
	GroupBy string  `json:"group_by"`
	Overall Group   `json:"overall"`
	Groups  []Group `json:"groups"`
	// Previous and LastYear are the same query over the period before and the same period a
	// year earlier, when asked for (Compare).
	Previous *Comparison `json:"previous,omitempty"`
	LastYear *Comparison `json:"last_year,omitempty"`
}

// Aggregate sums the buckets each yields that match q into groups and computes every figure.
func Aggregate(each func(fn func(*Bucket)), q Query, m Meta) (Result, error) {
	if !slices.Contains(Groupings, q.GroupBy) {
		return Result{}, fmt.Errorf("stats: unknown grouping %q", q.GroupBy)
	}
	overall := newTally()
	tallies := map[string]*tally{}
	officers := map[string]map[string]bool{} // the officers each group's responses concern
	staff := map[string]map[string]bool{}    // the officer keys each counter's responses concern
	fields := map[string]map[string]bool{}   // the fields of each procedure
	answeredProbe, ratedProbe := probe{name: CounterAnswered}, probe{name: CounterRated}
	each(func(b *Bucket) {
		if !q.matches(b) {
			return
		}
		overall.addBucket(b)
		answered := b.Officer != "" && (answeredProbe.count(b) > 0 || ratedProbe.count(b) > 0)
		if answered && q.GroupBy == ByOfficer {
			counter := b.Agency + "/" + b.Counter
			if staff[counter] == nil {
				staff[counter] = map[string]bool{}
			}
			staff[counter][counter+"/"+b.Officer] = true // as ByOfficer keys them
		}
		group := func(key string, answered bool) *tally {
			t := tallies[key]
			if t == nil {
				t, officers[key] = newTally(), map[string]bool{}
				tallies[key] = t
			}
			if b.Officer != "" && answered {
				officers[key][b.Officer] = true
			}
			return t
		}
		if q.GroupBy == ByProcedure {
			for code, counts := range procedureCounts(b.CountsMap()) {
				addCounts(group(code, counts[CounterAnswered] > 0 || counts[CounterRated] > 0).m, counts)
				if fields[code] == nil {
					fields[code] = map[string]bool{}
				}
				fields[code][b.Field] = true
			}
			return
		}
		for _, key := range groupKeys(q.GroupBy, b) {
			group(key, answered).addBucket(b)
		}
	})
	groups := make(map[string]map[string]int64, len(tallies))
	for key, t := range tallies {
		groups[key] = t.counts()
	}
	res := Result{From: q.Period.From, To: q.Period.To, GroupBy: q.GroupBy}
	res.Overall = m.group(q, "", "", overall.counts(), q.GroupBy == ByChannel || q.Channel != "")
	keys := orderedKeys(q.GroupBy, groups)
	all := make(map[string]Group, len(keys))
	for _, key := range keys {
		g := m.groupFor(q, key, groups[key])
		if len(fields[key]) == 1 { // a procedure of one field is judged against that field's target
			for f := range fields[key] {
				g.Figure = NewFigure(g.Satisfied, g.Responses, m.target(q, ByField, f))
				g.RateStatus = RateStatus(g.Figure)
			}
		}
		all[key] = g
	}
	hide := map[string]bool{}    // groups not shown
	officer := map[string]bool{} // those among them that stand for one officer
	for _, key := range keys {
		g := all[key]
		oneOfficer := len(officers[key]) == 1 && q.GroupBy != ByCriterion
		if oneOfficer && g.Responses < q.MinOfficerResponses {
			hide[key], officer[key] = true, true
		}
		if q.MinGroupResponses > 0 && g.Responses < q.MinGroupResponses {
			hide[key] = true
		}
	}
	among := []map[string]bool{nil} // nil: the whole answer
	if q.GroupBy == ByOfficer {
		for _, members := range staff {
			among = append(among, members)
		}
	}
	hideAlongside(all, hide, officer, among)
	hiddenOfficers := false
	for _, key := range keys {
		g := all[key]
		if hide[key] {
			if q.GroupBy == ByOfficer { // no names: one row stands for every hidden officer
				hiddenOfficers = true
				continue
			}
			g = hiddenGroup(g.Key, g.Label)
		}
		res.Groups = append(res.Groups, g)
	}
	if hiddenOfficers {
		res.Groups = append(res.Groups, hiddenGroup("", ""))
	}
	Rank(res.Groups)
	return res, nil
}

// hideAlongside hides more groups so that no group hidden for standing for one officer is a
// difference of shown figures: wherever exactly one hidden group with responses would be left —
// in the whole answer (the overall less every shown group) or, grouped by officer, among a
// counter's officers (the counter's row less its shown officers) — the shown group with the
// fewest responses is hidden too, until none is left alone.
func hideAlongside(all map[string]Group, hide, officer map[string]bool, among []map[string]bool) {
	if len(officer) == 0 {
		return
	}
	counted := func(key string) bool { g, ok := all[key]; return ok && (g.Answered > 0 || g.Responses > 0) }
	hideOneMore := func(set map[string]bool) bool {
		alone, pick := "", ""
		n := 0
		each := func(key string) {
			switch {
			case !counted(key):
			case hide[key]:
				n, alone = n+1, key
			case pick == "" || all[key].Responses < all[pick].Responses || (all[key].Responses == all[pick].Responses && key < pick):
				pick = key
			}
		}
		if set == nil {
			for key := range all {
				each(key)
			}
		} else {
			for key := range set {
				each(key)
			}
		}
		if n != 1 || !officer[alone] || pick == "" {
			return false
		}
		hide[pick], officer[pick] = true, true
		return true
	}
	for changed := true; changed; {
		changed = false
		for _, set := range among {
			changed = hideOneMore(set) || changed
		}
	}
}

func (q Query) matches(b *Bucket) bool {
	if !q.Period.Contains(b.Day) || (q.Field != "" && b.Field != q.Field) {
		return false
	}
	if q.Channel != "" && b.Channel != q.Channel {
		return false
	}
	return q.inScope(b.Agency, b.Counter)
}

func (q Query) inScope(agency, counter string) bool {
	return (q.Agencies == nil || q.Agencies[agency]) && (q.Counter == "" || counter == q.Counter)
}

// CommentInScope reports whether cm is within q's agencies and counter.
func (q Query) CommentInScope(cm *Comment) bool { return q.inScope(cm.Agency, cm.Counter) }

func addCounts(dst, src map[string]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// groupKeys returns the groups a bucket counts in; criterion grouping spreads one bucket over
// every criterion.
func groupKeys(by string, b *Bucket) []string {
	switch by {
	case ByField:
		return []string{b.Field}
	case ByAgency:
		return []string{b.Agency}
	case ByCounter:
		return []string{b.Agency + "/" + b.Counter}
	case ByChannel:
		if b.Channel == "" {
			return nil // ticket counts have no channel
		}
		return []string{b.Channel}
	case ByMonth:
		return []string{monthKey(b.Day)}
	case ByOfficer:
		return []string{b.Agency + "/" + b.Counter + "/" + b.Officer}
	case ByCriterion:
		return survey.Criteria
	}
	return nil
}

// monthKey is "YYYY-MM" of d, built without fmt: a month grouping names every bucket's month.
func monthKey(d Date) string {
	if d.Year < 0 || d.Year > 9999 {
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	}
	b := strconv.AppendInt(make([]byte, 0, 7), int64(10000+d.Year), 10)[1:]
	b = append(b, '-', byte('0'+d.Month/10), byte('0'+d.Month%10))
	return string(b)
}

func orderedKeys(by string, groups map[string]map[string]int64) []string {
	if by == ByCriterion {
		return survey.Criteria
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (m Meta) groupFor(q Query, key string, counts map[string]int64) Group {
	if q.GroupBy == ByCriterion {
		return m.criterionGroup(q, key, counts)
	}
	noTickets := q.GroupBy == ByChannel || q.Channel != ""
	return m.group(q, q.GroupBy, key, counts, noTickets)
}

// group computes a group's figures; noTickets leaves out ticket-based figures, which have no
// channel.
func (m Meta) group(q Query, dim, key string, c map[string]int64, noTickets bool) Group {
	g := Group{Key: key, Label: m.label(dim, key), counts: c}
	g.Figure = NewFigure(c[CounterSatisfied], c[CounterRated], m.target(q, dim, key))
	g.Extra = extraOf(c, g.Figure, noTickets)
	g.Answered, g.Misuse, g.Negative, g.Payment = c[CounterAnswered], c[CounterMisuse], c[CounterNegative], c[CounterPayment]
	for r := 1; r <= 5; r++ {
		g.Ratings[r-1] = c[RatingCounter(r)]
	}
	if !noTickets {
		issued := c[CounterIssued]
		g.Issued = &issued
		if issued > 0 {
			rate := float64(c[CounterAnswered]) / float64(issued)
			ratio := DossierRatio(issued, c[CounterFlaggedAnswer], 0, c[CounterLateDossier])
			g.ResponseRate, g.DossierRatio = &rate, &ratio
		}
	}
	return g
}

func (m Meta) criterionGroup(q Query, key string, c map[string]int64) Group {
	var ratings [5]int64 // item answers by level; the figure counts respondents
	for r := 1; r <= 5; r++ {
		ratings[r-1] = c[CriterionCounter(key, r)]
	}
	g := Group{Key: key, Label: m.label(ByCriterion, key), Ratings: ratings}
	g.Figure = NewFigure(c[CriterionSatisfied(key)], c[CriterionRespondents(key)], m.target(q, "", ""))
	g.RateStatus = RateStatus(g.Figure)
	g.Reasons = map[string]int64{}
	return g
}

// target is the target of a group: a field's own group target, else the filtered field's,
// else a channel's own (online services: 80%), else the overall one, for the year the period ends in (a month group: its own year).
func (m Meta) target(q Query, dim, key string) *float64 {
	year := q.Period.To.Year
	field, channel := q.Field, q.Channel
	switch dim {
	case ByField:
		field = key
	case ByChannel:
		channel = key
	case ByMonth:
		fmt.Sscanf(key, "%d-", &year)
	}
	group := GroupOverall
	switch {
	case field != "":
		group = m.fieldGroup(field)
	case channel != "" && m.Targets.HasGroup(ChannelGroup(channel)):
		group = ChannelGroup(channel)
	}
	return m.Targets.Lookup(group, year)
}

func (m Meta) fieldGroup(field string) string {
	if m.Names != nil {
		if g := m.Names.FieldGroup(field); g != "" {
			return g
		}
	}
	return m.Targets.GroupOf(field)
}

func (m Meta) label(dim, key string) string {
	if dim == "" {
		return ""
	}
	if m.Names != nil {
		if l := m.Names.Label(dim, key); l != "" {
			return l
		}
	}
	if dim == ByMonth {
		if y, mo, ok := strings.Cut(key, "-"); ok {
			return mo + "/" + y
		}
	}
	return key
}

// hiddenGroup stands for a group whose figures are not shown.
func hiddenGroup(key, label string) Group {
	return Group{Key: key, Label: label, Hidden: true, Figure: Figure{Status: StatusInsufficient}, Extra: Extra{RateStatus: StatusNone, Reasons: map[string]int64{}}}
}
