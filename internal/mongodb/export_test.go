package mongodb

import (
	"context"

	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/survey"
)

// ResponseEvent exposes responseEvent to tests that journal by hand.
func ResponseEvent(r *survey.Response) rollup.Event { return responseEvent(r) }

// FollowUpEvent exposes followUpEvent to tests that journal by hand.
func FollowUpEvent(r *survey.Response, f *survey.FollowUp) rollup.Event { return followUpEvent(r, f) }

// ApplyPart applies the first n bucket updates of batch b and the first n of its month sums
// (each whole, as Apply writes them), as a server that crashed while applying b would leave them.
func (s *RollupStore) ApplyPart(ctx context.Context, b *rollup.Batch, n int) error {
	keys, updates := incUpdates(b.ID, b.Incs)
	if err := s.applyTo(ctx, colRollups, b.ID, keys[:min(n, len(keys))], updates[:min(n, len(updates))], true); err != nil {
		return err
	}
	mkeys, months := incUpdates(b.ID, rollup.MonthIncs(b))
	return s.applyTo(ctx, colMonths, b.ID, mkeys[:min(n, len(mkeys))], months[:min(n, len(months))], true)
}
