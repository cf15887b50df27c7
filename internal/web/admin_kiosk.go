package web

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// The "Kiosk tablets" section of /admin: the tablets, a form to pair one by the code it shows
// and a button to revoke each.

// kioskAdmin is what the section shows.
type kioskAdmin struct {
	On      bool // devices are configured
	Devices []kioskRow
	Stale   int // tablets still waiting with an expired code, not listed
}

type kioskRow struct {
	ID, Name, Agency, Counter, State string
	LastSeen                         string
}

// kioskStateOrder lists waiting tablets first (an admin is likely pairing one), revoked last.
var kioskStateOrder = map[string]int{"pending": 0, "paired": 1, "revoked": 2}

func (h *admin) kioskSection(ctx context.Context) (kioskAdmin, error) {
	list, err := h.kiosk.List(ctx)
	if err != nil {
		return kioskAdmin{}, err
	}
	ka := kioskAdmin{On: true}
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
	sort.SliceStable(ka.Devices, func(i, j int) bool {
		a, b := ka.Devices[i], ka.Devices[j]
		if a.State != b.State {
			return kioskStateOrder[a.State] < kioskStateOrder[b.State]
		}
		return a.Agency+"|"+a.Counter+"|"+a.Name < b.Agency+"|"+b.Counter+"|"+b.Name
	})
	return ka, nil
}

// pairKiosk handles POST /admin/kiosks/pair.
func (h *admin) pairKiosk(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	p := kiosk.Pairing{Code: get("code"), Agency: get("agency"), Counter: get("counter"), Name: get("name")}
	if _, err := pairAndAudit(c, h.kiosk, h.audit, p); err != nil {
		return h.adminFail(c, oneError(err))
	}
	return c.Redirect("/admin?done=kiosks#kiosks", fiber.StatusSeeOther)
}

// revokeKiosk handles POST /admin/kiosks/revoke.
func (h *admin) revokeKiosk(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	if _, err := revokeAndAudit(c, h.kiosk, h.audit, get("id")); err != nil {
		return h.adminFail(c, err)
	}
	return c.Redirect("/admin?done=kiosks#kiosks", fiber.StatusSeeOther)
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
