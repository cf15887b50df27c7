// Package dashboard serves managers' figures: the dashboard against targets, its CSV and XLSX
// exports, the periodic report, and the same figures as JSON at /api/v1/stats.
package dashboard

import (
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// periodChoice is the period a manager picked: a kind with year and index, or a custom range.
type periodChoice struct {
	Kind        string
	Year, Index int
	Cutoff      int // the reporting cut-off day the period was moved to (0: calendar)
	Period      stats.Period
}

// choosePeriod reads period, year, index, from and to; it defaults to the current quarter. A
// cut-off day above 1 moves a named period to run from that day of the month before it.
func choosePeriod(c *fiber.Ctx, cutoff int) (periodChoice, error) {
	today := stats.Today()
	pc := periodChoice{Kind: c.Query("period", stats.PeriodQuarter), Year: c.QueryInt("year", today.Year), Index: c.QueryInt("index", 0)}
	if pc.Kind == "custom" {
		p, err := stats.ParsePeriod(c.Query("from"), c.Query("to"))
		if err != nil {
			return pc, errBadPeriod
		}
		pc.Period = p
		return pc, nil
	}
	if pc.Index == 0 {
		pc.Index = defaultIndex(pc.Kind, today)
	}
	p, err := report.ReportingPeriod(pc.Kind, pc.Year, pc.Index, cutoff)
	if err != nil {
		return pc, errBadPeriod
	}
	pc.Period, pc.Cutoff = p, cutoff
	return pc, nil
}

func defaultIndex(kind string, today stats.Date) int {
	switch kind {
	case stats.PeriodMonth:
		return int(today.Month)
	case stats.PeriodQuarter:
		return (int(today.Month)-1)/3 + 1
	case stats.PeriodHalf:
		return (int(today.Month)-1)/6 + 1
	}
	return 1
}

// Handler serves the dashboard page, its exports and the periodic report.
type Handler struct {
	webkit.Base
	Figures Figures
	Cases   *cases.Service // the follow-up figures
	Drafts  DraftStore     // the managers' text of each periodic report
}

// dashboardData is what the dashboard page shows.
type dashboardData struct {
	webkit.PageData
	User     *account.User
	CSRF     string
	Choice   periodChoice
	Query    stats.Query
	Result   stats.Result
	Trend    template.HTML
	Comments []commentRow
	Fields   []org.Field
	Units    []org.Unit
	QS       string // the current query string, for exports
	Years    []int
	CanDrill bool
	Officers bool
	GroupBys []string
	FollowUp *cases.Row    // the period's follow-up figures; nil for a viewer
	Ranking  []stats.Group // units by satisfaction, for emulation (thi đua)
	Reasons  []reasonCount // kiosk reason chips, most chosen first
	Hand     []handRow     // counters' hand-issued tickets, when grouped by counter
}

type commentRow struct {
	Date, Field, Agency, Text string
	Overall                   int
	Negative                  bool
}

// Page handles GET /dashboard: figures against targets for the chosen period and filters.
func (h *Handler) Page(c *fiber.Ctx) error {
	u := webkit.CurrentUser(c)
	sc := userScope(u)
	pc, err := choosePeriod(c, h.Figures.cutoff(c.UserContext()))
	if err != nil {
		return err
	}
	q, err := h.statsQueryFor(c, sc, pc.Period)
	if err != nil {
		return err
	}
	res, err := h.Figures.aggregate(c, q)
	if err != nil {
		return err
	}
	if err := h.Figures.compare(c, q, &res); err != nil {
		return err
	}
	l := webkit.Lang(c)
	d := dashboardData{
		PageData: h.PageFor(c, i18n.T(l, "dash.title")), User: u, CSRF: webkit.CSRFToken(c), Choice: pc, Query: q, Result: res,
		Fields: webkit.ActiveFields(c, h.Figures.Org.Fields), Units: h.Figures.Org.Tree.Units(), QS: string(c.Request().URI().QueryString()),
		Years: recentYears(), Officers: sc.officers, GroupBys: groupBysFor(sc),
	}
	d.Trend = h.trend(c, q, l)
	d.Ranking = h.ranking(c, q)
	d.Reasons = reasonsOf(res.Overall.Reasons)
	d.Comments = h.latestComments(c, q, 20)
	if sc.officers {
		d.Hand = handRows(res)
		if d.FollowUp, err = h.followUp(c, q); err != nil {
			return err
		}
	}
	return h.Render(c, "dashboard", d)
}

// followUp is the follow-up figures of the cases opened in q's period and scope.
func (h *Handler) followUp(c *fiber.Ctx, q stats.Query) (*cases.Row, error) {
	figs, err := h.followUpByUnit(c, q)
	if err != nil {
		return nil, err
	}
	return &figs.Overall, nil
}

// statsQueryFor builds the stats query of a dashboard request for period p.
func (h *Handler) statsQueryFor(c *fiber.Ctx, sc scope, p stats.Period) (stats.Query, error) {
	args := c.Context().QueryArgs()
	args.Set("from", p.From.String())
	args.Set("to", p.To.String())
	return h.Figures.statsQuery(c, sc)
}

func (h *Handler) trend(c *fiber.Ctx, q stats.Query, l string) template.HTML {
	q.GroupBy = stats.ByMonth
	q.MinGroupResponses = 0
	res, err := h.Figures.aggregate(c, q)
	if err != nil {
		return ""
	}
	return trendChart(res.Groups, i18n.T(l, "dash.trend"))
}

// latestComments returns comments in q's period and scope, negative first.
func (h *Handler) latestComments(c *fiber.Ctx, q stats.Query, n int) []commentRow {
	keep := func(cm *stats.Comment) bool {
		return (q.Field == "" || cm.Field == q.Field) && q.CommentInScope(cm)
	}
	var out []commentRow
	for _, cm := range h.Figures.comments(q.Period, keep, n) {
		out = append(out, commentRow{
			Date: stats.FormatDate(stats.DateOf(cm.At)), Field: h.Figures.label(c, stats.ByField, cm.Field),
			Agency: h.Figures.label(c, stats.ByAgency, cm.Agency), Text: survey.MaskPersonalData(cm.Text), Overall: cm.Overall, Negative: cm.Overall <= 2,
		})
	}
	return out
}

func userScope(u *account.User) scope {
	switch {
	case u == nil:
		return scope{}
	case u.Role == account.RoleOfficer:
		return scope{agency: u.Agency, counter: u.Counter, none: u.Agency == "" || u.Counter == ""}
	}
	return scope{agency: u.Agency, officers: u.Role == account.RoleAdmin || u.Role == account.RoleManager}
}

func groupBysFor(sc scope) []string {
	gs := []string{stats.ByField, stats.ByAgency, stats.ByCounter, stats.ByChannel, stats.ByCriterion, stats.ByProcedure, stats.ByMonth}
	if sc.officers {
		gs = append(gs, stats.ByOfficer)
	}
	return gs
}

func recentYears() []int {
	y := stats.Today().Year
	return []int{y - 3, y - 2, y - 1, y}
}

// DrillLink returns the dashboard URL one level down from group g: field → agency → counter →
// officer.
func DrillLink(qs, groupBy, key string, officers bool) string {
	v, _ := url.ParseQuery(qs)
	switch groupBy {
	case stats.ByField:
		v.Set("field", key)
		v.Set("group_by", stats.ByAgency)
	case stats.ByAgency:
		v.Set("agency", key)
		v.Set("group_by", stats.ByCounter)
	case stats.ByCounter:
		if !officers {
			return ""
		}
		v.Set("group_by", stats.ByOfficer)
	default:
		return ""
	}
	return "/dashboard?" + v.Encode()
}
