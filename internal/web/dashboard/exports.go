package dashboard

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// dashboardResult answers the dashboard's current query, for exports.
func (h *Handler) dashboardResult(c *fiber.Ctx) (periodChoice, stats.Query, stats.Result, error) {
	pc, err := h.requestPeriod(c)
	if err != nil {
		return pc, stats.Query{}, stats.Result{}, err
	}
	q, err := h.statsQueryFor(c, userScope(webkit.CurrentUser(c)), pc.Period)
	if err != nil {
		return pc, q, stats.Result{}, err
	}
	res, err := h.Figures.aggregate(c, q)
	return pc, q, res, err
}

// ExportCSV handles GET /dashboard/export.csv: the table on screen.
func (h *Handler) ExportCSV(c *fiber.Ctx) error {
	_, q, res, err := h.dashboardResult(c)
	if err != nil {
		return err
	}
	// Managers see the tickets issued by hand beside the rest by counter: so does their file.
	hand := userScope(webkit.CurrentUser(c)).officers && q.GroupBy == stats.ByCounter
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, res, webkit.Lang(c), report.CSVOptions{HandIssued: hand}); err != nil {
		return survey.Wrap(err)
	}
	return sendFile(c, "text/csv; charset=utf-8", exportName(q, "csv"), buf.Bytes())
}

// ExportXLSX handles GET /dashboard/export.xlsx: the table on screen as a workbook.
func (h *Handler) ExportXLSX(c *fiber.Ctx) error {
	_, q, res, err := h.dashboardResult(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	title := i18n.T(webkit.Lang(c), "dash.title") + " — " + i18n.T(webkit.Lang(c), "group."+q.GroupBy)
	if err := report.WriteXLSX(&buf, res, title, webkit.Lang(c)); err != nil {
		return survey.Wrap(err)
	}
	return sendFile(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exportName(q, "xlsx"), buf.Bytes())
}

func exportName(q stats.Query, ext string) string {
	return fmt.Sprintf("hailong-%s-%s-%s.%s", q.GroupBy, q.Period.From, q.Period.To, ext)
}

func sendFile(c *fiber.Ctx, contentType, name string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// followUpByUnit is the follow-up figures of q's period and scope, by unit.
func (h *Handler) followUpByUnit(c *fiber.Ctx, q stats.Query) (cases.Figures, error) {
	ctx := c.UserContext()
	label := func(_, key string) string {
		if name := h.Figures.label(c, stats.ByAgency, key); name != "" {
			return name
		}
		return key
	}
	return h.Cases.Figures(ctx, cases.Filter{Agencies: q.Agencies, Field: q.Field}, q.Period, cases.ByAgency, h.Figures.Org.Targets.Table(ctx), label)
}

func (h *Handler) reportComments(c *fiber.Ctx, q stats.Query) []report.Comment {
	keep := q.CommentInScope
	var out []report.Comment
	for _, cm := range h.Figures.comments(q.Period, keep, report.MaxComments) {
		out = append(out, report.Comment{At: cm.At, Field: h.Figures.label(c, stats.ByField, cm.Field), Agency: h.Figures.label(c, stats.ByAgency, cm.Agency), Overall: cm.Overall, Text: survey.MaskPersonalData(cm.Text)})
	}
	return out
}
