package dashboard

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// DraftStore keeps the text managers write into a periodic report, one draft per scope and
// period.
type DraftStore interface {
	Draft(ctx context.Context, key string) (report.Draft, error)
	SaveDraft(ctx context.Context, key string, d report.Draft) error
}

// Media types of the report's downloads.
const (
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// cutoff is the reporting cut-off day set in /admin (0: calendar periods).
func (f Figures) cutoff(ctx context.Context) int { return f.Org.Identity.Get(ctx).CutoffDay }

// document gathers the periodic report of pc in sc's scope with the periods it is compared
// with, the centre's identity and the saved draft.
func (h *Handler) document(c *fiber.Ctx, sc scope, pc periodChoice) (*report.Document, error) {
	r := &report.Report{Period: pc.Period, Kind: pc.Kind, GeneratedAt: h.Now(), CutoffDay: pc.Cutoff}
	if pc.Kind != report.KindCustom {
		r.Year, r.Index = pc.Year, pc.Index
	}
	id := h.identityFor(c.UserContext(), sc)
	r.Agency = id.Agency(i18n.T(webkit.Lang(c), "app.name"))
	if err := h.gather(c, sc, r, true); err != nil {
		return nil, err
	}
	earlier, err := report.EarlierPeriods(r)
	if err != nil {
		return nil, errBadPeriod
	}
	for _, e := range []*report.Report{earlier.Previous, earlier.LastYear} {
		if err := h.gather(c, sc, e, false); err != nil {
			return nil, err
		}
	}
	draft, err := h.Drafts.Draft(c.UserContext(), draftKey(sc, r.Period))
	if err != nil {
		return nil, err
	}
	r.Title = r.TitleIn(webkit.Lang(c))
	return &report.Document{Identity: id, Report: r, Previous: earlier.Previous, LastYear: earlier.LastYear,
		Draft: draft, Date: stats.DateOf(h.Now()), Lang: webkit.Lang(c)}, nil
}

// identityFor is the identity a report in sc's scope is issued under: the centre's, or for a
// unit's own report that unit under the centre.
func (h *Handler) identityFor(ctx context.Context, sc scope) org.Identity {
	id := h.Figures.Org.Identity.Get(ctx)
	if sc.agency == "" {
		return id
	}
	if u, ok := h.Figures.Org.Tree.Unit(sc.agency); ok {
		if id.Name != "" {
			id.Parent = id.Name
		} else if p, ok := h.Figures.Org.Tree.Unit(u.Parent); ok {
			id.Parent = p.Name
		}
		id.Name = u.Name
	}
	return id
}

// gather fills r's figures for its period within sc; full adds the comments and follow-up
// cases, which the earlier periods do not need.
func (h *Handler) gather(c *fiber.Ctx, sc scope, r *report.Report, full bool) error {
	for by, dst := range map[string]*stats.Result{stats.ByField: &r.Overall, stats.ByAgency: &r.ByAgency,
		stats.ByCriterion: &r.ByCriterion, stats.ByMonth: &r.ByMonth, stats.ByChannel: &r.ByChannel} {
		c.Context().QueryArgs().Set("group_by", by)
		q, err := h.statsQueryFor(c, sc, r.Period)
		if err != nil {
			return err
		}
		if *dst, err = h.Figures.aggregate(c, q); err != nil {
			return err
		}
		if by != stats.ByField || !full {
			continue
		}
		r.Comments = h.reportComments(c, q)
		if sc.counter != "" { // follow-up cases are figured by unit, not by counter
			continue
		}
		if r.FollowUp, err = h.followUpByUnit(c, q); err != nil {
			return err
		}
	}
	return nil
}

// draftKey names the draft of period p in sc's scope.
func draftKey(sc scope, p stats.Period) string {
	who := "all"
	if sc.agency != "" {
		who = sc.agency
	}
	if sc.counter != "" {
		who += "/" + sc.counter
	}
	return who + "/" + p.From.String() + "/" + p.To.String()
}

// reportRequest reads the period of a report page or download and gathers the document.
func (h *Handler) reportRequest(c *fiber.Ctx) (*report.Document, error) {
	pc, err := h.requestPeriod(c)
	if err != nil {
		return nil, err
	}
	return h.document(c, userScope(webkit.CurrentUser(c)), pc)
}

// ReportDOCX handles GET /dashboard/report.docx: the report as a Word document.
func (h *Handler) ReportDOCX(c *fiber.Ctx) error {
	d, err := h.reportRequest(c)
	if err != nil {
		return err
	}
	return sendDOCX(c, d)
}

// ReportXLSX handles GET /dashboard/report.xlsx: the report's data annex as a workbook.
func (h *Handler) ReportXLSX(c *fiber.Ctx) error {
	d, err := h.reportRequest(c)
	if err != nil {
		return err
	}
	return sendXLSX(c, d)
}

func sendDOCX(c *fiber.Ctx, d *report.Document) error {
	var buf bytes.Buffer
	if err := d.WriteDOCX(&buf); err != nil {
		return survey.Wrap(err)
	}
	return sendFile(c, mimeDOCX, d.FileName()+".docx", buf.Bytes())
}

func sendXLSX(c *fiber.Ctx, d *report.Document) error {
	var buf bytes.Buffer
	if err := d.Report.WriteXLSX(&buf, d.Lang); err != nil {
		return survey.Wrap(err)
	}
	return sendFile(c, mimeXLSX, d.FileName()+".xlsx", buf.Bytes())
}

type reportData struct {
	webkit.PageData
	Doc      *report.Document
	Head     report.Head
	Body     []report.Part
	Closing  report.Closing
	Report   *report.Report
	Comments []report.Comment
	QS       string // the period's query string, for the downloads and the draft form
	CSRF     string
	CanEdit  bool // managers and admins write the draft
	Saved    bool
}

// ReportPage handles GET /dashboard/report: the report as a printable document, with the form
// for its text and its downloads.
func (h *Handler) ReportPage(c *fiber.Ctx) error {
	qs := periodQuery(c)
	d, err := h.reportRequest(c)
	if err != nil {
		return err
	}
	return h.renderReport(c, d, qs)
}

func (h *Handler) renderReport(c *fiber.Ctx, d *report.Document, qs string) error {
	cs := d.Report.Comments
	if len(cs) > 30 {
		cs = cs[:30]
	}
	u := webkit.CurrentUser(c)
	return h.Render(c, "report", reportData{PageData: h.PageFor(c, d.Report.Title), Doc: d, Head: d.Head(), Body: d.Body(),
		Closing: d.Closing(), Report: d.Report, Comments: cs, QS: qs, CSRF: webkit.CSRFToken(c),
		CanEdit: u != nil && (u.Role == account.RoleAdmin || u.Role == account.RoleManager), Saved: c.Query("saved") != ""})
}

// periodQuery is the request's period parameters alone, for links back to the same report.
func periodQuery(c *fiber.Ctx) string {
	v := url.Values{}
	for _, k := range []string{"period", "year", "index", "from", "to", "lang"} {
		if s := c.Query(k); s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// SaveDraft handles POST /dashboard/report: a manager saves the report's number and the text
// of sections II–IV for the period and scope, then sees the report again.
func (h *Handler) SaveDraft(c *fiber.Ctx) error {
	u := webkit.CurrentUser(c)
	if u == nil || (u.Role != account.RoleAdmin && u.Role != account.RoleManager) {
		return survey.ErrForbidden
	}
	qs := periodQuery(c)
	pc, err := h.requestPeriod(c)
	if err != nil {
		return err
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	draft := report.Draft{Number: strings.TrimSpace(form.Get("number")), Shortcomings: form.Get("shortcomings"),
		Causes: form.Get("causes"), Solutions: form.Get("solutions"), UpdatedAt: h.Now(), UpdatedBy: u.Name}
	if err := draft.Validate(); err != nil {
		return err
	}
	if err := h.Drafts.SaveDraft(c.UserContext(), draftKey(userScope(u), pc.Period), draft); err != nil {
		return err
	}
	return c.Redirect("/dashboard/report?"+qs+"&saved=1#draft", fiber.StatusSeeOther)
}
