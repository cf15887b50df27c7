package survey

import (
	"net/url"
	"time"
)

// FollowUpWindow is how long after the response its step 2 answers are still added to it.
const FollowUpWindow = 30 * time.Minute

// FirstQuestions are the questions of the first screen, in order.
func (d *Definition) FirstQuestions() []Question {
	var out []Question
	for _, q := range d.Questions {
		if q.Step != 2 {
			out = append(out, q)
		}
	}
	return out
}

// FollowUpQuestions are the optional questions offered after the response is stored (step 2).
func (d *Definition) FollowUpQuestions() []Question {
	var out []Question
	for _, q := range d.Questions {
		if q.Step == 2 {
			out = append(out, q)
		}
	}
	return out
}

// followUp is d reduced to its step 2 questions.
func (d *Definition) followUp() *Definition {
	return &Definition{ID: d.ID, Version: d.Version, Kind: d.Kind, Questions: d.FollowUpQuestions()}
}

// ParseFollowUpForm validates the step 2 form: only step 2 questions, none required (an
// unanswered one, or "Không áp dụng", is left out).
func (d *Definition) ParseFollowUpForm(values url.Values) (Answers, FieldErrors) {
	return d.followUp().ParseForm(values)
}

// ParseFollowUpJSON validates the step 2 answers of the JSON API, as ParseFollowUpForm does the
// form's: only step 2 questions, none required.
func (d *Definition) ParseFollowUpJSON(answers map[string]any) (Answers, FieldErrors) {
	return d.followUp().ParseJSON(answers, nil)
}

// FollowUpAnswered reports whether r already holds an answer to one of d's step 2 questions
// (the JSON API may send them with the first screen's).
func (d *Definition) FollowUpAnswered(r *Response) bool {
	for _, q := range d.FollowUpQuestions() {
		if _, ok := r.Answers[q.ID]; ok {
			return true
		}
	}
	return false
}

// FollowUp is what step 2 adds to a stored response: its answers and the criterion ratings
// among them. Nonce tells this attempt from any other, so it is added once.
type FollowUp struct {
	Nonce    string
	Answers  map[string]any
	Criteria []CriterionRating
	At       time.Time
}

// NewFollowUp builds the addition of step 2 answers a (validated by ParseFollowUpForm).
func NewFollowUp(d *Definition, a Answers, now time.Time) *FollowUp {
	return &FollowUp{Nonce: NewToken(), Answers: a.Values, Criteria: d.CriterionRatings(a), At: now.UTC()}
}

// Empty reports whether the citizen answered nothing in step 2.
func (f *FollowUp) Empty() bool { return len(f.Answers) == 0 }

// WithFollowUp is r as it reads once f is added: its answers and criterion ratings joined.
func (r *Response) WithFollowUp(f *FollowUp) *Response {
	out := *r
	out.Answers = make(map[string]any, len(r.Answers)+len(f.Answers))
	for k, v := range r.Answers {
		out.Answers[k] = v
	}
	for k, v := range f.Answers {
		out.Answers[k] = v
	}
	out.Criteria = append(append([]CriterionRating(nil), r.Criteria...), f.Criteria...)
	if v, ok := f.Answers[QuestionReturns]; ok {
		out.Returns = stringAnswer(v)
	}
	if f.Answers[QuestionContact] == true {
		out.Contact = true
	}
	out.FollowUpNonce = f.Nonce
	at := f.At
	out.FollowUpAt = &at
	return &out
}

// FollowUpOpen reports whether step 2 answers can still be added to r at now.
func (r *Response) FollowUpOpen(now time.Time) bool {
	return r.FollowUpNonce == "" && now.Sub(r.SubmittedAt) < FollowUpWindow
}
