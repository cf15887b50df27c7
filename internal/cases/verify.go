package cases

import (
	"context"
	"slices"

	"github.com/hailong/hailong/internal/survey"
)

// Census reads what Verify compares: the stored responses and the stored cases.
type Census interface {
	// EachResponse calls fn for every stored response.
	EachResponse(ctx context.Context, fn func(*survey.Response)) error
	// CaseTokens lists the response token of every stored case, one entry per case.
	CaseTokens(ctx context.Context) ([]string, error)
	// PendingSeeds lists the cases that journal entries and batches not yet rolled up will
	// open, by response token.
	PendingSeeds(ctx context.Context) ([]string, error)
}

// Audit is what Verify found: responses that call for a case and have none, or have more than
// one, and cases whose response calls for none (or is not stored).
type Audit struct {
	Expected int      // responses that call for a case
	Pending  int      // of those, cases the rollup worker has yet to open
	Missing  []string // their tokens, without a case or one on its way
	Doubled  []string // tokens with more than one case
	Unbacked []string // cases without a response that calls for one
}

// OK reports whether every response that calls for a case has exactly one.
func (a Audit) OK() bool { return len(a.Missing) == 0 && len(a.Doubled) == 0 }

// Verify recounts, from the stored responses, which cases should exist and compares them with
// the stored cases; it is `hailong cases verify`. A case still on its way (journaled, not yet
// rolled up) counts as there, as the rollups' own verify counts pending work.
func Verify(ctx context.Context, c Census) (Audit, error) {
	var a Audit
	want := map[string]bool{}
	err := c.EachResponse(ctx, func(r *survey.Response) {
		if _, ok := KindOf(r); ok {
			want[r.Token] = true
		}
	})
	if err != nil {
		return a, err
	}
	tokens, err := c.CaseTokens(ctx)
	if err != nil {
		return a, err
	}
	have := map[string]int{}
	for _, t := range tokens {
		have[t]++
	}
	pending, err := c.PendingSeeds(ctx)
	if err != nil {
		return a, err
	}
	coming := map[string]bool{}
	for _, t := range pending {
		coming[t] = true
	}
	a.Expected = len(want)
	for t := range want {
		switch {
		case have[t] > 0:
		case coming[t]:
			a.Pending++
		default:
			a.Missing = append(a.Missing, t)
		}
	}
	for t, n := range have {
		if n > 1 {
			a.Doubled = append(a.Doubled, t)
		}
		if !want[t] {
			a.Unbacked = append(a.Unbacked, t)
		}
	}
	slices.Sort(a.Missing)
	slices.Sort(a.Doubled)
	slices.Sort(a.Unbacked)
	return a, nil
}
