package mongodb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/survey"
)

func followUp(at time.Time, criteria ...survey.CriterionRating) *survey.FollowUp {
	answers := map[string]any{"returns": "1"}
	return &survey.FollowUp{Nonce: survey.NewToken(), Answers: answers, Criteria: criteria, At: at}
}

// Step 2 answers reach the response once, however many attempts race, and the rollups count
// exactly what the stored response holds.
func TestFollowUpIsAddedOnceAndCounted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(1, "land")
	r := response(tk, 4)
	if err := f.responses.SubmitResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	at := r.SubmittedAt.Add(10 * time.Minute)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			errs[i] = f.responses.AddFollowUp(ctx, tk.Token, followUp(at, survey.CriterionRating{Criterion: "access", Rating: 5}))
		})
	}
	wg.Wait()
	added := 0
	for _, err := range errs {
		switch {
		case err == nil:
			added++
		case !errors.Is(err, survey.ErrFollowUpDone):
			t.Fatalf("attempt: %v, want nil or ErrFollowUpDone", err)
		}
	}
	if added != 1 {
		t.Fatalf("%d attempts added step 2, want exactly 1", added)
	}
	got, err := f.responses.Response(ctx, tk.Token)
	if err != nil || got.FollowUpNonce == "" || got.Answers["returns"] != "1" || len(got.Criteria) != 2 {
		t.Fatalf("stored response %+v (%v): want the step 2 answer and two criterion ratings", got, err)
	}
	stored := f.exact()
	if n := total(stored, "c_access_5"); n != 1 {
		t.Fatalf("c_access_5 = %d, want 1", n)
	}
	if n := total(stored, "answered"); n != 1 {
		t.Fatalf("answered = %d, want 1: step 2 is not a second response", n)
	}
	// Step 2's extra trips are kept beside the answers (so they outlive the retention) and
	// counted once; its criterion items count the respondent once per criterion.
	if got.Returns != "1" || total(stored, "ret_1") != 1 || total(stored, "ret_n") != 1 || total(stored, "crit_n") != 1 {
		t.Fatalf("returns %q, ret_1 %d, ret_n %d, crit_n %d; want \"1\", 1, 1, 1", got.Returns, total(stored, "ret_1"), total(stored, "ret_n"), total(stored, "crit_n"))
	}
}

func TestFollowUpClosesAfterThirtyMinutes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(1, "land")
	r := response(tk, 2)
	if err := f.responses.SubmitResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	late := followUp(r.SubmittedAt.Add(survey.FollowUpWindow+time.Second), survey.CriterionRating{Criterion: "result", Rating: 1})
	if err := f.responses.AddFollowUp(ctx, tk.Token, late); !errors.Is(err, survey.ErrFollowUpClosed) {
		t.Fatalf("late step 2: %v, want ErrFollowUpClosed", err)
	}
	if err := f.responses.AddFollowUp(ctx, "no-such-token", late); !errors.Is(err, survey.ErrTicketNotFound) {
		t.Fatalf("step 2 without a response: %v, want ErrTicketNotFound", err)
	}
	if n := total(f.exact(), "c_result_1"); n != 0 {
		t.Fatalf("c_result_1 = %d, want 0", n)
	}
}

// A writer that journaled step 2 and died before updating the response adds nothing.
func TestFollowUpJournaledButNeverWrittenIsDropped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.worker.StaleAfter = 0
	tk := f.ticket(1, "land")
	r := response(tk, 5)
	if err := f.responses.SubmitResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	lost := followUp(r.SubmittedAt.Add(time.Minute), survey.CriterionRating{Criterion: "feedback", Rating: 2})
	if _, err := f.journal.Begin(ctx, mongodb.FollowUpEvent(r, lost)); err != nil {
		t.Fatal(err)
	}
	if n := total(f.exact(), "c_feedback_2"); n != 0 {
		t.Fatalf("c_feedback_2 = %d, want 0", n)
	}
}
