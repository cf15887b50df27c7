package stats

import (
	"strings"

	"github.com/hailong/hailong/internal/survey"
)

// Extra are the figures beside a group's satisfaction: the plain-rate verdict, the SIPAS-style
// index, the dossiers' timing and channel, return trips, complaints and kiosk reason chips.
type Extra struct {
	// RateStatus is the plain-rate verdict agencies use: meets or below the target at any
	// sample of one or more; none without a target or a response. Status stays the statistical one.
	RateStatus string `json:"rate_status"`
	// SIPASIndex is the mean of the five criterion satisfaction rates (each per respondent);
	// nil unless every criterion has a respondent. SIPASRespondents is its sample.
	SIPASIndex       *float64 `json:"sipas_index"`
	SIPASRespondents int64    `json:"sipas_respondents"`
	// Complaints counts respondents who asked to report a problem or be contacted.
	Complaints int64 `json:"complaints"`
	// LateDossiers and OnTimeShare: dossiers issued in the period settled late, and the share
	// settled on time among those whose timing the e-system reported.
	LateDossiers *int64   `json:"late_dossiers"`
	OnTimeShare  *float64 `json:"on_time_share"`
	// IssuedOnline and OnlineShare: dossiers whose result was delivered online, and their share
	// of every dossier issued.
	IssuedOnline *int64   `json:"issued_online"`
	OnlineShare  *float64 `json:"online_share"`
	Returns      Returns  `json:"returns"`
	// Reasons counts kiosk responses by the reason chip chosen (one response may pick several).
	Reasons map[string]int64 `json:"reasons"`
	// Hand is how the group's tickets were issued by hand on the counter form and how their
	// answers compare with the rest; nil without tickets (a channel's group).
	Hand *HandIssued `json:"hand_issued"`
	// Rank and SIPASRank place the group among its siblings by satisfaction and by the index.
	Rank      *int `json:"rank"`
	SIPASRank *int `json:"sipas_rank"`
}

// Returns counts the respondents who answered how many extra trips the dossier cost them.
type Returns struct {
	Respondents int64 `json:"respondents"`
	None        int64 `json:"none"`
	Once        int64 `json:"once"`
	TwiceOrMore int64 `json:"twice_or_more"`
}

// HandIssued sets the tickets an officer issued by hand, which they could answer themselves,
// beside the rest: their share of the tickets issued, the satisfaction of their answers and of
// the other answers, and the answers sent from the very browser that issued the ticket.
type HandIssued struct {
	Tickets int64    `json:"tickets"`
	Share   *float64 `json:"share"` // of every ticket issued; nil when none was
	// Responses and Satisfaction: rated answers to hand-issued tickets; Other*: to the rest.
	Responses         int64    `json:"responses"`
	Satisfaction      *float64 `json:"satisfaction"`
	OtherResponses    int64    `json:"other_responses"`
	OtherSatisfaction *float64 `json:"other_satisfaction"`
	SameClient        int64    `json:"same_client"`
}

func handIssuedOf(c map[string]int64) *HandIssued {
	ratio := func(a, b int64) *float64 {
		if b <= 0 {
			return nil
		}
		r := float64(a) / float64(b)
		return &r
	}
	h := &HandIssued{Tickets: c[CounterHand], Responses: c[CounterHandRated], SameClient: c[CounterSameClient]}
	h.Share = ratio(h.Tickets, c[CounterIssued])
	h.Satisfaction = ratio(c[CounterHandSatisfied], h.Responses)
	h.OtherResponses = c[CounterRated] - h.Responses
	h.OtherSatisfaction = ratio(c[CounterSatisfied]-c[CounterHandSatisfied], h.OtherResponses)
	return h
}

// RateStatus is the plain-rate verdict of f: StatusMeets when its rate is at or above its
// target, StatusBelow under it, with any sample of one or more; StatusNone otherwise.
func RateStatus(f Figure) string {
	if f.Responses < 1 || f.Target == nil {
		return StatusNone
	}
	if meetsTarget(f.Satisfied, f.Responses, *f.Target) {
		return StatusMeets
	}
	return StatusBelow
}

// SIPASIndex is the mean of the five criterion satisfaction rates of counts c, each
// respondents satisfied ÷ respondents; false when a criterion has no respondent.
func SIPASIndex(c map[string]int64) (float64, bool) {
	sum := 0.0
	for _, k := range survey.Criteria {
		n := c[CriterionRespondents(k)]
		if n <= 0 {
			return 0, false
		}
		sum += float64(min(c[CriterionSatisfied(k)], n)) / float64(n)
	}
	return sum / float64(len(survey.Criteria)), true
}

func extraOf(c map[string]int64, f Figure, noTickets bool) Extra {
	e := Extra{RateStatus: RateStatus(f), SIPASRespondents: c[CounterCriterionAny], Complaints: c[CounterComplaint], Reasons: map[string]int64{}}
	if idx, ok := SIPASIndex(c); ok {
		e.SIPASIndex = &idx
	}
	e.Returns = Returns{Respondents: c[CounterReturnsAnswered], None: c[CounterReturnsNone], Once: c[CounterReturnsOnce], TwiceOrMore: c[CounterReturnsMore]}
	for k, v := range c {
		if chip, ok := strings.CutPrefix(k, reasonPrefix); ok && v != 0 {
			e.Reasons[chip] = v
		}
	}
	if noTickets {
		return e
	}
	late, online, issued := c[CounterLateDossier], c[CounterIssuedOnline], c[CounterIssued]
	e.LateDossiers, e.IssuedOnline = &late, &online
	e.Hand = handIssuedOf(c)
	if timed := late + c[CounterOnTimeDossier]; timed > 0 {
		share := float64(c[CounterOnTimeDossier]) / float64(timed)
		e.OnTimeShare = &share
	}
	if issued > 0 {
		share := float64(online) / float64(issued)
		e.OnlineShare = &share
	}
	return e
}

// procedureCounts splits a bucket's per-procedure counters by procedure code, named as the
// bucket's own counters.
func procedureCounts(c map[string]int64) map[string]map[string]int64 {
	var out map[string]map[string]int64
	for name, v := range c {
		code, counter, ok := splitProcedureCounter(name)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]map[string]int64{}
		}
		if out[code] == nil {
			out[code] = map[string]int64{}
		}
		out[code][counter] += v
	}
	return out
}

// ChannelGroup is the target group of a response channel ("channel-online").
func ChannelGroup(channel string) string { return "channel-" + channel }

// Rank numbers groups for emulation (thi đua): Rank by satisfaction, SIPASRank by the
// SIPAS-style index, highest first; equal values share a rank (1, 2, 2, 4). Hidden groups and
// groups without a figure get none.
func Rank(groups []Group) {
	rankBy(groups, func(g *Group) (float64, bool) { return g.Satisfaction, g.Responses > 0 }, func(g *Group, r int) { g.Rank = &r })
	rankBy(groups, func(g *Group) (float64, bool) {
		if g.SIPASIndex == nil {
			return 0, false
		}
		return *g.SIPASIndex, true
	}, func(g *Group, r int) { g.SIPASRank = &r })
}

func rankBy(groups []Group, value func(*Group) (float64, bool), set func(*Group, int)) {
	var vals []float64
	for i := range groups {
		if v, ok := value(&groups[i]); ok && !groups[i].Hidden {
			vals = append(vals, v)
		}
	}
	for i := range groups {
		v, ok := value(&groups[i])
		if !ok || groups[i].Hidden {
			continue
		}
		r := 1
		for _, o := range vals {
			if o > v+1e-12 {
				r++
			}
		}
		set(&groups[i], r)
	}
}
