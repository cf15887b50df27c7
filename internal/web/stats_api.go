package web

import (
	"errors"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// BucketSource yields the rollup buckets of a period (an in-memory view of the rollups).
type BucketSource interface {
	Buckets(p stats.Period, fn func(b *stats.Bucket))
	Comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment
}

// scope is what the caller may see: the whole organisation, or one agency's subtree.
type scope struct {
	agency   string // "" means the whole organisation
	officers bool   // per-officer figures (managers and admins only)
}

var (
	errBadPeriod  = survey.Errorf(survey.CodeInvalid, "Khoảng thời gian không hợp lệ: dùng from và to dạng YYYY-MM-DD, from không sau to, tối đa 10 năm.", "Invalid period: give from and to as YYYY-MM-DD, from not after to, at most 10 years.")
	errBadGroupBy = survey.Errorf(survey.CodeInvalid, "group_by phải là field, agency, counter, channel, criterion, month hoặc officer.", "group_by must be field, agency, counter, channel, criterion, month or officer.")
	errBadChannel = survey.Errorf(survey.CodeInvalid, "channel phải là qr, kiosk hoặc online.", "channel must be qr, kiosk or online.")
)

// statsQuery reads and checks the stats query parameters against the caller's scope.
func (s *Server) statsQuery(c *fiber.Ctx, sc scope) (stats.Query, error) {
	p, err := stats.ParsePeriod(c.Query("from"), c.Query("to"))
	if err != nil {
		return stats.Query{}, errBadPeriod
	}
	q := stats.Query{Period: p, GroupBy: c.Query("group_by", stats.ByField), Field: c.Query("field"), Channel: c.Query("channel"), Agency: c.Query("agency")}
	if !slices.Contains(stats.Groupings, q.GroupBy) || (q.GroupBy == stats.ByOfficer && !sc.officers) {
		return q, errBadGroupBy
	}
	if q.Channel != "" && !slices.Contains([]string{"qr", "kiosk", "online"}, q.Channel) {
		return q, errBadChannel
	}
	if q.GroupBy == stats.ByOfficer {
		q.MinGroupResponses = 10
	}
	return q, s.applyScope(&q, sc)
}

// applyScope limits q to the caller's subtree; asking for an agency outside it is forbidden.
func (s *Server) applyScope(q *stats.Query, sc scope) error {
	switch {
	case sc.agency == "" && q.Agency == "":
		return nil
	case sc.agency == "":
		q.Agencies = s.Org.Subtree(q.Agency)
	case q.Agency == "":
		q.Agencies = s.Org.Subtree(sc.agency)
	case s.Org.Subtree(sc.agency)[q.Agency]:
		q.Agencies = s.Org.Subtree(q.Agency)
	default:
		return survey.ErrForbidden
	}
	return nil
}

// aggregate answers q from the rollups, labelled in lang.
func (s *Server) aggregate(c *fiber.Ctx, q stats.Query) (stats.Result, error) {
	res, err := stats.Aggregate(func(fn func(*stats.Bucket)) { s.Rollups.Buckets(q.Period, fn) }, q, s.meta(c))
	if err != nil {
		return res, survey.Wrap(err)
	}
	return res, nil
}

func (s *Server) meta(c *fiber.Ctx) stats.Meta {
	l := lang(c)
	return stats.Meta{
		Targets: s.targetTable(c.UserContext()),
		FieldGroup: func(code string) string {
			f, _ := s.Fields.Get(c.UserContext(), code)
			return f.Group
		},
		Label: func(dim, key string) string { return s.label(c, l, dim, key) },
	}
}

// label names a dimension value for people; units not yet placed in the hierarchy say so.
func (s *Server) label(c *fiber.Ctx, l, dim, key string) string {
	switch dim {
	case stats.ByField:
		if f, ok := s.Fields.Get(c.UserContext(), key); ok {
			return f.Name.In(l)
		}
	case stats.ByAgency:
		if u, ok := s.Org.Unit(key); ok {
			return u.Name
		}
		return key + " (" + survey.Text{VI: "chưa xếp vào cơ cấu", EN: "not yet placed"}.In(l) + ")"
	case stats.ByCounter:
		if n, ok := s.Org.CounterName(key); ok {
			return n
		}
	case stats.ByChannel:
		return channelLabels[key].In(l)
	case stats.ByCriterion:
		return survey.CriterionLabel(key).In(l)
	}
	return ""
}

var channelLabels = map[string]survey.Text{
	"qr":     {VI: "Quét mã QR", EN: "QR code"},
	"kiosk":  {VI: "Máy tính bảng tại quầy", EN: "Counter kiosk"},
	"online": {VI: "Trực tuyến", EN: "Online"},
}

// statsAPI handles GET /api/v1/stats.
func (s *Server) statsAPI(c *fiber.Ctx) error {
	sc, err := s.statsScope(c)
	if err != nil {
		return err
	}
	q, err := s.statsQuery(c, sc)
	if err != nil {
		return err
	}
	res, err := s.aggregate(c, q)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}

// statsScope authenticates a stats reader: an API key with stats:read sees everything; a
// signed-in user sees their agency's subtree.
func (s *Server) statsScope(c *fiber.Ctx) (scope, error) {
	if c.Get(fiber.HeaderAuthorization) != "" {
		key, err := s.bearerKey(c)
		if err != nil {
			return scope{}, err
		}
		if !key.HasScope(survey.ScopeStatsRead) {
			return scope{}, survey.ErrForbidden
		}
		return scope{}, nil
	}
	u, err := s.sessionUser(c)
	if err != nil {
		return scope{}, err
	}
	if u == nil {
		return scope{}, survey.ErrUnauthorized
	}
	return scope{agency: u.Agency, officers: u.Role == survey.RoleAdmin || u.Role == survey.RoleManager}, nil
}

// sessionUser returns the signed-in user, or nil when the request carries no live session.
func (s *Server) sessionUser(c *fiber.Ctx) (*survey.User, error) {
	u, _, err := s.loadSession(c)
	if errors.Is(err, survey.ErrSessionEnded) || errors.Is(err, survey.ErrUnauthorized) {
		return nil, nil
	}
	return u, err
}
