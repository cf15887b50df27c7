package mongodb_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// A response older than the retention loses its dossier code, comment and answers and keeps
// what the rollups count, so a recount still matches them; a newer one keeps everything.
func TestRetentionReducesOldResponsesToTheirCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := day.Add(6 * 365 * 24 * time.Hour)
	old, recent := f.ticket(1, "dat-dai"), f.ticket(2, "dat-dai")
	for tk, at := range map[*survey.Ticket]time.Time{old: day.Add(time.Hour), recent: now.Add(-time.Hour)} {
		r := response(tk, 2)
		r.SubmittedAt, r.Comment, r.Answers = at, "Chờ lâu", map[string]any{"returns": "1", "contact_request": true}
		r.Returns, r.Contact, r.Reasons, r.ProcedureCode = "1", true, []string{"waiting"}, "1.001612.000.00.00.H48"
		if err := f.responses.SubmitResponse(ctx, r); err != nil {
			t.Fatalf("submit: %v", err)
		}
	}
	before := f.exact()
	n, err := f.responses.ReduceOlderThan(ctx, now.Add(-5*365*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("reduced %d responses, %v; want 1", n, err)
	}
	got, err := f.responses.Response(ctx, old.Token)
	if err != nil || got == nil {
		t.Fatalf("the old response is gone: %v", err)
	}
	if got.DossierCode != "" || got.Comment != "" || len(got.Answers) != 0 {
		t.Errorf("old response keeps dossier %q, comment %q, answers %v", got.DossierCode, got.Comment, got.Answers)
	}
	if got.Overall != 2 || got.Field != "dat-dai" || len(got.Criteria) != 1 {
		t.Errorf("old response lost what the rollups count: %+v", got)
	}
	kept, err := f.responses.Response(ctx, recent.Token)
	if err != nil || kept.DossierCode != recent.DossierCode || kept.Comment != "Chờ lâu" || kept.Answers["returns"] != "1" {
		t.Errorf("a response inside the retention changed: %+v, %v", kept, err)
	}
	if after := f.exact(); !maps.EqualFunc(before, after, maps.Equal) {
		t.Errorf("rollups changed: %v, want %v", after, before)
	}
	if n, err := f.responses.ReduceOlderThan(ctx, now.Add(-5*365*24*time.Hour)); err != nil || n != 0 {
		t.Errorf("a second pass reduced %d, %v; want none", n, err)
	}
}

// The managers' lists of latest comments forget the days before the retention, in the store
// and in a view, while the figures and a recount stay as they were.
func TestRetentionDropsOldCommentDays(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := day.Add(6 * 365 * 24 * time.Hour)
	cutoff := now.Add(-5 * 365 * 24 * time.Hour)
	for text, at := range map[string]time.Time{"Chờ quá lâu": day.Add(time.Hour), "Nhanh gọn": now.Add(-time.Hour)} {
		r := response(f.ticket(len(text), "dat-dai"), 2)
		r.SubmittedAt, r.Comment = at, text
		if err := f.responses.SubmitResponse(ctx, r); err != nil {
			t.Fatalf("submit: %v", err)
		}
	}
	before := f.exact()
	view := rollup.NewView(f.rollups)
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	all := stats.Period{From: stats.DateOf(day), To: stats.DateOf(now)}
	if got := view.Comments(all, nil, 10); len(got) != 2 {
		t.Fatalf("the view lists %d comments before, want 2", len(got))
	}

	n, err := f.rollups.DropCommentDaysBefore(ctx, stats.DateOf(cutoff).String())
	if err != nil || n != 1 {
		t.Fatalf("dropped %d days, %v; want 1", n, err)
	}
	view.ForgetCommentsBefore(stats.DateOf(cutoff))
	if docs := f.containing("comment_days", "Chờ quá lâu"); len(docs) > 0 {
		t.Errorf("an old comment is still stored: %v", docs)
	}
	for _, v := range []*rollup.View{view, rollup.NewView(f.rollups)} {
		if err := v.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got := v.Comments(all, nil, 10); len(got) != 1 || got[0].Text != "Nhanh gọn" {
			t.Errorf("the view lists %+v, want only the recent comment", got)
		}
	}
	if after := f.exact(); !maps.EqualFunc(before, after, maps.Equal) {
		t.Errorf("rollups changed: %v, want %v", after, before)
	}
}
