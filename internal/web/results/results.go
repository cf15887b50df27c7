// Package results serves what anyone may see without signing in: the public results page
// /cong-khai (satisfaction by unit and field against the targets, embeddable in the town's
// portal), the same figures as JSON, and the centre's emblem.
package results

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// MinResponses is how many responses a group needs before the public sees its figure.
const MinResponses = 10

// cacheFor is how long a computed board is served before it is counted again.
const cacheFor = 5 * time.Minute

// Rollups yields the rollup buckets of a period.
type Rollups interface {
	Wait(ctx context.Context, ps ...stats.Period) error
	Buckets(p stats.Period, fn func(b *stats.Bucket))
}

// Handler serves the public results.
type Handler struct {
	webkit.Base
	Org     *org.Directory
	Rollups Rollups

	mu    sync.Mutex
	cache map[string]cached // by language
}

type cached struct {
	board Board
	at    time.Time
}

// Board is the public figures: the current quarter, the last one and the year so far.
type Board struct {
	GeneratedAt time.Time `json:"generated_at"`
	MinSample   int       `json:"min_responses"`
	Periods     []Period  `json:"periods"`
}

// Period is one period's figures, overall and by unit and field.
type Period struct {
	Key      string     `json:"key"` // current_quarter, last_quarter, year
	Title    string     `json:"title"`
	From     stats.Date `json:"from"`
	To       stats.Date `json:"to"`
	Overall  Row        `json:"overall"`
	ByAgency []Row      `json:"by_agency"`
	ByField  []Row      `json:"by_field"`
}

// Row is one group's public figure. Below MinResponses only its name and "not enough
// responses" are shown: no count, no rate.
type Row struct {
	Key          string   `json:"key"`
	Label        string   `json:"label"`
	Enough       bool     `json:"enough"`
	Responses    *int64   `json:"responses"`
	Satisfaction *float64 `json:"satisfaction"`
	Target       *float64 `json:"target"`
	// Verdict is the plain reading agencies use: meets (the rate is at or above the target),
	// below, no_target, or insufficient (under MinResponses).
	Verdict      string   `json:"verdict"`
	VerdictText  string   `json:"verdict_text"`
	DossierRatio *float64 `json:"dossier_ratio"` // Decision 766's dossier ratio
}

// board returns the figures in lang, counted at most cacheFor ago.
func (h *Handler) board(ctx context.Context, lang string) (Board, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.cache[lang]; ok && h.Now().Sub(c.at) < cacheFor {
		return c.board, nil
	}
	b, err := h.count(ctx, lang)
	if err != nil {
		return b, err
	}
	if h.cache == nil {
		h.cache = map[string]cached{}
	}
	h.cache[lang] = cached{board: b, at: h.Now()}
	return b, nil
}

// count computes the board from the rollups.
func (h *Handler) count(ctx context.Context, lang string) (Board, error) {
	b := Board{GeneratedAt: h.Now(), MinSample: MinResponses}
	for _, p := range h.periods(ctx, lang) {
		meta := h.Org.Meta(ctx, lang)
		for _, by := range []string{stats.ByAgency, stats.ByField} {
			q := stats.Query{Period: stats.Period{From: p.From, To: p.To}, GroupBy: by, MinGroupResponses: MinResponses}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := h.Rollups.Wait(wctx, q.Period)
			cancel()
			if err != nil {
				return b, survey.Wrap(err)
			}
			res, err := stats.Aggregate(func(fn func(*stats.Bucket)) { h.Rollups.Buckets(q.Period, fn) }, q, meta)
			if err != nil {
				return b, survey.Wrap(err)
			}
			p.Overall = row(res.Overall, i18n.T(lang, "public.overall"), lang)
			rows := make([]Row, 0, len(res.Groups))
			for _, g := range res.Groups {
				rows = append(rows, row(g, g.Label, lang))
			}
			if by == stats.ByAgency {
				p.ByAgency = rows
			} else {
				p.ByField = rows
			}
		}
		b.Periods = append(b.Periods, p)
	}
	return b, nil
}

// periods are the current quarter, the one before and the current year, with the reporting
// cut-off day set in /admin.
func (h *Handler) periods(ctx context.Context, lang string) []Period {
	cutoff := h.Org.Identity.Get(ctx).CutoffDay
	today := stats.DateOf(h.Now())
	day := today
	if cutoff > 1 && day.Day >= cutoff {
		day = day.FirstOfMonth().AddMonths(1)
	}
	q := (int(day.Month)-1)/3 + 1
	py, pq := day.Year, q-1
	if pq == 0 {
		py, pq = day.Year-1, 4
	}
	var out []Period
	for _, p := range []struct {
		key         string
		kind        string
		year, index int
	}{
		{"current_quarter", stats.PeriodQuarter, day.Year, q},
		{"last_quarter", stats.PeriodQuarter, py, pq},
		{"year", stats.PeriodYear, day.Year, 1},
	} {
		per, err := report.ReportingPeriod(p.kind, p.year, p.index, cutoff)
		if err != nil {
			continue
		}
		out = append(out, Period{Key: p.key, From: per.From, To: per.To,
			Title: report.PeriodHeading(p.kind, p.year, p.index, per, lang)})
	}
	return out
}

// row reads one group for the public: nothing but its name below MinResponses.
func row(g stats.Group, label, lang string) Row {
	r := Row{Key: g.Key, Label: label, Target: g.Target}
	if g.Hidden || g.Responses < MinResponses {
		r.Verdict = "insufficient"
		r.VerdictText = i18n.T(lang, "public.insufficient")
		return r
	}
	n, sat := g.Responses, g.Satisfaction
	r.Enough, r.Responses, r.Satisfaction, r.DossierRatio = true, &n, &sat, g.DossierRatio
	switch g.RateStatus { // the plain-rate verdict agencies are judged by
	case stats.StatusMeets:
		r.Verdict = "meets"
	case stats.StatusBelow:
		r.Verdict = "below"
	default:
		r.Verdict = "no_target"
	}
	r.VerdictText = i18n.T(lang, "public.verdict."+r.Verdict)
	return r
}

// allowedOrigin is origin when the admin listed it among the sites that may embed the results.
func allowedOrigin(id org.Identity, origin string) bool {
	for _, o := range id.FrameOrigins {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// frameHeaders lets only the listed sites frame the page: frame-ancestors names them (and
// 'none' when there are none), and X-Frame-Options, which cannot name several, is dropped then.
func frameHeaders(c *fiber.Ctx, id org.Identity) {
	ancestors := "'none'"
	if len(id.FrameOrigins) > 0 {
		ancestors = strings.Join(id.FrameOrigins, " ")
		c.Response().Header.Del("X-Frame-Options")
	}
	c.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors "+ancestors+"; base-uri 'none'")
}

type pageData struct {
	webkit.PageData
	Board Board
}

// Page handles GET /cong-khai: the public results page.
func (h *Handler) Page(c *fiber.Ctx) error {
	l := webkit.Lang(c)
	b, err := h.board(c.UserContext(), l)
	if err != nil {
		return err
	}
	frameHeaders(c, h.Org.Identity.Get(c.UserContext()))
	if err := h.Render(c, "public", pageData{PageData: h.PageFor(c, i18n.T(l, "public.title")), Board: b}); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return nil
}

// JSON handles GET /cong-khai.json: the same figures, readable by the listed sites' scripts.
func (h *Handler) JSON(c *fiber.Ctx) error {
	b, err := h.board(c.UserContext(), webkit.Lang(c))
	if err != nil {
		return err
	}
	c.Vary(fiber.HeaderOrigin)
	if o := c.Get(fiber.HeaderOrigin); o != "" && allowedOrigin(h.Org.Identity.Get(c.UserContext()), o) {
		c.Set(fiber.HeaderAccessControlAllowOrigin, o)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(b)
}

// Emblem handles GET /emblem: the centre's emblem, an SVG kept from running anything.
func (h *Handler) Emblem(c *fiber.Ctx) error {
	id := h.Org.Identity.Get(c.UserContext())
	if len(id.Logo) == 0 {
		return webkit.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, id.LogoType)
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(id.Logo)
}
