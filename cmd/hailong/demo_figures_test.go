package main

import (
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// The demo data gives every figure of the dashboard something to show: online dossiers with the
// online survey, kiosk answers with and without reason chips, criteria answered with several
// items, every return-trips answer, procedures, late dossiers and requests to be contacted.
func TestDemoDataExercisesEveryFigure(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	day := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	seen := map[string]int{}
	roll := stats.Buckets{}
	for n := range 3000 {
		tk, r := demoDossier(rng, day, "000.00.53.H48", "Q1", n)
		roll.Add(stats.TicketBucket(tk), stats.TicketCounts(tk))
		if tk.Delivery == survey.DeliveryOnline && tk.SurveyID == "sipas-online" {
			seen["online dossier"]++
		}
		if r == nil {
			continue
		}
		roll.Add(stats.ResponseBucket(r), stats.ResponseCounts(r))
		items := map[string]int{}
		for _, c := range r.Criteria {
			items[c.Criterion]++
		}
		for _, k := range items {
			if k > 1 {
				seen["criterion with several items"]++
			}
		}
		switch {
		case r.Channel == survey.ChannelKiosk && len(r.Reasons) > 0:
			seen["kiosk with chips"]++
		case r.Channel == survey.ChannelKiosk && r.Overall <= 2:
			seen["low kiosk rating without chips"]++
		case r.Channel == survey.ChannelKiosk && len(r.Criteria) > 0:
			t.Errorf("a kiosk answer has criterion items: %+v", r.Criteria)
		case r.Channel == survey.ChannelOnline:
			seen["online answer"]++
		}
		seen["returns "+r.Returns]++
		if r.Contact {
			seen["contact"]++
		}
	}
	for _, want := range []string{"online dossier", "online answer", "criterion with several items", "kiosk with chips", "low kiosk rating without chips", "returns 0", "returns 1", "returns 2+", "contact"} {
		if seen[want] == 0 {
			t.Errorf("no %s in the demo data (%v)", want, seen)
		}
	}
	res, err := stats.Aggregate(func(fn func(*stats.Bucket)) {
		for _, b := range roll {
			fn(b)
		}
	}, stats.Query{Period: stats.Period{From: stats.NewDate(2026, 3, 1), To: stats.NewDate(2026, 3, 31)}, GroupBy: stats.ByProcedure}, stats.Meta{Targets: stats.DefaultTargets()})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Overall
	if len(res.Groups) < 5 || o.SIPASIndex == nil || o.OnlineShare == nil || *o.LateDossiers == 0 || o.DossierRatio == nil || len(o.Reasons) == 0 {
		t.Errorf("demo figures missing: %d procedures, index %v, online %v, late %v, ratio %v, reasons %v", len(res.Groups), o.SIPASIndex, o.OnlineShare, *o.LateDossiers, o.DossierRatio, o.Reasons)
	}
}
