package dashboard

import (
	"context"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// scope is what the caller may see: the whole organisation, one agency's subtree, or (an
// officer) one counter of one agency.
type scope struct {
	agency   string // "" means the whole organisation
	counter  string // an officer's counter: only its figures
	officers bool   // per-officer figures (managers and admins only)
	none     bool   // an officer without an agency and counter sees nothing
}

// MinOfficerResponses is how many responses a figure about one officer needs to be shown.
const MinOfficerResponses = 10

var (
	errBadPeriod  = survey.Errorf(survey.CodeInvalid, "error.stats_period")
	errBadGroupBy = survey.Errorf(survey.CodeInvalid, "error.stats_group_by")
	errBadChannel = survey.Errorf(survey.CodeInvalid, "error.stats_channel")
)

// Figures answers stats queries from the rollups, within the caller's scope, labelled in
// the request's language.
type Figures struct {
	Org     *org.Directory
	Rollups Rollups
}

// Rollups yields the rollup buckets and comments of a period (an in-memory view of the rollups).
type Rollups interface {
	// Wait returns once every period of ps can be answered exactly (the figures load at start),
	// or an error when ctx ends first.
	Wait(ctx context.Context, ps ...stats.Period) error
	Buckets(p stats.Period, fn func(b *stats.Bucket))
	Comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment
}

// label names a dimension value in the request's language.
func (r Figures) label(c *fiber.Ctx, dim, key string) string {
	return r.Org.Label(c.UserContext(), webkit.Lang(c), dim, key)
}

// comments returns the comments of period p that keep accepts, at most limit of them.
func (r Figures) comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment {
	return r.Rollups.Comments(p, keep, limit)
}

// statsQuery reads and checks the stats query parameters against the caller's scope.
func (r Figures) statsQuery(c *fiber.Ctx, sc scope) (stats.Query, error) {
	p, err := stats.ParsePeriod(c.Query("from"), c.Query("to"))
	if err != nil {
		return stats.Query{}, errBadPeriod
	}
	q := stats.Query{Period: p, GroupBy: c.Query("group_by", stats.ByField), Field: c.Query("field"), Channel: c.Query("channel"), Agency: c.Query("agency")}
	if !slices.Contains(stats.Groupings, q.GroupBy) || (q.GroupBy == stats.ByOfficer && !sc.officers) {
		return q, errBadGroupBy
	}
	if q.Channel != "" && !slices.Contains(survey.Channels, survey.Channel(q.Channel)) {
		return q, errBadChannel
	}
	q.MinOfficerResponses = MinOfficerResponses
	return q, r.applyScope(&q, sc)
}

// applyScope limits q to the caller's subtree, or an officer's counter; asking for an agency
// outside it is forbidden.
func (r Figures) applyScope(q *stats.Query, sc scope) error {
	switch {
	case sc.none:
		return survey.ErrForbidden
	case sc.counter != "" && q.Agency != "" && q.Agency != sc.agency:
		return survey.ErrForbidden
	case sc.counter != "":
		q.Agencies, q.Counter = map[string]bool{sc.agency: true}, sc.counter
	default:
		agencies, ok := r.Org.Tree.Within(sc.agency, q.Agency)
		if !ok {
			return survey.ErrForbidden
		}
		q.Agencies = agencies
	}
	return nil
}

// loadWait bounds how long a request waits for figures that are still loading after a start;
// it is then answered "unavailable, retry" rather than with part of the counts.
const loadWait = 10 * time.Second

// wait waits until the rollups can answer every period of ps.
func (r Figures) wait(c *fiber.Ctx, ps ...stats.Period) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), loadWait)
	defer cancel()
	if err := r.Rollups.Wait(ctx, ps...); err != nil {
		return survey.Wrap(err)
	}
	return nil
}

// aggregate answers q from the rollups, labelled in lang.
func (r Figures) aggregate(c *fiber.Ctx, q stats.Query) (stats.Result, error) {
	if err := r.wait(c, q.Period); err != nil {
		return stats.Result{}, err
	}
	res, err := stats.Aggregate(func(fn func(*stats.Bucket)) { r.Rollups.Buckets(q.Period, fn) }, q, r.Org.Meta(c.UserContext(), webkit.Lang(c)))
	if err != nil {
		return res, survey.Wrap(err)
	}
	return res, nil
}

// compare adds q over the previous period and the same period last year to res.
func (r Figures) compare(c *fiber.Ctx, q stats.Query, res *stats.Result) error {
	if err := r.wait(c, q.Period.Previous(), q.Period.SameLastYear()); err != nil {
		return err
	}
	if err := stats.Compare(r.Rollups.Buckets, q, r.Org.Meta(c.UserContext(), webkit.Lang(c)), res); err != nil {
		return survey.Wrap(err)
	}
	return nil
}

// StatsAPI serves figures as JSON to API keys with stats:read and to signed-in staff.
type StatsAPI struct {
	Callers Callers
	Figures Figures
}

// Callers tells who calls the stats API; the access guard answers.
type Callers interface {
	// BearerKey is the request's valid bearer API key, or survey.ErrUnauthorized.
	BearerKey(c *fiber.Ctx) (*account.APIKey, error)
	// SessionUser is the signed-in user, or nil when the request carries no live session.
	SessionUser(c *fiber.Ctx) (*account.User, error)
}

// Get handles GET /api/v1/stats.
func (h *StatsAPI) Get(c *fiber.Ctx) error {
	sc, err := callerScope(c, h.Callers)
	if err != nil {
		return err
	}
	q, err := h.Figures.statsQuery(c, sc)
	if err != nil {
		return err
	}
	res, err := h.Figures.aggregate(c, q)
	if err != nil {
		return err
	}
	if c.QueryBool("compare") {
		if err := h.Figures.compare(c, q, &res); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}

// callerScope authenticates a stats or report reader: an API key with stats:read sees everything; a signed-in
// user sees their agency's subtree.
func callerScope(c *fiber.Ctx, callers Callers) (scope, error) {
	if c.Get(fiber.HeaderAuthorization) != "" {
		key, err := callers.BearerKey(c)
		if err != nil {
			return scope{}, err
		}
		if !key.HasScope(account.ScopeStatsRead) {
			return scope{}, survey.ErrForbidden
		}
		return scope{}, nil
	}
	u, err := callers.SessionUser(c)
	if err != nil {
		return scope{}, err
	}
	if u == nil {
		return scope{}, survey.ErrUnauthorized
	}
	return userScope(u), nil
}
