// Package groupcommit gathers the calls that concurrent writers queue into one batch, so a
// store pays one write per step for all of them (see the README's How it works).
package groupcommit

import "time"

// Gather returns a batch that starts with first: whatever is already queued on in, then what
// arrives until gap after prev (the time the previous batch was written), while the batch's
// size (the sum of size over its items) is under max. A call after a quiet spell goes at once;
// a closed in ends the batch.
func Gather[T any](in <-chan T, first T, prev time.Time, gap time.Duration, max int, size func(T) int) []T {
	batch, n := []T{first}, size(first)
	var until <-chan time.Time
	if wait := time.Until(prev.Add(gap)); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		until = t.C
	}
	for n < max {
		var item T
		ok := true
		select {
		case item, ok = <-in: // queued ones first
		default:
			if until == nil {
				return batch
			}
			select {
			case item, ok = <-in:
			case <-until:
				return batch
			}
		}
		if !ok {
			return batch
		}
		batch, n = append(batch, item), n+size(item)
	}
	return batch
}
