package stats_test

import (
	"math"
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// buckets builds rollup buckets from (field, agency, satisfied, unsatisfied) rows on one day.
func buckets(day stats.Date, rows ...[4]any) []*stats.Bucket {
	var out []*stats.Bucket
	for _, r := range rows {
		sat, unsat := int64(r[2].(int)), int64(r[3].(int))
		out = append(out, &stats.Bucket{
			Day: day, Field: r[0].(string), Agency: r[1].(string), Counter: "c1", Channel: "qr",
			Counts: map[string]int64{"n": sat + unsat, "sat": sat, "answered": sat + unsat, "r5": sat, "r2": unsat, "neg": unsat, "c_staff_4": sat, "c_staff_1": unsat, "cn_staff": sat + unsat, "cs_staff": sat},
		})
	}
	return out
}

func each(bs []*stats.Bucket) func(func(*stats.Bucket)) {
	return func(fn func(*stats.Bucket)) {
		for _, b := range bs {
			fn(b)
		}
	}
}

func find(t *testing.T, res stats.Result, key string) stats.Group {
	t.Helper()
	for _, g := range res.Groups {
		if g.Key == key {
			return g
		}
	}
	t.Fatalf("no group %q in %+v", key, res.Groups)
	return stats.Group{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func TestAggregateByFieldAgainstTargets(t *testing.T) {
	d := stats.NewDate(2026, 3, 15)
	bs := buckets(d,
		[4]any{"land", "H48", 85, 15},          // exactly 85%: meets the 85% target
		[4]any{"justice", "H48", 90, 10},       // exactly 90%: meets the overall 90% target
		[4]any{"education", "H48", 20, 5},      // 25 responses: insufficient
		[4]any{"certification", "X01", 60, 40}, // 60%: clearly below 90%
	)
	p, _ := stats.ParsePeriod("2026-01-01", "2026-03-31")
	res, err := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByField}, stats.Meta{Targets: stats.DefaultTargets()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall.Responses != 325 || res.Overall.Satisfied != 255 {
		t.Fatalf("overall %d/%d, want 255/325", res.Overall.Satisfied, res.Overall.Responses)
	}
	land := find(t, res, "land")
	if land.Status != stats.StatusMeets || *land.Target != 0.85 || !near(land.Satisfaction, 0.85) {
		t.Fatalf("land: %+v", land.Figure)
	}
	// Wilson 95% for 85/100, computed by hand: 0.7672 .. 0.9069.
	if !near(land.CILow, 0.7672) || !near(land.CIHigh, 0.9069) {
		t.Fatalf("land interval %.4f..%.4f, want 0.7672..0.9069", land.CILow, land.CIHigh)
	}
	if j := find(t, res, "justice"); j.Status != stats.StatusMeets || *j.Target != 0.90 {
		t.Fatalf("justice: %+v", j.Figure)
	}
	if e := find(t, res, "education"); e.Status != stats.StatusInsufficient {
		t.Fatalf("education: %+v", e.Figure)
	}
	if c := find(t, res, "certification"); c.Status != stats.StatusLikelyBelow {
		t.Fatalf("certification: %+v", c.Figure)
	}
}

func TestAggregateEmptyPeriod(t *testing.T) {
	bs := buckets(stats.NewDate(2026, 3, 15), [4]any{"land", "H48", 10, 0})
	p, _ := stats.ParsePeriod("2026-04-01", "2026-04-30")
	res, err := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByField}, stats.Meta{Targets: stats.DefaultTargets()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall.Responses != 0 || len(res.Groups) != 0 || res.Overall.Status != stats.StatusInsufficient {
		t.Fatalf("empty period: %+v", res)
	}
}

func TestAggregateScopedToAgencies(t *testing.T) {
	bs := buckets(stats.NewDate(2026, 3, 15), [4]any{"land", "H48", 10, 0}, [4]any{"land", "X01", 0, 10})
	p, _ := stats.ParsePeriod("2026-03-01", "2026-03-31")
	res, _ := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByAgency, Agencies: map[string]bool{"H48": true}}, stats.Meta{Targets: stats.DefaultTargets()})
	if len(res.Groups) != 1 || res.Groups[0].Key != "H48" || res.Overall.Satisfied != 10 {
		t.Fatalf("scoped: %+v", res)
	}
}

func TestAggregateByCriterionAndMonth(t *testing.T) {
	bs := append(buckets(stats.NewDate(2026, 1, 10), [4]any{"land", "H48", 30, 10}), buckets(stats.NewDate(2026, 2, 10), [4]any{"land", "H48", 40, 0})...)
	p, _ := stats.ParsePeriod("2026-01-01", "2026-03-31")
	res, _ := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByCriterion}, stats.Meta{Targets: stats.DefaultTargets()})
	staff := find(t, res, "staff")
	if staff.Responses != 80 || staff.Satisfied != 70 {
		t.Fatalf("staff criterion %d/%d, want 70/80", staff.Satisfied, staff.Responses)
	}
	res, _ = stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByMonth}, stats.Meta{Targets: stats.DefaultTargets()})
	if len(res.Groups) != 2 || res.Groups[0].Key != "2026-01" || res.Groups[0].Label != "01/2026" || res.Groups[1].Satisfied != 40 {
		t.Fatalf("by month: %+v", res.Groups)
	}
}

func TestOfficerFiguresHiddenBelowTen(t *testing.T) {
	d := stats.NewDate(2026, 3, 15)
	bs := []*stats.Bucket{
		{Day: d, Agency: "H48", Counter: "c1", Officer: "a", Field: "land", Counts: map[string]int64{"n": 9, "sat": 9}},
		{Day: d, Agency: "H48", Counter: "c1", Officer: "b", Field: "land", Counts: map[string]int64{"n": 10, "sat": 5}},
		{Day: d, Agency: "H48", Counter: "c2", Officer: "c", Field: "land", Counts: map[string]int64{"n": 12, "sat": 6}},
		{Day: d, Agency: "H48", Counter: "c2", Officer: "e", Field: "land", Counts: map[string]int64{"n": 11, "sat": 6}},
	}
	p, _ := stats.ParsePeriod("2026-03-01", "2026-03-31")
	res, _ := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByOfficer, MinOfficerResponses: 10}, stats.Meta{Targets: stats.DefaultTargets()})
	// a has 9 responses; b, the only other officer of counter c1, is hidden beside a, or c1's
	// row less b's would be a's figure.
	if c := find(t, res, "H48/c2/c"); c.Hidden || c.Responses != 12 || len(res.Groups) != 3 {
		t.Fatalf("officers: %+v", res.Groups)
	}
	for _, g := range res.Groups {
		if g.Key == "H48/c1/a" || g.Key == "H48/c1/b" {
			t.Fatalf("officer %s is shown: %+v", g.Key, g)
		}
	}
	// The hidden officers are not named: one row without key or label stands for them.
	if last := res.Groups[2]; !last.Hidden || last.Key != "" || last.Label != "" || last.Responses != 0 {
		t.Fatalf("hidden officers' row: %+v", last)
	}
}

// TestNoHiddenOfficerIsADifferenceOfShownFigures: whatever the officers' counts, an officer
// hidden below ten responses is never the difference between a counter's row (or the overall
// figure) and the officers shown beside it.
func TestNoHiddenOfficerIsADifferenceOfShownFigures(t *testing.T) {
	d := stats.NewDate(2026, 3, 15)
	p, _ := stats.ParsePeriod("2026-03-01", "2026-03-31")
	type officer struct {
		counter, name string
		n             int64
	}
	for _, staff := range [][]officer{
		{{"c1", "a", 50}, {"c1", "b", 3}}, // the reported case: two officers, one below ten
		{{"c1", "a", 50}, {"c1", "b", 3}, {"c2", "c", 40}, {"c2", "e", 30}},
		{{"c1", "a", 3}, {"c2", "b", 20}, {"c2", "c", 25}},                // alone at a counter
		{{"c1", "a", 3}, {"c1", "b", 4}, {"c1", "c", 30}, {"c2", "e", 2}}, // two hidden at c1
		{{"c1", "a", 12}, {"c1", "b", 0}, {"c1", "c", 5}, {"c2", "e", 40}},
	} {
		var bs []*stats.Bucket
		for _, o := range staff {
			bs = append(bs, &stats.Bucket{Day: d, Agency: "H48", Counter: o.counter, Officer: o.name, Field: "land",
				Counts: map[string]int64{"answered": o.n, "n": o.n, "sat": o.n / 2, "issued": o.n + 1}})
		}
		res, _ := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByOfficer, MinOfficerResponses: 10}, stats.Meta{Targets: stats.DefaultTargets()})
		shown := map[string]bool{}
		for _, g := range res.Groups {
			if !g.Hidden {
				shown[g.Key] = true
			}
		}
		// Officers with responses left out of the shown rows, per counter and in all.
		left := map[string][]string{}
		for _, o := range staff {
			if o.n > 0 && !shown["H48/"+o.counter+"/"+o.name] {
				left[o.counter] = append(left[o.counter], o.name)
				left[""] = append(left[""], o.name)
			}
			if o.n > 0 && o.n < 10 && shown["H48/"+o.counter+"/"+o.name] {
				t.Errorf("%+v: officer %s shown with %d responses", staff, o.name, o.n)
			}
		}
		alone := map[string]int{} // a counter of one officer has its row hidden with them
		for _, o := range staff {
			if o.n > 0 {
				alone[o.counter]++
			}
		}
		for where, names := range left {
			if len(names) == 1 && (where == "" || alone[where] > 1) {
				t.Errorf("%+v: at %q only officer %s is left out, so their figure is the row less the shown officers", staff, where, names[0])
			}
		}
	}
}

// TestAnyGroupOfOneOfficerIsHiddenBelowTen: grouping by counter or field must not show what
// grouping by officer hides, when the group's responses all concern one officer.
func TestAnyGroupOfOneOfficerIsHiddenBelowTen(t *testing.T) {
	d := stats.NewDate(2026, 3, 15)
	bs := []*stats.Bucket{
		{Day: d, Agency: "H48", Counter: "c1", Officer: "a", Field: "land", Counts: map[string]int64{"n": 9, "sat": 9}},
		{Day: d, Agency: "H48", Counter: "c2", Officer: "b", Field: "justice", Counts: map[string]int64{"n": 4, "sat": 1}},
		{Day: d, Agency: "H48", Counter: "c2", Officer: "c", Field: "justice", Counts: map[string]int64{"n": 3, "sat": 3}},
		{Day: d, Agency: "H48", Counter: "c3", Field: "health", Counts: map[string]int64{"n": 2, "sat": 2}},
	}
	p, _ := stats.ParsePeriod("2026-03-01", "2026-03-31")
	// c1 (land) is a's alone; c3 (health), the smallest of the rest, is hidden beside it, or the
	// overall less the shown groups would be a's figure.
	for by, want := range map[string]map[string]bool{
		stats.ByCounter: {"H48/c1": true, "H48/c2": false, "H48/c3": true},
		stats.ByField:   {"land": true, "justice": false, "health": true},
	} {
		res, _ := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: by, MinOfficerResponses: 10}, stats.Meta{Targets: stats.DefaultTargets()})
		for key, hidden := range want {
			if g := find(t, res, key); g.Hidden != hidden || (hidden && g.Responses != 0) {
				t.Errorf("by %s, %s: hidden %v with %d responses, want hidden %v", by, key, g.Hidden, g.Responses, hidden)
			}
		}
	}
}

func TestResponseRateAndDossierRatio(t *testing.T) {
	d := stats.NewDate(2026, 3, 15)
	bs := []*stats.Bucket{
		{Day: d, Agency: "H48", Field: "land", Counts: map[string]int64{"issued": 40, "late_d": 3}},
		{Day: d, Agency: "H48", Field: "land", Channel: "qr", Counts: map[string]int64{"answered": 10, "n": 10, "sat": 8, "d766r": 2}},
	}
	p, _ := stats.ParsePeriod("2026-03-01", "2026-03-31")
	res, _ := stats.Aggregate(each(bs), stats.Query{Period: p, GroupBy: stats.ByAgency}, stats.Meta{Targets: stats.DefaultTargets()})
	g := find(t, res, "H48")
	if *g.Issued != 40 || !near(*g.ResponseRate, 0.25) || !near(*g.DossierRatio, 35.0/40) {
		t.Fatalf("rate/ratio: issued %v rate %v ratio %v", *g.Issued, *g.ResponseRate, *g.DossierRatio)
	}
}
