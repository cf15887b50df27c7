// Package counter serves the counter page: an officer completes dossiers by hand, sees the day's
// dossiers of their counter with whether each is rated yet, and prints the slips handed to
// citizens. Managers and admins may look at any counter of their scope but complete no dossier.
package counter

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
	"github.com/hailong/hailong/internal/web/webkit"
)

var (
	errNoCounter        = survey.Errorf(survey.CodeForbidden, "error.no_counter")
	errSlipOtherCounter = survey.Errorf(survey.CodeForbidden, "error.slip_other_counter")
	errDossierElsewhere = survey.Errorf(survey.CodeConflict, "error.dossier_elsewhere")
	errCounterChoice    = survey.Errorf(survey.CodeInvalid, "error.counter_choice")
	errOnTime           = survey.NewFieldError("on_time", survey.ReasonType, "field.on_time.type")
)

// slipSizes are the printable slip layouts; the first is the default.
var slipSizes = []string{"80mm", "a6"}

// Handler serves the counter page, its form and the slips.
type Handler struct {
	webkit.Base
	Issuer    *ticket.Issuer
	Days      ticket.CounterDays
	Tickets   webkit.Tickets
	Responses survey.ResponseStore
	Org       *org.Directory
	QR        *qr.Generator
	URLs      webkit.TicketURLs
	Audit     webkit.Auditor
	Clients   webkit.Clients // tells the browser a ticket was issued from
}

// counterRef names one counter of an agency.
type counterRef struct{ Agency, Counter string }

// query is the counter page's address for a manager or admin looking at r.
func (r counterRef) query() string {
	return url.Values{"agency": {r.Agency}, "counter": {r.Counter}}.Encode()
}

// counterForm is what the officer typed, kept to show the form again after an error.
type counterForm struct {
	DossierCode, ProcedureCode, ProcedureName, Field, Delivery, OnTime string
}

// counterRow is one dossier of the day. It carries neither token nor short code: an officer
// who could read them for their own dossiers could answer them; the slip goes by dossier code.
type counterRow struct {
	DossierCode, Procedure, Field, Time string
	Rated                               bool
}

type counterData struct {
	webkit.PageData
	User                    *account.User
	CSRF                    string
	Officer                 bool // may complete dossiers here
	Chosen                  bool // a counter is chosen
	Ref                     counterRef
	AgencyName, CounterName string
	Choices                 []org.Counter // counters a manager or admin may open
	Units                   []org.Unit
	Fields                  []org.Field
	Deliveries              []survey.Delivery
	Form                    counterForm
	Errors                  []survey.FieldError
	Invalid                 map[string]bool
	Today                   string
	Rows                    []counterRow
}

// Page handles GET /counter.
func (h *Handler) Page(c *fiber.Ctx) error {
	d, err := h.counterData(c, counterForm{Delivery: string(survey.DeliveryDirect), OnTime: "true"})
	if err != nil {
		return err
	}
	return h.Render(c, "counter", d)
}

func (h *Handler) counterData(c *fiber.Ctx, form counterForm) (*counterData, error) {
	u, l := webkit.CurrentUser(c), webkit.Lang(c)
	ref, chosen, err := h.counterOf(c, u)
	if err != nil {
		return nil, err
	}
	d := &counterData{
		PageData: h.PageFor(c, i18n.T(l, "counter.title")), User: u, CSRF: webkit.CSRFToken(c),
		Officer: u.Role == account.RoleOfficer, Chosen: chosen, Ref: ref, Form: form,
		Fields: webkit.ActiveFields(c, h.Org.Fields), Deliveries: survey.Deliveries,
		Today: stats.FormatDate(stats.DateOf(h.Now())), Invalid: map[string]bool{},
	}
	if !chosen {
		d.Choices, d.Units = h.counterChoices(u), h.unitsInScope(u)
		return d, nil
	}
	d.AgencyName, d.CounterName = h.counterNames(ref)
	d.Rows, err = h.counterRows(c, ref)
	return d, err
}

// counterOf is the counter the page shows: an officer's own, or for a manager or admin the one
// named by ?agency=&counter= within their scope (chosen is false when none is named).
func (h *Handler) counterOf(c *fiber.Ctx, u *account.User) (ref counterRef, chosen bool, err error) {
	if u.Role == account.RoleOfficer {
		if u.Agency == "" || u.Counter == "" {
			return ref, false, errNoCounter
		}
		return counterRef{u.Agency, u.Counter}, true, nil
	}
	ref = counterRef{strings.TrimSpace(c.Query("agency")), strings.TrimSpace(c.Query("counter"))}
	if ref.Agency == "" && ref.Counter == "" {
		return ref, false, nil
	}
	if !survey.ValidCode(ref.Agency) || !survey.ValidCode(ref.Counter) {
		return ref, false, errCounterChoice
	}
	if !h.inScope(u, ref.Agency) {
		return ref, false, survey.ErrForbidden
	}
	return ref, true, nil
}

// inScope reports whether a manager or admin may see agency: their unit's subtree, or
// everything for an account of the whole organisation.
func (h *Handler) inScope(u *account.User, agency string) bool {
	return u.Agency == "" || h.Org.Tree.Subtree(u.Agency)[agency]
}

// mayPrint reports whether u may see the slip of t: an officer at t's counter, or a manager or
// admin whose scope holds t's agency.
func (h *Handler) mayPrint(u *account.User, t *survey.Ticket) bool {
	if u.Role == account.RoleOfficer {
		return u.Agency != "" && u.Counter != "" && t.Agency == u.Agency && t.Counter == u.Counter
	}
	return h.inScope(u, t.Agency)
}

func (h *Handler) unitsInScope(u *account.User) []org.Unit {
	var out []org.Unit
	for _, unit := range h.Org.Tree.Units() {
		if h.inScope(u, unit.Code) {
			out = append(out, unit)
		}
	}
	return out
}

func (h *Handler) counterChoices(u *account.User) []org.Counter {
	var out []org.Counter
	for _, ct := range h.Org.Tree.Counters() {
		if h.inScope(u, ct.Agency) {
			out = append(out, ct)
		}
	}
	return out
}

// counterNames returns the names of r's unit and counter, or their codes when unnamed.
func (h *Handler) counterNames(r counterRef) (agency, counter string) {
	agency, counter = r.Agency, r.Counter
	if u, ok := h.Org.Tree.Unit(r.Agency); ok && u.Name != "" {
		agency = u.Name
	}
	if name, ok := h.Org.Tree.CounterName(org.CounterID(r.Agency, r.Counter)); ok {
		counter = withoutAgency(name, agency)
	}
	return agency, counter
}

// withoutAgency drops the agency's name from the front of a counter's name ("Trung tâm … –
// Quầy 1" becomes "Quầy 1"), since pages and slips show the agency beside it.
func withoutAgency(counter, agency string) string {
	rest, ok := strings.CutPrefix(counter, agency)
	if rest = strings.TrimLeft(rest, " –-·,:"); !ok || rest == "" {
		return counter
	}
	return rest
}

// counterRows lists today's dossiers of r, newest first, each with whether it is rated yet.
func (h *Handler) counterRows(c *fiber.Ctx, r counterRef) ([]counterRow, error) {
	ctx, l := c.UserContext(), webkit.Lang(c)
	list, err := h.Days.CounterDossiers(ctx, r.Agency, r.Counter, stats.DateOf(h.Now()).String())
	if err != nil {
		return nil, err
	}
	slices.Reverse(list) // added oldest first; the latest of equal times first
	sort.SliceStable(list, func(i, j int) bool { return list[i].CompletedAt.After(list[j].CompletedAt) })
	rows := make([]counterRow, 0, len(list))
	seen := map[string]bool{}
	for _, d := range list {
		if seen[d.Token] {
			continue
		}
		seen[d.Token] = true
		rated, err := h.Responses.Answered(ctx, d.Token)
		if err != nil {
			return nil, err
		}
		rows = append(rows, counterRow{
			DossierCode: d.DossierCode, Procedure: clipRunes(d.ProcedureName, 48),
			Field: h.fieldName(ctx, l, d.Field), Rated: rated,
			Time: d.CompletedAt.In(stats.TimeZone()).Format("15:04"),
		})
	}
	return rows, nil
}

// clipRunes shortens s to at most n characters, marking the cut, so a long procedure name
// keeps the row readable; the slip shows it whole.
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

func (h *Handler) fieldName(ctx context.Context, l, code string) string {
	if f, ok := h.Org.Fields.Get(ctx, code); ok {
		return f.Name.In(l)
	}
	return code
}

// Issue handles POST /counter/tickets: an officer completes a dossier by hand. The
// ticket is issued as through the API, with the officer's own unit, counter and name, and the
// officer goes on to its slip; a dossier that already has a ticket here shows that ticket's slip
// with a notice saying so.
func (h *Handler) Issue(c *fiber.Ctx) error {
	u := webkit.CurrentUser(c)
	if u.Role != account.RoleOfficer {
		return survey.ErrForbidden
	}
	if u.Agency == "" || u.Counter == "" {
		return errNoCounter
	}
	v, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	form := counterForm{get("dossier_code"), get("procedure_code"), get("procedure_name"), get("field"), get("channel"), get("on_time")}
	req, errs := h.counterRequest(c.UserContext(), u, form)
	if len(errs) > 0 {
		return h.counterFail(c, fiber.StatusUnprocessableEntity, form, errs)
	}
	req.IssuerClient = webkit.BrowserOf(h.Clients, c)
	got, created, err := h.Issuer.Issue(c.UserContext(), &req)
	if err != nil {
		return err
	}
	if !created && (got.Agency != u.Agency || got.Counter != u.Counter) {
		elsewhere := survey.FieldErrors{{Question: "dossier_code", Reason: string(survey.CodeConflict), Message: errDossierElsewhere.Message}}
		return h.counterFail(c, fiber.StatusConflict, form, elsewhere)
	}
	if created { // a hand-issued ticket is one its officer could answer: keep who issued it
		if err := h.Audit.Record(c, "ticket.hand_issue", got.DossierCode); err != nil {
			return err
		}
	}
	q := url.Values{"dossier": {got.DossierCode}, "lang": {webkit.Lang(c)}}
	if !created {
		q.Set("existing", "1")
	}
	return c.Redirect("/counter/slip?"+q.Encode(), fiber.StatusSeeOther)
}

// counterRequest is the ticket request of the form; unit, counter and officer come from the
// account, never from the form.
func (h *Handler) counterRequest(ctx context.Context, u *account.User, f counterForm) (survey.TicketRequest, survey.FieldErrors) {
	req := survey.TicketRequest{
		DossierCode: f.DossierCode, ProcedureCode: f.ProcedureCode, ProcedureName: f.ProcedureName, Field: f.Field,
		Agency: u.Agency, Counter: u.Counter, Officer: u.Name, Delivery: survey.Delivery(f.Delivery),
		IssuedBy: survey.IssuedByCounter,
	}
	errs := h.Issuer.Validate(ctx, &req)
	switch f.OnTime {
	case "true", "false":
		onTime := f.OnTime == "true"
		req.OnTime = &onTime
	default:
		errs = append(errs, errOnTime)
	}
	return req, errs
}

// counterFail shows the counter page again with the form as typed and what is wrong with it.
func (h *Handler) counterFail(c *fiber.Ctx, status int, form counterForm, errs survey.FieldErrors) error {
	d, err := h.counterData(c, form)
	if err != nil {
		return err
	}
	d.Errors = errs
	for _, e := range errs {
		d.Invalid[e.Question] = true
	}
	return h.Render(c.Status(status), "counter", d)
}

type slipData struct {
	webkit.PageData
	Size, Other              string
	QR                       template.HTML
	ShortCode, DossierCode   string
	Procedure, Date, CodeURL string
	AgencyName, CounterName  string
	Back                     string
	Existing                 string // the notice that the dossier already had this slip
}

// Slip handles GET /counter/slip?dossier=CODE&size=80mm|a6: the printable slip of a dossier.
// It is addressed by dossier code so no page an officer sees holds the survey token; the slip
// itself must carry it, in the QR of the survey's address, with the short code to type.
func (h *Handler) Slip(c *fiber.Ctx) error {
	t, err := h.Tickets.ByDossier(c)
	if err != nil {
		return err
	}
	u := webkit.CurrentUser(c)
	if !h.mayPrint(u, t) {
		return errSlipOtherCounter
	}
	svg, err := h.QR.SVG(h.URLs.Survey(t))
	if err != nil {
		return survey.Wrap(err)
	}
	d := h.slipOf(c, t, template.HTML(svg)) // made by the QR generator, which escapes the URL in its title
	if u.Role != account.RoleOfficer {
		d.Back += "&" + counterRef{t.Agency, t.Counter}.query()
	}
	return h.Render(c, "slip", d)
}

// slipOf is what t's slip shows, in the size the request asks for.
func (h *Handler) slipOf(c *fiber.Ctx, t *survey.Ticket, qr template.HTML) slipData {
	l := webkit.Lang(c)
	d := slipData{
		PageData: h.PageFor(c, i18n.T(l, "slip.title")), Size: slipSizes[0], Other: slipSizes[1], QR: qr,
		ShortCode: survey.FormatShortCode(t.ShortCode), DossierCode: t.DossierCode, Procedure: t.ProcedureName,
		Date: stats.FormatDate(stats.DateOf(t.CompletedAt)), CodeURL: printedURL(h.BaseURL) + "/s", Back: "/counter?lang=" + l,
	}
	if c.Query("existing") == "1" {
		at := t.IssuedAt.In(stats.TimeZone()).Format("15:04 02/01/2006")
		d.Existing = fmt.Sprintf(i18n.T(l, "slip.existing"), t.DossierCode, at)
	}
	if c.Query("size") == slipSizes[1] {
		d.Size, d.Other = d.Other, d.Size
	}
	if d.Procedure == "" {
		d.Procedure = t.ProcedureCode
	}
	d.AgencyName, d.CounterName = h.counterNames(counterRef{t.Agency, t.Counter})
	if t.Counter != "" && d.CounterName == t.Counter { // unnamed: say what the code is
		d.CounterName = i18n.T("vi", "counter.counter") + " " + t.Counter
	}
	return d
}

// printedURL is base as printed for people to type: without the scheme.
func printedURL(base string) string {
	return strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
}
