package dashboard

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// ReportAPI serves the periodic report to scripts: API keys with stats:read (and signed-in staff,
// within their scope) download it as DOCX, XLSX or the printable HTML.
type ReportAPI struct {
	Callers Callers
	Reports *Handler
}

var (
	errReportFormat = survey.Errorf(survey.CodeInvalid, "error.report_format")
	apiPeriodKinds  = map[string]string{"quarter": stats.PeriodQuarter, "half": stats.PeriodHalf,
		"nine_months": stats.PeriodNineMonths, "year": stats.PeriodYear}
)

// Get handles GET /api/v1/reports?from&to&period&format: with period, the quarter, half, nine
// months or year that holds from (today without it); without, the range from..to.
func (a *ReportAPI) Get(c *fiber.Ctx) error {
	sc, err := callerScope(c, a.Callers)
	if err != nil {
		return err
	}
	format := c.Query("format", "docx")
	if format != "docx" && format != "xlsx" && format != "html" {
		return errReportFormat
	}
	pc, err := a.apiPeriod(c)
	if err != nil {
		return err
	}
	d, err := a.Reports.document(c, sc, pc)
	if err != nil {
		return err
	}
	switch format {
	case "xlsx":
		return sendXLSX(c, d)
	case "html":
		return a.Reports.renderReport(c, d, "")
	}
	return sendDOCX(c, d)
}

// apiPeriod reads the API's period: a kind around a day, or a custom range.
func (a *ReportAPI) apiPeriod(c *fiber.Ctx) (periodChoice, error) {
	cutoff := a.Reports.Figures.cutoff(c.UserContext())
	name := c.Query("period")
	if name == "" {
		p, err := stats.ParsePeriod(c.Query("from"), c.Query("to"))
		if err != nil {
			return periodChoice{}, errBadPeriod
		}
		return periodChoice{Kind: report.KindCustom, Period: p}, nil
	}
	kind, ok := apiPeriodKinds[name]
	if !ok {
		return periodChoice{}, errBadPeriod
	}
	day := a.Reports.Today()
	if s := c.Query("from"); s != "" {
		d, err := stats.ParseDate(s)
		if err != nil {
			return periodChoice{}, errBadPeriod
		}
		day = d
	}
	if cutoff > 1 && day.Day >= cutoff { // from the cut-off day on, the days count toward the next month
		day = day.FirstOfMonth().AddMonths(1)
	}
	pc := periodChoice{Kind: kind, Year: day.Year, Index: defaultIndex(kind, day), Cutoff: cutoff}
	p, err := report.ReportingPeriod(kind, pc.Year, pc.Index, cutoff)
	if err != nil {
		return pc, errBadPeriod
	}
	pc.Period = p
	return pc, nil
}
