// Package tablet serves the kiosk tablets at the counters: the kiosk page, pairing, the push
// stream of completed dossiers, and the ratings, which count as the dossier's one response.
package tablet

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// Handler serves the tablets' page and JSON.
type Handler struct {
	webkit.Base
	Kiosk   *kiosk.Service
	Tickets webkit.Tickets
	Names   Names // the office and counter names in the tablet's header
	Streams *StreamSlots
}

// StreamSlots keeps each tablet's open event streams on this instance to a few: a tablet (or
// a stolen device cookie) opening one more ends its oldest. The newest wins, so a tablet that
// reconnects after a network drop is never locked out by the streams it left behind, which the
// server would otherwise notice only at its next write.
type StreamSlots struct {
	max  int
	mu   sync.Mutex
	open map[string][]*context.CancelFunc
}

// NewStreamSlots allows max open streams per tablet.
func NewStreamSlots(max int) *StreamSlots {
	return &StreamSlots{max: max, open: map[string][]*context.CancelFunc{}}
}

// add counts a new stream of device, which end stops, ending the oldest beyond the allowance;
// the returned func forgets it when it closes.
func (s *StreamSlots) add(device string, end context.CancelFunc) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mine := &end
	list := append(s.open[device], mine)
	for len(list) > s.max {
		(*list[0])()
		list = list[1:]
	}
	s.open[device] = list
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		rest := slices.DeleteFunc(s.open[device], func(e *context.CancelFunc) bool { return e == mine })
		if len(rest) == 0 {
			delete(s.open, device)
			return
		}
		s.open[device] = rest
	}
}

const (
	kioskCookie = "hl_kiosk"        // the device token: HttpOnly, SameSite=Strict
	kioskHeader = "X-Hailong-Kiosk" // required on kiosk POSTs, which a cross-site form cannot send
	kioskSurvey = "kiosk-quick"
	// kioskCookieAge is the longest lifetime browsers keep (400 days); each status check renews it.
	kioskCookieAge = 400 * 24 * time.Hour
	// kioskPing is how often the stream sends a comment, rechecks the device and the counter's
	// current dossier (in case a push was lost while Redis was down).
	kioskPing = 15 * time.Second
	// kioskTouchEvery is how many pings pass between two "last seen" writes.
	kioskTouchEvery = 20
)

var (
	errKioskHeader    = survey.Errorf(survey.CodeForbidden, "error.kiosk_header")
	errKioskNotPaired = survey.Errorf(survey.CodeForbidden, "error.kiosk_not_paired")
	errIdempotencyKey = survey.FieldErrors{survey.NewFieldError("idempotency_key", survey.ReasonType, "field.idempotency_key.type")}
)

// RequireHeader refuses a kiosk POST without the custom header: with the SameSite=Strict
// cookie, it keeps other sites from posting as the tablet.
func RequireHeader(c *fiber.Ctx) error {
	if c.Get(kioskHeader) != "1" {
		return errKioskHeader
	}
	return c.Next()
}

// kioskFace is one of the five faces on the kiosk.
type kioskFace struct {
	Rating      int
	Label       string
	SecondLabel string // the Vietnamese label under an English one
}

type kioskData struct {
	webkit.PageData
	Survey  *survey.Definition
	Overall *survey.Question
	Reasons *survey.Question
	Comment *survey.Question
	Faces   []kioskFace
}

// Page handles GET /kiosk: one page for every state of the tablet; kiosk.js switches
// between its screens.
func (h *Handler) Page(c *fiber.Ctx) error {
	def, err := h.Tickets.Definition(kioskSurvey)
	if err != nil {
		return err
	}
	l := webkit.Lang(c)
	d := kioskData{PageData: h.PageFor(c, i18n.T(l, "kiosk.title")), Survey: def}
	d.Overall, _ = def.Question(survey.QuestionOverall)
	d.Reasons, _ = def.Question("reasons")
	d.Comment, _ = def.Question(survey.QuestionComment)
	for r := 1; r <= 5; r++ {
		f := kioskFace{Rating: r, Label: survey.RatingLabel(r).In(l)}
		if l == "en" {
			f.SecondLabel = survey.RatingLabel(r).VI
		}
		d.Faces = append(d.Faces, f)
	}
	return h.Render(c, "kiosk", d)
}

// Names names a tablet's office and counter (org.Tree does it).
type Names interface {
	Unit(code string) (org.Unit, bool)
	CounterName(id string) (string, bool)
}

// kioskState is the tablet's view of itself.
type kioskState struct {
	State            string     `json:"state"` // pending (showing a pairing code) or paired
	PairingCode      string     `json:"pairing_code,omitempty"`
	PairingExpiresAt *time.Time `json:"pairing_expires_at,omitempty"`
	Expired          bool       `json:"expired,omitempty"` // the code expired: ask for a new one
	Name             string     `json:"name,omitempty"`
	Agency           string     `json:"agency,omitempty"`
	Counter          string     `json:"counter,omitempty"`
	AgencyName       string     `json:"agency_name,omitempty"`  // the header shows these, never a code
	CounterName      string     `json:"counter_name,omitempty"` // or the device's name
	FreeRatings      bool       `json:"free_ratings"`           // the idle faces accept a rating without a dossier
}

func (h *Handler) stateOf(d *kiosk.Device) kioskState {
	if d.Paired {
		st := kioskState{State: "paired", Name: d.Name, Agency: d.Agency, Counter: d.Counter}
		if u, ok := h.Names.Unit(d.Agency); ok {
			st.AgencyName = u.Name
		}
		st.CounterName, _ = h.Names.CounterName(org.CounterID(d.Agency, d.Counter))
		return st
	}
	exp := d.PairingExpiresAt
	return kioskState{State: "pending", PairingCode: kiosk.FormatPairingCode(d.PairingCode),
		PairingExpiresAt: &exp, Expired: !h.Now().Before(exp)}
}

// device returns the tablet signed in by the request's cookie: ErrDeviceUnknown without a
// valid one, ErrDeviceRevoked for a revoked tablet.
func (h *Handler) device(c *fiber.Ctx) (*kiosk.Device, error) {
	token := c.Cookies(kioskCookie)
	if token == "" || len(token) > 100 {
		return nil, kiosk.ErrDeviceUnknown
	}
	d, err := h.Kiosk.Devices.Device(c.UserContext(), kiosk.DeviceID(token))
	switch {
	case errors.Is(err, kiosk.ErrDeviceNotFound):
		return nil, kiosk.ErrDeviceUnknown
	case err != nil:
		return nil, err
	case d.Revoked:
		return nil, kiosk.ErrDeviceRevoked
	}
	return d, nil
}

// pairedDevice is device, refusing a tablet that still waits to be paired.
func (h *Handler) pairedDevice(c *fiber.Ctx) (*kiosk.Device, error) {
	d, err := h.device(c)
	if err == nil && !d.Paired {
		err = errKioskNotPaired
	}
	return d, err
}

func (h *Handler) setKioskCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: kioskCookie, Value: token, Path: "/", MaxAge: int(kioskCookieAge.Seconds()),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.SecureCookies(),
	})
}

// Pair handles POST /api/v1/kiosk/pair: a tablet asks for a pairing code. A tablet waiting
// to be paired gets a fresh code once its own has expired; any other gets a new identity.
func (h *Handler) Pair(c *fiber.Ctx) error {
	d, err := h.device(c)
	if err == nil && d.Paired {
		return c.JSON(h.stateOf(d))
	}
	if err == nil && !h.Now().Before(d.PairingExpiresAt) {
		d, err = h.Kiosk.Devices.RenewPairingCode(c.UserContext(), d.ID, h.Now())
	}
	if err == nil {
		return c.JSON(h.stateOf(d))
	}
	if !errors.Is(err, kiosk.ErrDeviceUnknown) && !errors.Is(err, kiosk.ErrDeviceRevoked) {
		return err
	}
	token, d, err := h.Kiosk.Devices.CreateDevice(c.UserContext(), h.Now())
	if err != nil {
		return err
	}
	h.setKioskCookie(c, token)
	return c.Status(fiber.StatusCreated).JSON(h.stateOf(d))
}

// Status handles GET /api/v1/kiosk/status: 200 with the tablet's state, 401 with
// "state": "unknown" or "revoked" when it must (again) be paired.
func (h *Handler) Status(c *fiber.Ctx) error {
	d, err := h.device(c)
	if state := unauthorizedState(err); state != "" {
		_, body := h.Classify(c, err)
		return c.Status(fiber.StatusUnauthorized).JSON(struct {
			webkit.APIError
			State string `json:"state"`
		}{body, state})
	}
	if err != nil {
		return err
	}
	h.setKioskCookie(c, c.Cookies(kioskCookie))
	c.Set(fiber.HeaderCacheControl, "no-store")
	st := h.stateOf(d)
	st.FreeRatings = d.Paired && h.Kiosk.FreeRatingsOn(c.UserContext())
	return c.JSON(st)
}

func unauthorizedState(err error) string {
	switch {
	case errors.Is(err, kiosk.ErrDeviceRevoked):
		return "revoked"
	case errors.Is(err, kiosk.ErrDeviceUnknown):
		return "unknown"
	}
	return ""
}

// Events handles GET /api/v1/kiosk/events: a Server-Sent Events stream of the dossiers
// completed at the tablet's counter, starting with the current one if it still awaits a rating.
func (h *Handler) Events(c *fiber.Ctx) error {
	d, err := h.pairedDevice(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	release := h.Streams.add(d.ID, cancel)
	events, unsubscribe := h.Kiosk.Hub.Subscribe(ctx, d.CounterKey()) // before reading the current dossier, so none falls between
	st := &kioskStream{kiosk: h.Kiosk, device: d.ID, counter: d.CounterKey(), events: events,
		conn: c.Context().Conn(), shutdown: c.Context().Done()}
	first := h.Kiosk.CurrentEvent(c.UserContext(), st.counter, "")
	if err := h.Kiosk.Devices.TouchDevice(c.UserContext(), d.ID, h.Now()); err != nil {
		h.Log.Warn("kiosk: record last seen", "err", err)
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // let a proxy pass each event on at once
	// The compress middleware runs after this handler; without Accept-Encoding it leaves the
	// stream alone, so each event leaves as soon as it is written.
	c.Request().Header.Del(fiber.HeaderAcceptEncoding)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer release()
		defer cancel()
		defer unsubscribe()
		st.run(ctx, w, first)
	})
	return nil
}

// kioskStream is one tablet's open event stream.
type kioskStream struct {
	kiosk           *kiosk.Service
	device, counter string
	events          <-chan kiosk.Event
	conn            net.Conn
	shutdown        <-chan struct{}
	lastSent        string
	w               *bufio.Writer
	pings           int
}

// run writes events until the tablet goes away, is revoked, or the server shuts down.
func (st *kioskStream) run(ctx context.Context, w *bufio.Writer, first *kiosk.Event) {
	st.w = w
	if !st.write("retry: 2000\n: connected\n\n") {
		return
	}
	if first != nil && !st.send(*first) {
		return
	}
	ping := time.NewTicker(kioskPing)
	defer ping.Stop()
	for {
		select {
		case <-st.shutdown:
			return
		case <-ctx.Done(): // a newer stream of this tablet took its place
			return
		case ev, ok := <-st.events:
			if !ok || !st.handle(ev) {
				return
			}
		case <-ping.C:
			if !st.tick(ctx) {
				return
			}
		}
	}
}

// handle passes one pushed event on; it reports whether the stream goes on.
func (st *kioskStream) handle(ev kiosk.Event) bool {
	switch {
	case ev.Type == kiosk.EventRevoked && ev.Device == st.device:
		st.send(ev)
		return false
	case ev.Type == kiosk.EventDossier && ev.Ref != st.lastSent:
		return st.send(ev)
	}
	return true
}

// tick pings, ends the stream of a revoked tablet, and sends a current dossier whose push was
// lost; it reports whether the stream goes on.
func (st *kioskStream) tick(ctx context.Context) bool {
	st.pings++
	d, err := st.kiosk.Devices.Device(ctx, st.device)
	if err == nil && (d.Revoked || d.CounterKey() != st.counter) {
		st.send(kiosk.Event{Type: kiosk.EventRevoked, Device: st.device})
		return false
	}
	if st.pings%kioskTouchEvery == 0 {
		_ = st.kiosk.Devices.TouchDevice(ctx, st.device, st.kiosk.Now())
	}
	if ev := st.kiosk.CurrentEvent(ctx, st.counter, st.lastSent); ev != nil {
		return st.send(*ev)
	}
	return st.write(": ping\n\n")
}

// send writes one event; dossiers are remembered so none is sent twice in a row.
func (st *kioskStream) send(ev kiosk.Event) bool {
	data, err := json.Marshal(ev)
	if err != nil {
		return false
	}
	if ev.Type == kiosk.EventDossier {
		st.lastSent = ev.Ref
	}
	return st.write(fmt.Sprintf("event: %s\ndata: %s\n\n", ev.Type, data))
}

// write sends text at once. The server's write timeout would end the stream, so each write
// moves the deadline on.
func (st *kioskStream) write(text string) bool {
	if st.conn != nil {
		_ = st.conn.SetWriteDeadline(time.Now().Add(2 * kioskPing))
	}
	if _, err := st.w.WriteString(text); err != nil {
		return false
	}
	return st.w.Flush() == nil
}

// kioskRatingRequest is the body of POST /api/v1/kiosk/responses.
type kioskRatingRequest struct {
	Ref string `json:"ref"` // the pushed dossier's reference; empty for a rating given without one
	// Token is the dossier's survey token, as ratings queued before references were pushed
	// carry it; accepted only within kiosk.LegacyTokenWindow (AcceptLegacyToken).
	Token          string         `json:"token"`
	Answers        map[string]any `json:"answers"`
	Comment        any            `json:"comment"`
	IdempotencyKey string         `json:"idempotency_key"`
	RatedAt        *time.Time     `json:"rated_at"` // when the citizen rated, by the tablet's clock
	Replayed       bool           `json:"replayed"` // sent late from the tablet's offline queue: RatedAt counts
	Lang           string         `json:"lang"`
}

// Submit handles POST /api/v1/kiosk/responses: 201 stored, 200 when this very submission (same
// idempotency key) was stored before, 409 when the dossier already has another rating. Ratings
// given too soon after the tablet's last one, or without a dossier beyond the tablet's
// allowance, are stored flagged as misuse.
func (h *Handler) Submit(c *fiber.Ctx) error {
	d, err := h.pairedDevice(c)
	if err != nil {
		return err
	}
	var req kioskRatingRequest
	if err := webkit.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	if !kiosk.ValidIdempotencyKey(req.IdempotencyKey) {
		return errIdempotencyKey
	}
	t, id, err := h.ticketOf(c, d, &req)
	if err != nil {
		return err
	}
	if stored, err := h.Kiosk.StoredBefore(c.UserContext(), id, req.IdempotencyKey); stored || err != nil {
		return alreadyStored(c, err)
	}
	def, err := h.Tickets.Definition(kioskSurvey)
	if err != nil {
		return err
	}
	answers, errs := def.ParseJSON(req.Answers, req.Comment)
	if len(errs) > 0 {
		return errs
	}
	l := req.Lang
	if l != "vi" && l != "en" {
		l = webkit.Lang(c)
	}
	if t == nil && !h.Kiosk.FreeRatingsOn(c.UserContext()) {
		return refuseFreeRating(c, l)
	}
	r, stored, err := h.Kiosk.Rate(c.UserContext(), kiosk.Rating{Device: d, Ticket: t, Definition: def, Answers: answers,
		Key: req.IdempotencyKey, RatedAt: req.RatedAt, Replayed: req.Replayed, Lang: l})
	if !stored || err != nil {
		return alreadyStored(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "stored", "submitted_at": r.SubmittedAt.Format(time.RFC3339)})
}

// refuseFreeRating answers a rating without a dossier while the admin has not allowed them, in
// the citizen's language on the tablet.
func refuseFreeRating(c *fiber.Ctx, l string) error {
	e := kiosk.ErrFreeRatingsOff
	return c.Status(webkit.HTTPStatus(e.Code)).JSON(fiber.Map{"error": fiber.Map{"code": e.Code, "message": e.Message.In(l)}})
}

// alreadyStored answers a submission stored before from the same idempotency key, or err.
func alreadyStored(c *fiber.Ctx, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "already_stored"})
}

// ticketOf returns the ticket a kiosk rates, redeeming the dossier reference it was pushed (or,
// for a rating queued before the upgrade, the survey token it carries), and the response ID:
// the ticket's token, or for a rating without a dossier (nil ticket) one made from the device
// and idempotency key.
func (h *Handler) ticketOf(c *fiber.Ctx, d *kiosk.Device, req *kioskRatingRequest) (*survey.Ticket, string, error) {
	token := ""
	switch {
	case req.Ref != "" && req.Token != "":
		return nil, "", errRefAndToken
	case req.Token != "":
		if err := h.Kiosk.AcceptLegacyToken(req.RatedAt, req.Replayed); err != nil {
			return nil, "", err
		}
		token = req.Token
	case req.Ref != "":
		var err error
		if token, err = h.Kiosk.Redeem(c.UserContext(), d, req.Ref); err != nil {
			return nil, "", err
		}
	default:
		return nil, kiosk.FreeRatingID(d.ID, req.IdempotencyKey), nil
	}
	t, _, err := h.Tickets.Open(c, token)
	if err != nil {
		return nil, "", err
	}
	if t.Agency != d.Agency || t.Counter != d.Counter { // the ticket store has the last word
		return nil, "", kiosk.ErrOtherCounter
	}
	return t, t.Token, nil
}

// errRefAndToken refuses a rating naming its dossier twice.
var errRefAndToken = survey.Errorf(survey.CodeInvalid, "error.kiosk_ref_and_token")
