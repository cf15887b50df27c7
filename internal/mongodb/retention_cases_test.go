package mongodb_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/stats"
)

// containing lists the documents of collection col whose stored form contains text.
func (f *fixture) containing(col, text string) []string {
	f.t.Helper()
	cur, err := f.db.DB.Collection(col).Find(context.Background(), bson.D{})
	if err != nil {
		f.t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(context.Background(), &docs); err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		if s := bson.Raw(must(bson.Marshal(d))).String(); strings.Contains(s, text) {
			out = append(out, s)
		}
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// oldCase stores a case opened at opened and, unless settle is zero, settled then with an
// outcome, a reply and a note, through the store's versioned changes.
func oldCase(t *testing.T, store *mongodb.CaseStore, token string, opened, settle time.Time) {
	t.Helper()
	ctx := context.Background()
	c := cases.New(&cases.Seed{Token: token, Kind: cases.KindComplaint, Rating: 2, Comment: "Gọi tôi 0912345678",
		Answers: map[string]any{"returns": "1"}, DossierCode: "DOSSIER-" + token, Field: "dat-dai", Agency: "H48",
		Counter: "c1", Channel: "qr", SubmittedAt: opened}, cases.DefaultCalendar(), 15)
	if err := store.Open(ctx, []*cases.Case{c}); err != nil {
		t.Fatal(err)
	}
	c.Version++
	c.Notes = append(c.Notes, cases.Note{At: opened.Add(time.Hour), By: "manager", Action: "note", Text: "Đã gọi ông Nguyễn Văn A"})
	if err := store.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	if settle.IsZero() {
		return
	}
	c.Version++
	c.Status, c.Outcome, c.Reply, c.SettledAt = cases.StatusResolved, "Đã trả hồ sơ cho bà Trần Thị B", "Xin lỗi ông A", &settle
	c.Notes = append(c.Notes, cases.Note{At: settle, By: "manager", Action: "resolve", Text: "Đã trả hồ sơ cho bà Trần Thị B"})
	if err := store.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// A case settled longer than the retention ago keeps what its figures count and loses the
// comment, answers, dossier code, notes' text, outcome and reply, in the case and in every
// stored copy of its versions; an open case or one settled recently keeps everything.
func TestRetentionReducesOldSettledCases(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	store := mongodb.NewCaseStore(f.db)
	now := day.Add(6 * 365 * 24 * time.Hour)
	cutoff := now.Add(-5 * 365 * 24 * time.Hour)
	oldCase(t, store, "old", day, day.Add(48*time.Hour))
	oldCase(t, store, "open", day, time.Time{})
	oldCase(t, store, "recent", now.Add(-72*time.Hour), now.Add(-time.Hour))
	figures := func() cases.Figures {
		list, err := store.Cases(ctx, cases.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		p := stats.Period{From: stats.DateOf(day).AddDays(-1), To: stats.DateOf(now)}
		return cases.Count(list, p, cases.ByKind, now, cases.DefaultCalendar(), stats.TargetTable{}, func(_, k string) string { return k })
	}
	before := figures()

	n, err := store.ReduceSettledBefore(ctx, cutoff)
	if err != nil || n != 1 {
		t.Fatalf("reduced %d cases, %v; want 1", n, err)
	}
	got, err := store.Case(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if got.Comment != "" || got.DossierCode != "" || len(got.Answers) != 0 || got.Outcome != "" || got.Reply != "" {
		t.Errorf("the old case keeps personal data: %+v", got)
	}
	if got.Status != cases.StatusResolved || got.Kind != cases.KindComplaint || got.SettledAt == nil || got.Field != "dat-dai" || len(got.Notes) != 2 || got.Notes[1].Action != "resolve" {
		t.Errorf("the old case lost what its figures count: %+v", got)
	}
	for _, text := range []string{"0912345678", "DOSSIER-old", "Nguyễn Văn A", "Trần Thị B", "Xin lỗi"} {
		for _, col := range []string{"cases", "case_changes"} {
			for _, doc := range f.containing(col, text) {
				if strings.Contains(doc, `"old`) {
					t.Errorf("%s still holds %q: %s", col, text, doc)
				}
			}
		}
	}
	for _, id := range []string{"open", "recent"} {
		c, err := store.Case(ctx, id)
		if err != nil || c.Comment == "" || c.DossierCode == "" || c.Notes[0].Text == "" {
			t.Errorf("case %s changed: %+v, %v", id, c, err)
		}
	}
	if after := figures(); !reflect.DeepEqual(after, before) {
		t.Errorf("figures changed: %+v, want %+v", after, before)
	}
	if n, err := store.ReduceSettledBefore(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("a second pass reduced %d, %v; want none", n, err)
	}
}
