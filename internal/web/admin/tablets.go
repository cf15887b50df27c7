package admin

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// The "Kiosk tablets" section of /admin: the tablets, a form to pair one by the code it shows
// and a button to revoke each; and the same actions as JSON for admins' scripts.

// kioskAdmin is what the section shows.
type kioskAdmin struct {
	On      bool // devices are configured
	Free    bool // idle tablets accept a rating without a dossier
	Devices []kioskRow
	Stale   int // tablets still waiting with an expired code, not listed
}

type kioskRow struct {
	ID, Name, Agency, Counter, State string
	LastSeen                         string
	Older                            bool // a newer tablet is paired with the same counter
}

// kioskStateOrder lists waiting tablets first (an admin is likely pairing one), revoked last.
var kioskStateOrder = map[string]int{"pending": 0, "paired": 1, "revoked": 2}

func (h *Handler) kioskSection(ctx context.Context) (kioskAdmin, error) {
	list, err := h.Kiosk.List(ctx)
	if err != nil {
		return kioskAdmin{}, err
	}
	ka := kioskAdmin{On: true, Free: h.Kiosk.FreeRatingsOn(ctx)}
	for _, d := range list {
		row := kioskRow{ID: d.ID, Name: d.Name, Agency: d.Agency, Counter: d.Counter, LastSeen: stats.FormatDateTime(d.LastSeen)}
		switch {
		case d.Revoked && !d.Paired: // never served a counter: nothing to show
			continue
		case d.Revoked:
			row.State = "revoked"
		case d.Paired:
			row.State = "paired"
		case !h.Now().Before(d.PairingExpiresAt):
			ka.Stale++
			continue
		default:
			row.State = "pending"
		}
		ka.Devices = append(ka.Devices, row)
	}
	markOlder(list, ka.Devices)
	sort.SliceStable(ka.Devices, func(i, j int) bool {
		a, b := ka.Devices[i], ka.Devices[j]
		if a.State != b.State {
			return kioskStateOrder[a.State] < kioskStateOrder[b.State]
		}
		return a.Agency+"|"+a.Counter+"|"+a.Name < b.Agency+"|"+b.Counter+"|"+b.Name
	})
	return ka, nil
}

// markOlder flags each paired tablet of rows that a tablet paired later serves the same
// counter with: it was most likely replaced.
func markOlder(list []kiosk.Device, rows []kioskRow) {
	newest := map[string]kiosk.Device{}
	for _, d := range list {
		if d.Paired && !d.Revoked && d.CreatedAt.After(newest[d.CounterKey()].CreatedAt) {
			newest[d.CounterKey()] = d
		}
	}
	for i, r := range rows {
		if n, ok := newest[kiosk.CounterKey(r.Agency, r.Counter)]; ok && r.State == "paired" && n.ID != r.ID {
			rows[i].Older = true
		}
	}
}

// PairKiosk handles POST /admin/kiosks/pair.
func (h *Handler) PairKiosk(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	p := kiosk.Pairing{Code: get("code"), Agency: get("agency"), Counter: get("counter"), Name: get("name")}
	if id := get("counter_id"); id != "" || p.Counter == "" { // the pick list; agency and counter still serve scripts
		ct, ok := h.counter(id)
		if !ok {
			return h.adminFail(c, errNoCounter)
		}
		p.Agency, p.Counter = ct.Agency, ct.Code
	}
	d, err := pairAndAudit(c, h.Kiosk, h.Audit, p)
	if err != nil {
		return h.adminFail(c, oneError(err))
	}
	return savedRedirect(c, "kiosk.pair", h.tabletName(d))
}

var errNoCounter = survey.Errorf(survey.CodeInvalid, "error.kiosk_no_counter")

// counter returns the counter with id ("agency/code").
func (h *Handler) counter(id string) (org.Counter, bool) {
	for _, ct := range h.Org.Tree.Counters() {
		if ct.ID == id {
			return ct, true
		}
	}
	return org.Counter{}, false
}

// tabletName names tablet d as an admin knows it: its name, then its counter's and office's.
func (h *Handler) tabletName(d *kiosk.Device) string {
	if d.Agency == "" {
		return d.ID[:12]
	}
	ct, ok := h.counter(org.CounterID(d.Agency, d.Counter))
	where := d.Counter
	if ok {
		where = ct.Name
	}
	where += ", " + h.unitName(d.Agency)
	if d.Name == "" {
		return where
	}
	return d.Name + " (" + where + ")"
}

// SaveKioskFree handles POST /admin/kiosks/free: whether idle tablets accept a rating without
// a dossier (off by default).
func (h *Handler) SaveKioskFree(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	on := get("free") != ""
	if h.Kiosk.Settings == nil {
		return h.adminFail(c, survey.Errorf(survey.CodeUnavailable, "error.unavailable"))
	}
	if err := h.Kiosk.Settings.SetFreeRatings(c.UserContext(), on); err != nil {
		return err
	}
	action := "kiosk.free_off"
	if on {
		action = "kiosk.free_on"
	}
	return h.adminDone(c, action, "", "")
}

// RevokeKiosk handles POST /admin/kiosks/revoke.
func (h *Handler) RevokeKiosk(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	d, err := revokeAndAudit(c, h.Kiosk, h.Audit, get("id"))
	if err != nil {
		return h.adminFail(c, err)
	}
	return savedRedirect(c, "kiosk.revoke", h.tabletName(d))
}

// oneError joins the messages of field errors into one error to show above a form; other
// errors pass unchanged.
func oneError(err error) error {
	var fe survey.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	var vi, en []string
	for _, f := range fe {
		vi, en = append(vi, f.Message.VI), append(en, f.Message.EN)
	}
	return &survey.Error{Code: survey.CodeInvalid, Message: survey.Text{VI: strings.Join(vi, " "), EN: strings.Join(en, " ")}}
}

// TabletAPI is the admins' JSON API for the kiosk tablets: list, pair and revoke them.
type TabletAPI struct {
	Kiosk *kiosk.Service
	Audit webkit.Auditor
}

// Pair handles POST /api/v1/kiosk/devices/pair (admins): pair the tablet showing a
// code with a counter.
func (h *TabletAPI) Pair(c *fiber.Ctx) error {
	var p kiosk.Pairing
	if err := webkit.DecodeJSON(c.Body(), &p); err != nil {
		return err
	}
	d, err := pairAndAudit(c, h.Kiosk, h.Audit, p)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// Revoke handles POST /api/v1/kiosk/devices/:id/revoke (admins).
func (h *TabletAPI) Revoke(c *fiber.Ctx) error {
	d, err := revokeAndAudit(c, h.Kiosk, h.Audit, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// Devices handles GET /api/v1/kiosk/devices/ (admins): every tablet.
func (h *TabletAPI) Devices(c *fiber.Ctx) error {
	list, err := h.Kiosk.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"devices": list})
}

// pairAndAudit pairs the tablet showing p.Code with p's counter, for the admin signed in, and
// records it in the audit trail. The JSON API and the /admin form share it.
func pairAndAudit(c *fiber.Ctx, k *kiosk.Service, audit webkit.Auditor, p kiosk.Pairing) (*kiosk.Device, error) {
	d, err := k.Pair(c.UserContext(), p)
	if err != nil {
		return nil, err
	}
	auditKiosk(c, audit, k.Log, "kiosk.pair", d)
	return d, nil
}

// revokeAndAudit revokes the tablet with id for the admin signed in, and records it.
func revokeAndAudit(c *fiber.Ctx, k *kiosk.Service, audit webkit.Auditor, id string) (*kiosk.Device, error) {
	d, err := k.Revoke(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	auditKiosk(c, audit, k.Log, "kiosk.revoke", d)
	return d, nil
}

// auditKiosk records an admin's action on tablet d. The action is done whatever happens here,
// so a failure is logged rather than answered.
func auditKiosk(c *fiber.Ctx, audit webkit.Auditor, log *slog.Logger, action string, d *kiosk.Device) {
	target := d.ID[:12]
	if d.Paired {
		target += " " + d.Name + " (" + d.Agency + "/" + d.Counter + ")"
	}
	if err := audit.Record(c, action, target); err != nil {
		log.Warn("audit kiosk action", "action", action, "err", err)
	}
}
