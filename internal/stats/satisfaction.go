// Package stats holds the statistical core of the Hài Lòng satisfaction
// platform: top-2-box satisfaction with Wilson score intervals, status
// against targets, Decision 766 dossier ratios, reporting periods in the
// Asia/Ho_Chi_Minh time zone, and Vietnamese number/date formatting.
//
// Everything here is pure computation over counts; it knows nothing about
// storage or HTTP. Errors carry plain English text and are exposed as
// sentinel values so the web layer can translate them.
package stats

import (
	"math"
	"math/bits"
)

// Rating scale bounds and the top-2-box threshold.
const (
	// MinRating is the lowest valid rating on the 1..5 scale.
	MinRating = 1
	// MaxRating is the highest valid rating on the 1..5 scale.
	MaxRating = 5
	// SatisfiedMinRating is the lowest rating counted as satisfied
	// (top-2-box: ratings 4 and 5).
	SatisfiedMinRating = 4
)

// WilsonZ is the standard normal quantile used for the 95% Wilson score
// interval.
const WilsonZ = 1.959963984540054

// MinResponses is the smallest sample size for which a status other than
// StatusInsufficient is reported.
const MinResponses = 30

// Status values of a Figure relative to its target.
const (
	// StatusInsufficient means fewer than MinResponses responses; it takes
	// precedence over every other status, including StatusNone.
	StatusInsufficient = "insufficient"
	// StatusMeets means the point estimate is at or above the target.
	StatusMeets = "meets"
	// StatusBelow means the point estimate is below the target but the
	// target is still inside (or at the edge of) the 95% interval.
	StatusBelow = "below"
	// StatusLikelyBelow means the whole 95% interval lies under the target.
	StatusLikelyBelow = "likely_below"
	// StatusNone means there is enough data but no target applies.
	StatusNone = "none"
)

// ValidRating reports whether r is on the 1..5 scale.
func ValidRating(r int) bool { return r >= MinRating && r <= MaxRating }

// IsSatisfied reports whether rating r counts as satisfied (4 or 5).
// Ratings outside the 1..5 scale are never satisfied.
func IsSatisfied(r int) bool { return r >= SatisfiedMinRating && r <= MaxRating }

// Wilson returns the 95% Wilson score interval (z = WilsonZ) for successes
// out of n trials. For n <= 0 nothing is known and it returns (0, 1).
// successes is clamped to [0, n]. The bounds are clamped to [0, 1] and are
// exactly 0 (resp. 1) when successes is 0 (resp. n).
func Wilson(successes, n int64) (low, high float64) {
	if n <= 0 {
		return 0, 1
	}
	successes = clamp(successes, n)
	nf := float64(n)
	p := float64(successes) / nf
	z2 := WilsonZ * WilsonZ
	denom := 1 + z2/nf
	center := (p + z2/(2*nf)) / denom
	half := WilsonZ / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	low, high = center-half, center+half
	if successes == 0 || low < 0 {
		low = 0
	}
	if successes == n || high > 1 {
		high = 1
	}
	return low, high
}

// Figure is a satisfaction percentage with its sample size, 95% Wilson
// interval, applicable target and status. Satisfaction, CILow, CIHigh and
// Target are fractions in 0..1 (use FormatPercent to display them).
type Figure struct {
	// Responses is the number of responses with an overall rating.
	Responses int64 `json:"responses"`
	// Satisfied is the number of those responses rated 4 or 5.
	Satisfied int64 `json:"satisfied"`
	// Satisfaction is Satisfied/Responses, or 0 when Responses is 0.
	Satisfaction float64 `json:"satisfaction"`
	// CILow is the lower bound of the 95% Wilson interval.
	CILow float64 `json:"ci_low"`
	// CIHigh is the upper bound of the 95% Wilson interval.
	CIHigh float64 `json:"ci_high"`
	// Target is the applicable target, or nil when none applies.
	Target *float64 `json:"target"`
	// Status is one of the Status* constants.
	Status string `json:"status"`
}

// NewFigure builds a Figure from satisfied out of responses and an optional
// target (nil = no target; the value is copied, not aliased).
//
// Negative responses are treated as 0 and satisfied is clamped to
// [0, responses]. With no responses the satisfaction is 0, the interval is
// 0..1 and the status is StatusInsufficient.
//
// Status rules, in order: StatusInsufficient if responses < MinResponses;
// StatusNone if target is nil (or NaN); StatusMeets if
// satisfied/responses >= target, compared exactly in integers with the
// target taken to a resolution of one millionth (so 85/100 meets 0.85);
// StatusLikelyBelow if CIHigh < target; otherwise StatusBelow.
func NewFigure(satisfied, responses int64, target *float64) Figure {
	if responses < 0 {
		responses = 0
	}
	satisfied = clamp(satisfied, responses)
	f := Figure{Responses: responses, Satisfied: satisfied}
	if responses > 0 {
		f.Satisfaction = float64(satisfied) / float64(responses)
	}
	f.CILow, f.CIHigh = Wilson(satisfied, responses)
	if target != nil {
		t := *target
		f.Target = &t
	}
	f.Status = figureStatus(satisfied, responses, f.CIHigh, target)
	return f
}

func figureStatus(satisfied, responses int64, ciHigh float64, target *float64) string {
	switch {
	case responses < MinResponses:
		return StatusInsufficient
	case target == nil || math.IsNaN(*target):
		return StatusNone
	case meetsTarget(satisfied, responses, *target):
		return StatusMeets
	case ciHigh < *target:
		return StatusLikelyBelow
	default:
		return StatusBelow
	}
}

// meetsTarget reports satisfied/n >= t without floating-point division:
// satisfied*1e6 >= round(t*1e6)*n, using 128-bit products. n must be > 0
// and 0 <= satisfied <= n.
func meetsTarget(satisfied, n int64, t float64) bool {
	const scale = 1_000_000
	if t <= 0 {
		return true
	}
	if t > 1 {
		return false
	}
	tm := uint64(math.Round(t * scale))
	lh, ll := bits.Mul64(uint64(satisfied), scale)
	rh, rl := bits.Mul64(tm, uint64(n))
	return lh > rh || (lh == rh && ll >= rl)
}

// DossierRatio is the Decision 766 indicator: the share of dossiers that
// were neither rated dissatisfied, complained about, nor late:
//
//	(dossiers − min(dissatisfied + complained + late, dossiers)) / dossiers
//
// It returns 0 when dossiers <= 0; negative category counts are treated as
// 0. The three counts are simply added, so when one dossier can fall into
// several categories the caller must pass counts of distinct dossiers
// (e.g. count a late dossier that was also complained about only once).
func DossierRatio(dossiers, dissatisfied, complained, late int64) float64 {
	if dossiers <= 0 {
		return 0
	}
	bad := int64(0)
	for _, c := range [...]int64{dissatisfied, complained, late} {
		if c > 0 {
			bad += min(c, dossiers-bad) // stays <= dossiers, no overflow
		}
	}
	return float64(dossiers-bad) / float64(dossiers)
}

func clamp(v, hi int64) int64 {
	return max(0, min(v, hi))
}
