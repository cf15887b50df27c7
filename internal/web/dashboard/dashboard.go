// Package dashboard serves managers' figures: the dashboard against targets, its CSV and XLSX
// exports, the periodic report, and the same figures as JSON at /api/v1/stats.
package dashboard

import (
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strconv"

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
	// DatesTyped: the from/to dates were edited, so they won over the named period chosen.
	DatesTyped bool
	// Problem says, in the page's language, why the input was refused ("" when it was not);
	// From and To are the dates as typed, shown again beside it.
	Problem  string
	From, To string
	Label    string // the name of the period shown ("quý I/2026"); "" for a custom range
}

// choosePeriod reads period, year, index, from and to; it defaults to today's quarter. A
// cut-off day above 1 moves a named period to run from that day of the month before it. The
// form also sends the dates it showed (shown_from, shown_to): dates edited since win over the
// named period, so neither choice is ever ignored.
func choosePeriod(c *fiber.Ctx, cutoff int, today stats.Date) (periodChoice, error) {
	pc := periodChoice{Kind: c.Query("period", stats.PeriodQuarter), Year: c.QueryInt("year", today.Year), Index: c.QueryInt("index", 0),
		From: c.Query("from"), To: c.Query("to")}
	if pc.Kind != report.KindCustom && datesEdited(c) {
		pc.Kind, pc.DatesTyped = report.KindCustom, true
	}
	if pc.Kind == report.KindCustom {
		p, err := stats.ParsePeriod(pc.From, pc.To)
		if err != nil {
			return pc, periodDatesError(err)
		}
		pc.Period = p
		return pc, nil
	}
	if pc.Index == 0 {
		pc.Index = defaultIndex(pc.Kind, today)
	}
	p, err := report.ReportingPeriod(pc.Kind, pc.Year, pc.Index, cutoff)
	if err != nil {
		return pc, periodKindError(pc.Kind, err)
	}
	pc.Period, pc.Cutoff = p, cutoff
	return pc, nil
}

// Title names the period in lang ("quý I năm 2026"), or by its dates for a custom range.
func (pc periodChoice) Title(lang string) string {
	return report.PeriodName(pc.Kind, pc.Year, pc.Index, pc.Period, lang)
}

// datesEdited reports whether the from/to dates differ from those the form showed.
func datesEdited(c *fiber.Ctx) bool {
	shownFrom, shownTo := c.Query("shown_from"), c.Query("shown_to")
	return shownFrom != "" && (c.Query("from") != shownFrom || c.Query("to") != shownTo)
}

// periodDatesError explains why a typed date range was refused.
func periodDatesError(err error) error {
	switch {
	case errors.Is(err, stats.ErrPeriodOrder):
		return survey.Errorf(survey.CodeInvalid, "error.period_order")
	case errors.Is(err, stats.ErrPeriodTooLong):
		return survey.Errorf(survey.CodeInvalid, "error.period_too_long")
	}
	return survey.Errorf(survey.CodeInvalid, "error.period_dates")
}

// periodKindError explains why a named period was refused: its kind, its number or its year.
func periodKindError(kind string, err error) error {
	counts := map[string]int{stats.PeriodMonth: 12, stats.PeriodQuarter: 4, stats.PeriodHalf: 2}
	switch n, ok := counts[kind]; {
	case errors.Is(err, stats.ErrPeriodIndex) && ok:
		return survey.Errorf(survey.CodeInvalid, "error.period_index", "max", strconv.Itoa(n))
	case errors.Is(err, stats.ErrPeriodYear):
		return survey.Errorf(survey.CodeInvalid, "error.period_year")
	}
	return survey.Errorf(survey.CodeInvalid, "error.period_kind")
}

// requestPeriod is choosePeriod of the request, with the centre's cut-off day and the handler's
// today.
func (h *Handler) requestPeriod(c *fiber.Ctx) (periodChoice, error) {
	return choosePeriod(c, h.Figures.cutoff(c.UserContext()), h.Today())
}

// pagePeriod is choosePeriod for the dashboard page: refused input stays in the form with the
// reason, and the page shows the current quarter meanwhile. Label names the period shown.
func pagePeriod(c *fiber.Ctx, cutoff int, today stats.Date) periodChoice {
	l := webkit.Lang(c)
	pc, err := choosePeriod(c, cutoff, today)
	if err == nil {
		if pc.Kind != report.KindCustom {
			pc.Label = pc.Title(l)
		}
		return pc
	}
	shown := periodChoice{Kind: stats.PeriodQuarter, Year: today.Year, Index: defaultIndex(stats.PeriodQuarter, today), Cutoff: cutoff}
	shown.Period, _ = report.ReportingPeriod(shown.Kind, shown.Year, shown.Index, cutoff)
	pc.Period, pc.Cutoff, pc.Label = shown.Period, cutoff, shown.Title(l)
	pc.Problem = webkit.MessageOf(err, l)
	return pc
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
	User   *account.User
	CSRF   string
	Choice periodChoice
	Query  stats.Query
	Result stats.Result
	Trend  template.HTML
	// TrendField is the field the trend chart shows alone ("" for the page's filter), and
	// TrendKeep the rest of the query, which choosing it keeps.
	TrendField string
	TrendKeep  []queryPair
	Comments   []commentRow
	Fields     []org.Field
	Units      []org.Unit // the units in the caller's scope, for the agency filter
	Scope      string     // whose figures: the caller's unit by name, or the whole centre
	QS         string     // the current query string, for exports
	Years      []int
	CanDrill   bool
	Officers   bool
	GroupBys   []string
	FollowUp   *cases.Row    // the period's follow-up figures; nil for a viewer
	Ranking    []stats.Group // units by satisfaction, for emulation (thi đua)
	Reasons    []reasonCount // kiosk reason chips, most chosen first
	Hand       []handRow     // counters' hand-issued tickets, when grouped by counter
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
	today := h.Today()
	pc := pagePeriod(c, h.Figures.cutoff(c.UserContext()), today)
	if pc.Problem != "" {
		c.Status(fiber.StatusUnprocessableEntity)
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
		Fields: webkit.ActiveFields(c, h.Figures.Org.Fields), Units: h.unitsIn(sc), Scope: h.scopeName(c, sc), QS: string(c.Request().URI().QueryString()),
		Years: recentYears(today), Officers: sc.officers, GroupBys: groupBysFor(sc),
	}
	d.Trend, d.TrendField = h.trend(c, q, l)
	d.TrendKeep = keepQuery(c, "trend_field")
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

// unitsIn lists the units sc may see, for the agency filter: none outside a manager's unit.
func (h *Handler) unitsIn(sc scope) []org.Unit {
	all := h.Figures.Org.Tree.Units()
	if sc.agency == "" {
		return all
	}
	within, _ := h.Figures.Org.Tree.Within(sc.agency, "")
	if sc.counter != "" {
		within = map[string]bool{sc.agency: true}
	}
	var out []org.Unit
	for _, u := range all {
		if within[u.Code] {
			out = append(out, u)
		}
	}
	return out
}

// scopeName names whose figures sc covers: the caller's unit (and counter), or the whole centre.
func (h *Handler) scopeName(c *fiber.Ctx, sc scope) string {
	l := webkit.Lang(c)
	if sc.agency == "" {
		if name := h.Figures.Org.Identity.Get(c.UserContext()).Name; name != "" {
			return name
		}
		return i18n.T(l, "dash.scope_all")
	}
	name := h.Figures.label(c, stats.ByAgency, sc.agency)
	if sc.counter != "" {
		counter := h.Figures.label(c, stats.ByCounter, org.CounterID(sc.agency, sc.counter))
		if counter == "" {
			counter = sc.counter
		}
		name += " · " + counter
	}
	return name
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

// trend draws satisfaction by month for q, or for one field when the page asks
// (trend_field), and returns the chart with the field chosen.
func (h *Handler) trend(c *fiber.Ctx, q stats.Query, l string) (template.HTML, string) {
	q.GroupBy = stats.ByMonth
	q.MinGroupResponses = 0
	title := i18n.T(l, "dash.trend")
	field := c.Query("trend_field")
	if _, ok := h.Figures.Org.Fields.Get(c.UserContext(), field); ok && q.Field == "" {
		q.Field = field
		title += " — " + h.Figures.label(c, stats.ByField, field)
	} else {
		field = ""
	}
	res, err := h.Figures.aggregate(c, q)
	if err != nil {
		return "", field
	}
	return trendChart(res.Groups, title, l), field
}

// keepQuery is the current query without the parameters in drop, as hidden fields of a form
// that changes one part of the page.
func keepQuery(c *fiber.Ctx, drop ...string) []queryPair {
	var out []queryPair
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if !slices.Contains(drop, string(k)) {
			out = append(out, queryPair{string(k), string(v)})
		}
	})
	return out
}

// queryPair is one parameter of a query string.
type queryPair struct{ Name, Value string }

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

// recentYears are the years the period control offers: today's and the three before it.
func recentYears(today stats.Date) []int {
	y := today.Year
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
