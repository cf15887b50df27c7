package stats_test

import (
	"testing"
	"time"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

const procA, procB = "1.001612.000.00.00.H48", "2.000889.000.00.00.H48"

// figuresCase is five land dossiers of one day and four answers, counted as the rollups count
// them (TicketCounts and ResponseCounts into buckets):
//
//	T1 on time, direct, procedure A — R1 qr, overall 5, returns "0"
//	T2 late,    direct, procedure A — R2 qr, overall 2, returns "2+"
//	T3 late,    online, procedure B — not answered
//	T4 on time, online, procedure B — R3 online, overall 4, asks to be contacted, returns "1"
//	T5 timing unknown, direct       — R4 kiosk, overall 1, chips waiting + payment
//
// R1's items: access 5,3 · staff 4 · procedure 2,3 · result 4,4,5 · feedback 4.
// R2's items: access 3 · staff 5,5,1 · procedure 4 · result 5 · feedback 2.
func figuresCase() stats.Buckets {
	at := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
	yes, no := true, false
	tickets := []survey.Ticket{
		{Token: "t1", ProcedureCode: procA, OnTime: &yes, Delivery: survey.DeliveryDirect},
		{Token: "t2", ProcedureCode: procA, OnTime: &no, Delivery: survey.DeliveryDirect},
		{Token: "t3", ProcedureCode: procB, OnTime: &no, Delivery: survey.DeliveryOnline},
		{Token: "t4", ProcedureCode: procB, OnTime: &yes, Delivery: survey.DeliveryOnline},
		{Token: "t5", Delivery: survey.DeliveryDirect},
	}
	bs := stats.Buckets{}
	byToken := map[string]*survey.Ticket{}
	for i := range tickets {
		t := &tickets[i]
		t.Agency, t.Field, t.IssuedAt = "H48", "land", at
		byToken[t.Token] = t
		bs.Add(stats.TicketBucket(t), stats.TicketCounts(t))
	}
	items := func(crit string, ratings ...int) []survey.CriterionRating {
		var out []survey.CriterionRating
		for _, r := range ratings {
			out = append(out, survey.CriterionRating{Criterion: crit, Rating: r})
		}
		return out
	}
	concat := func(parts ...[]survey.CriterionRating) (out []survey.CriterionRating) {
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	responses := []survey.Response{
		{Token: "t1", Overall: 5, Channel: survey.ChannelQR, Returns: "0",
			Criteria: concat(items("access", 5, 3), items("staff", 4), items("procedure", 2, 3), items("result", 4, 4, 5), items("feedback", 4))},
		{Token: "t2", Overall: 2, Channel: survey.ChannelQR, Returns: "2+",
			Criteria: concat(items("access", 3), items("staff", 5, 5, 1), items("procedure", 4), items("result", 5), items("feedback", 2))},
		{Token: "t4", Overall: 4, Channel: survey.ChannelOnline, Contact: true, Returns: "1"},
		{Token: "t5", Overall: 1, Channel: survey.ChannelKiosk, ExtraPayment: true, Reasons: []string{"waiting", "payment"}},
	}
	for i := range responses {
		r := &responses[i]
		t := byToken[r.Token]
		r.Agency, r.Field, r.OnTime, r.ProcedureCode, r.SubmittedAt = t.Agency, t.Field, t.OnTime, t.ProcedureCode, at
		bs.Add(stats.ResponseBucket(r), stats.ResponseCounts(r))
	}
	return bs
}

func aggregate(t *testing.T, bs stats.Buckets, q stats.Query) stats.Result {
	t.Helper()
	q.Period, _ = stats.ParsePeriod("2026-03-01", "2026-03-31")
	res, err := stats.Aggregate(func(fn func(*stats.Bucket)) {
		for _, b := range bs {
			fn(b)
		}
	}, q, stats.Meta{Targets: stats.DefaultTargets()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestHeadlineDossierRatioAndDossierShares(t *testing.T) {
	o := aggregate(t, figuresCase(), stats.Query{GroupBy: stats.ByField}).Overall
	// Satisfied: R1 (5) and R3 (4) of 4 rated = 50%, against land's 85%.
	if o.Responses != 4 || o.Satisfied != 2 || o.RateStatus != stats.StatusBelow || o.Status != stats.StatusInsufficient {
		t.Errorf("headline %d/%d rate_status %s status %s, want 2/4 below insufficient", o.Satisfied, o.Responses, o.RateStatus, o.Status)
	}
	// QĐ 766: 5 dossiers; against it: T2 and T3 late (T2 also rated 2, counted once), R3's
	// complaint, R4's rating 1 with payment = 4 → (5 − 4) ÷ 5 = 20%.
	if o.DossierRatio == nil || !near(*o.DossierRatio, 0.2) {
		t.Errorf("dossier ratio %v, want 0.2", o.DossierRatio)
	}
	// Late 2 (T2, T3); on time 2 of the 4 with known timing = 50%; online 2 of 5 = 40%.
	if *o.LateDossiers != 2 || !near(*o.OnTimeShare, 0.5) || *o.IssuedOnline != 2 || !near(*o.OnlineShare, 0.4) {
		t.Errorf("late %d on time %v online %d share %v, want 2, 0.5, 2, 0.4", *o.LateDossiers, *o.OnTimeShare, *o.IssuedOnline, *o.OnlineShare)
	}
	// Return trips answered by R1, R2, R3: none 1, once 1, twice or more 1.
	if o.Returns != (stats.Returns{Respondents: 3, None: 1, Once: 1, TwiceOrMore: 1}) {
		t.Errorf("returns %+v", o.Returns)
	}
	// Kiosk chips of R4; R3's complaint; R4's payment.
	if o.Reasons["waiting"] != 1 || o.Reasons["payment"] != 1 || len(o.Reasons) != 2 || o.Complaints != 1 || o.Payment != 1 {
		t.Errorf("reasons %v complaints %d payment %d", o.Reasons, o.Complaints, o.Payment)
	}
}

func TestCriteriaCountRespondentsAndTheIndexAveragesThem(t *testing.T) {
	bs := figuresCase()
	res := aggregate(t, bs, stats.Query{GroupBy: stats.ByCriterion})
	// Respondent satisfied when the mean of their items is >= 4:
	//   access    R1 (5+3)/2 = 4 yes, R2 3 no            → 1/2
	//   staff     R1 4 yes, R2 (5+5+1)/3 = 3.67 no       → 1/2 (answers 4,5,5,1 would say 3/4)
	//   procedure R1 (2+3)/2 = 2.5 no, R2 4 yes          → 1/2
	//   result    R1 13/3 yes, R2 5 yes                  → 2/2
	//   feedback  R1 4 yes, R2 2 no                      → 1/2
	want := map[string][2]int64{"access": {1, 2}, "staff": {1, 2}, "procedure": {1, 2}, "result": {2, 2}, "feedback": {1, 2}}
	for key, w := range want {
		g := find(t, res, key)
		if g.Satisfied != w[0] || g.Responses != w[1] {
			t.Errorf("%s: %d/%d respondents satisfied, want %d/%d", key, g.Satisfied, g.Responses, w[0], w[1])
		}
	}
	if staff := find(t, res, "staff"); staff.Ratings != [5]int64{1, 0, 0, 1, 2} {
		t.Errorf("staff item answers by level %v, want [1 0 0 1 2]", staff.Ratings)
	}
	// Index = (0.5 + 0.5 + 0.5 + 1 + 0.5) ÷ 5 = 0.6, over the 2 respondents who answered items.
	o := aggregate(t, bs, stats.Query{GroupBy: stats.ByField}).Overall
	if o.SIPASIndex == nil || !near(*o.SIPASIndex, 0.6) || o.SIPASRespondents != 2 {
		t.Errorf("SIPAS index %v over %d, want 0.6 over 2", o.SIPASIndex, o.SIPASRespondents)
	}
	// The kiosk answer alone has no criterion items: no index, sample 0.
	kiosk := aggregate(t, bs, stats.Query{GroupBy: stats.ByField, Channel: "kiosk"}).Overall
	if kiosk.SIPASIndex != nil || kiosk.SIPASRespondents != 0 || kiosk.Responses != 1 {
		t.Errorf("kiosk: index %v over %d of %d responses", kiosk.SIPASIndex, kiosk.SIPASRespondents, kiosk.Responses)
	}
}

func TestGroupByProcedure(t *testing.T) {
	res := aggregate(t, figuresCase(), stats.Query{GroupBy: stats.ByProcedure})
	if len(res.Groups) != 2 {
		t.Fatalf("groups %+v, want procedures A and B only (T5 has none)", res.Groups)
	}
	// A: T1, T2 issued, R1 5 and R2 2 → 1/2; against 766: T2 late → (2 − 1) ÷ 2 = 50%. Both its
	// dossiers are land: land's 85% target. Its index is R1's and R2's criteria, as overall: 0.6.
	a := find(t, res, procA)
	if *a.Issued != 2 || a.Responses != 2 || a.Satisfied != 1 || !near(*a.DossierRatio, 0.5) || !near(*a.ResponseRate, 1) {
		t.Errorf("A: issued %d %d/%d ratio %v rate %v", *a.Issued, a.Satisfied, a.Responses, *a.DossierRatio, *a.ResponseRate)
	}
	if *a.Target != 0.85 || a.SIPASIndex == nil || !near(*a.SIPASIndex, 0.6) || a.SIPASRespondents != 2 {
		t.Errorf("A: target %v index %v over %d, want 0.85, 0.6 over 2", *a.Target, a.SIPASIndex, a.SIPASRespondents)
	}
	// B: T3, T4 issued, only R3 (4) answered → 1/1; against 766: T3 late, R3 complaint → 0 ÷ 2.
	b := find(t, res, procB)
	if *b.Issued != 2 || b.Responses != 1 || b.Satisfied != 1 || !near(*b.DossierRatio, 0) || !near(*b.ResponseRate, 0.5) || *b.LateDossiers != 1 {
		t.Errorf("B: issued %d %d/%d ratio %v rate %v", *b.Issued, b.Satisfied, b.Responses, *b.DossierRatio, *b.ResponseRate)
	}
}

func TestOnlineChannelJudgedAgainstItsOwnTarget(t *testing.T) {
	res := aggregate(t, figuresCase(), stats.Query{GroupBy: stats.ByChannel})
	online := find(t, res, "online")
	if online.Target == nil || *online.Target != 0.80 || online.RateStatus != stats.StatusMeets {
		t.Errorf("online target %v rate_status %s, want 0.80 meets (1/1)", online.Target, online.RateStatus)
	}
	// qr: R1 5, R2 2 → 1/2 = 50% against the overall 90%.
	qr := find(t, res, "qr")
	if qr.Target == nil || *qr.Target != 0.90 || qr.RateStatus != stats.StatusBelow {
		t.Errorf("qr target %v rate_status %s, want 0.90 below", qr.Target, qr.RateStatus)
	}
	filtered := aggregate(t, figuresCase(), stats.Query{GroupBy: stats.ByField, Channel: "online"}).Overall
	if *filtered.Target != 0.80 {
		t.Errorf("filtered to online: target %v, want 0.80", *filtered.Target)
	}
}

func TestRateStatusAtAnySample(t *testing.T) {
	t90 := 0.9
	for _, c := range []struct {
		sat, n     int64
		target     *float64
		rate, stat string
	}{
		{9, 10, &t90, stats.StatusMeets, stats.StatusInsufficient}, // 9/10 = 90% ≥ 90%
		{8, 10, &t90, stats.StatusBelow, stats.StatusInsufficient}, // 80% < 90%
		{1, 1, &t90, stats.StatusMeets, stats.StatusInsufficient},  // one response is enough
		{0, 0, &t90, stats.StatusNone, stats.StatusInsufficient},   // no response: no verdict
		{27, 30, nil, stats.StatusNone, stats.StatusNone},          // no target
		{26, 30, &t90, stats.StatusBelow, stats.StatusBelow},       // 86.7%: interval reaches 90%
	} {
		f := stats.NewFigure(c.sat, c.n, c.target)
		if got := stats.RateStatus(f); got != c.rate || f.Status != c.stat {
			t.Errorf("%d/%d: rate_status %s status %s, want %s %s", c.sat, c.n, got, f.Status, c.rate, c.stat)
		}
	}
}

func TestMisuseCountsNothingButItself(t *testing.T) {
	r := &survey.Response{Overall: 1, Misuse: true, ProcedureCode: procA, Contact: true, Returns: "1", Reasons: []string{"waiting"}}
	got := stats.ResponseCounts(r)
	want := map[string]int64{"answered": 1, "misuse": 1, stats.ProcedureCounter(procA, "answered"): 1}
	if len(got) != len(want) {
		t.Fatalf("misuse counts %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("misuse counts %v, want %v", got, want)
		}
	}
}

func TestComparisonPeriods(t *testing.T) {
	for _, c := range []struct{ from, to, prevFrom, prevTo, lyFrom, lyTo string }{
		{"2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30", "2025-07-01", "2025-09-30"}, // quarter III
		{"2026-01-01", "2026-06-30", "2025-07-01", "2025-12-31", "2025-01-01", "2025-06-30"}, // first half
		{"2024-02-01", "2024-02-29", "2024-01-01", "2024-01-31", "2023-02-01", "2023-02-28"}, // leap February
		{"2026-03-10", "2026-03-19", "2026-02-28", "2026-03-09", "2025-03-10", "2025-03-19"}, // 10 days
	} {
		p, _ := stats.ParsePeriod(c.from, c.to)
		prev, ly := p.Previous(), p.SameLastYear()
		if prev.From.String() != c.prevFrom || prev.To.String() != c.prevTo || ly.From.String() != c.lyFrom || ly.To.String() != c.lyTo {
			t.Errorf("%s: previous %s, last year %s", p, prev, ly)
		}
	}
}

func TestCompareWithPreviousAndLastYear(t *testing.T) {
	// March 2026: the five-dossier case (2/4 satisfied); February 2026: 3/3; March 2025: 1/4.
	bs := figuresCase()
	for _, b := range buckets(stats.NewDate(2026, 2, 5), [4]any{"land", "H48", 3, 0}) {
		bs.Add(*b, b.Counts)
	}
	for _, b := range buckets(stats.NewDate(2025, 3, 5), [4]any{"land", "H48", 1, 3}) {
		bs.Add(*b, b.Counts)
	}
	q := stats.Query{GroupBy: stats.ByField}
	q.Period, _ = stats.ParsePeriod("2026-03-01", "2026-03-31")
	m := stats.Meta{Targets: stats.DefaultTargets()}
	each := func(p stats.Period, fn func(*stats.Bucket)) {
		for _, b := range bs {
			fn(b)
		}
	}
	res, _ := stats.Aggregate(func(fn func(*stats.Bucket)) { each(q.Period, fn) }, q, m)
	if err := stats.Compare(each, q, m, &res); err != nil {
		t.Fatal(err)
	}
	if res.Overall.Satisfied != 2 || res.Previous.Overall.Satisfied != 3 || res.Previous.Overall.Responses != 3 ||
		res.LastYear.Overall.Satisfied != 1 || res.LastYear.Overall.Responses != 4 || res.LastYear.From.String() != "2025-03-01" {
		t.Errorf("now %d/%d, previous %+v, last year %+v", res.Overall.Satisfied, res.Overall.Responses, res.Previous.Overall.Figure, res.LastYear.Overall.Figure)
	}
}

func TestRankingByHeadlineAndIndex(t *testing.T) {
	idx := func(v float64) *float64 { return &v }
	groups := []stats.Group{
		{Key: "a", Figure: stats.NewFigure(9, 10, nil), Extra: stats.Extra{SIPASIndex: idx(0.7)}},  // 90%
		{Key: "b", Figure: stats.NewFigure(18, 20, nil), Extra: stats.Extra{SIPASIndex: idx(0.9)}}, // 90%: ties with a
		{Key: "c", Figure: stats.NewFigure(19, 20, nil)},                                           // 95%, no index
		{Key: "d", Figure: stats.NewFigure(0, 0, nil), Extra: stats.Extra{SIPASIndex: idx(0.8)}},   // no response
		{Key: "e", Hidden: true},
	}
	stats.Rank(groups)
	// By satisfaction: c 95% first, a and b 90% share second, d and e unranked.
	// By index: b 0.9, d 0.8, a 0.7; c has none.
	want := map[string][2]int{"a": {2, 3}, "b": {2, 1}, "c": {1, 0}, "d": {0, 2}, "e": {0, 0}}
	for _, g := range groups {
		got := [2]int{}
		if g.Rank != nil {
			got[0] = *g.Rank
		}
		if g.SIPASRank != nil {
			got[1] = *g.SIPASRank
		}
		if got != want[g.Key] {
			t.Errorf("%s: rank %d, index rank %d; want %v", g.Key, got[0], got[1], want[g.Key])
		}
	}
}
