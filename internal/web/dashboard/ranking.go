package dashboard

import (
	"cmp"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/stats"
)

// ranking is the units of q's scope ranked by satisfaction (ties by the SIPAS-style index), for
// emulation; units without a response or hidden are left out. Nil for an officer's own counter.
func (h *Handler) ranking(c *fiber.Ctx, q stats.Query) []stats.Group {
	if q.Counter != "" {
		return nil
	}
	q.GroupBy = stats.ByAgency
	res, err := h.Figures.aggregate(c, q)
	if err != nil {
		return nil
	}
	var out []stats.Group
	for _, g := range res.Groups {
		if g.Rank != nil {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b stats.Group) int {
		return cmp.Or(cmp.Compare(*a.Rank, *b.Rank), cmp.Compare(sipasOrder(a), sipasOrder(b)))
	})
	return out
}

func sipasOrder(g stats.Group) int {
	if g.SIPASRank == nil {
		return 1 << 30
	}
	return *g.SIPASRank
}

// reasonCount is one kiosk reason chip and how many responses chose it.
type reasonCount struct {
	Chip  string
	Count int64
}

// reasonsOf lists the chips of counts, most chosen first.
func reasonsOf(counts map[string]int64) []reasonCount {
	out := make([]reasonCount, 0, len(counts))
	for k, v := range counts {
		out = append(out, reasonCount{Chip: k, Count: v})
	}
	slices.SortFunc(out, func(a, b reasonCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Chip, b.Chip)) })
	return out
}

// Points is the change from then to now in percentage points, signed ("+3,1", "−2,0"), for the
// comparison with an earlier period; "" when either has no responses.
func Points(now, then stats.Group) string {
	if now.Responses == 0 || then.Responses == 0 {
		return ""
	}
	d := (now.Satisfaction - then.Satisfaction) * 100
	if d < 0 {
		return "−" + stats.FormatDecimal(-d, 1)
	}
	return "+" + stats.FormatDecimal(d, 1)
}
