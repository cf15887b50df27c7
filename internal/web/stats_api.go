package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// scope is what the caller may see: the whole organisation, or one agency's subtree.
type scope struct {
	agency   string // "" means the whole organisation
	officers bool   // per-officer figures (managers and admins only)
}

var (
	errBadPeriod  = survey.Errorf(survey.CodeInvalid, "error.stats_period")
	errBadGroupBy = survey.Errorf(survey.CodeInvalid, "error.stats_group_by")
	errBadChannel = survey.Errorf(survey.CodeInvalid, "error.stats_channel")
)

// statsReader answers stats queries from the rollups, within the caller's scope, labelled in
// the request's language.
type statsReader struct {
	org     *org.Directory
	rollups BucketSource
}

// label names a dimension value in the request's language.
func (r statsReader) label(c *fiber.Ctx, dim, key string) string {
	return r.org.Label(c.UserContext(), webkit.Lang(c), dim, key)
}

// comments returns the comments of period p that keep accepts, at most limit of them.
func (r statsReader) comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment {
	return r.rollups.Comments(p, keep, limit)
}

// statsQuery reads and checks the stats query parameters against the caller's scope.
func (r statsReader) statsQuery(c *fiber.Ctx, sc scope) (stats.Query, error) {
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
	if q.GroupBy == stats.ByOfficer {
		q.MinGroupResponses = 10
	}
	return q, r.applyScope(&q, sc)
}

// applyScope limits q to the caller's subtree; asking for an agency outside it is forbidden.
func (r statsReader) applyScope(q *stats.Query, sc scope) error {
	switch {
	case sc.agency == "" && q.Agency == "":
		return nil
	case sc.agency == "":
		q.Agencies = r.org.Tree.Subtree(q.Agency)
	case q.Agency == "":
		q.Agencies = r.org.Tree.Subtree(sc.agency)
	case r.org.Tree.Subtree(sc.agency)[q.Agency]:
		q.Agencies = r.org.Tree.Subtree(q.Agency)
	default:
		return survey.ErrForbidden
	}
	return nil
}

// aggregate answers q from the rollups, labelled in lang.
func (r statsReader) aggregate(c *fiber.Ctx, q stats.Query) (stats.Result, error) {
	res, err := stats.Aggregate(func(fn func(*stats.Bucket)) { r.rollups.Buckets(q.Period, fn) }, q, r.org.Meta(c.UserContext(), webkit.Lang(c)))
	if err != nil {
		return res, survey.Wrap(err)
	}
	return res, nil
}

// statsAPI serves figures as JSON to API keys with stats:read and to signed-in staff.
type statsAPI struct {
	guard   *guard
	figures statsReader
}

// get handles GET /api/v1/stats.
func (h *statsAPI) get(c *fiber.Ctx) error {
	sc, err := h.guard.statsScope(c)
	if err != nil {
		return err
	}
	q, err := h.figures.statsQuery(c, sc)
	if err != nil {
		return err
	}
	res, err := h.figures.aggregate(c, q)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}
