package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Kiosk tablets at the counters: the page, pairing, the push stream of completed dossiers and
// the ratings, which count as the dossier's one response.

const (
	kioskCookie = "hl_kiosk"        // the device token: HttpOnly, SameSite=Strict
	kioskHeader = "X-Hailong-Kiosk" // required on kiosk POSTs, which a cross-site form cannot send
	kioskSurvey = "kiosk-quick"
	// kioskCookieAge is the longest lifetime browsers keep (400 days); each status check renews it.
	kioskCookieAge = 400 * 24 * time.Hour
	// currentFor is how recent a counter's current dossier must be to be sent to a kiosk that
	// (re)connects.
	currentFor = 10 * time.Minute
	// kioskPing is how often the stream sends a comment, rechecks the device and the counter's
	// current dossier (in case a push was lost while Redis was down).
	kioskPing = 15 * time.Second
	// kioskTouchEvery is how many pings pass between two "last seen" writes.
	kioskTouchEvery = 20
	// kioskCoolDown is the least time between two genuine ratings on one tablet.
	kioskCoolDown = 5 * time.Second
	// maxRatedAtAge bounds how old a queued rating's own timestamp may be before the server's
	// clock is used instead.
	maxRatedAtAge = 7 * 24 * time.Hour
)

// kioskFreeLimit is how many ratings without a dossier a tablet may give before the next ones
// are flagged as misuse.
var kioskFreeLimit = redisstore.Limit{Rate: 3, Period: 10 * time.Minute, Burst: 3}

var (
	errKioskHeader = survey.Errorf(survey.CodeForbidden,
		"Yêu cầu phải được gửi từ trang máy tính bảng (thiếu tiêu đề X-Hailong-Kiosk).",
		"Requests must come from the kiosk page (the X-Hailong-Kiosk header is missing).")
	errKioskNotPaired = survey.Errorf(survey.CodeForbidden,
		"Máy tính bảng chưa được ghép nối với quầy.", "This tablet is not paired with a counter yet.")
	errKioskOtherCounter = survey.Errorf(survey.CodeForbidden,
		"Hồ sơ này không được giải quyết tại quầy của máy tính bảng.", "This dossier was not completed at this tablet's counter.")
	errIdempotencyKey = survey.FieldErrors{{Question: "idempotency_key", Reason: survey.ReasonType, Message: survey.Text{
		VI: "idempotency_key phải gồm 8–64 ký tự chữ, số, gạch ngang hoặc gạch dưới.",
		EN: "idempotency_key must be 8–64 letters, digits, dashes or underscores."}}}
)

// kioskRoutes lists the kiosk routes: the page, the tablet's API and the admins' API.
func (s *Server) kioskRoutes(app *fiber.App) {
	app.Get("/kiosk", s.limit(limitLookup), s.kioskPage)
	k := app.Group("/api/v1/kiosk")
	k.Post("/pair", requireKioskHeader, s.limit(limitShortCode), s.kioskPair)
	k.Get("/status", s.kioskStatus)
	k.Get("/events", s.kioskEvents)
	k.Post("/responses", requireKioskHeader, s.kioskSubmit)
	// Admins pair and revoke tablets, here as JSON (a signed-in admin sending the session's CSRF
	// token in X-CSRF-Token) and through the forms of /admin.
	admin := k.Group("/devices", s.requireSession(survey.RoleAdmin), s.csrf)
	admin.Get("/", s.kioskDevices)
	admin.Post("/pair", s.kioskPairDevice)
	admin.Post("/:id/revoke", s.kioskRevokeDevice)
}

// requireKioskHeader refuses a kiosk POST without the custom header: with the SameSite=Strict
// cookie, it keeps other sites from posting as the tablet.
func requireKioskHeader(c *fiber.Ctx) error {
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
	pageData
	Survey  *survey.Definition
	Overall *survey.Question
	Reasons *survey.Question
	Comment *survey.Question
	Faces   []kioskFace
}

// kioskPage handles GET /kiosk: one page for every state of the tablet; kiosk.js switches
// between its screens.
func (s *Server) kioskPage(c *fiber.Ctx) error {
	def, err := s.definition(kioskSurvey)
	if err != nil {
		return err
	}
	l := lang(c)
	d := kioskData{pageData: s.page(c, s.pages.t(l, "kiosk.title")), Survey: def}
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
	return s.render(c, "kiosk", d)
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
}

func (s *Server) stateOf(d *survey.Device) kioskState {
	if d.Paired {
		return kioskState{State: "paired", Name: d.Name, Agency: d.Agency, Counter: d.Counter}
	}
	exp := d.PairingExpiresAt
	return kioskState{State: "pending", PairingCode: survey.FormatPairingCode(d.PairingCode),
		PairingExpiresAt: &exp, Expired: !s.Now().Before(exp)}
}

// device returns the tablet signed in by the request's cookie: ErrDeviceUnknown without a
// valid one, ErrDeviceRevoked for a revoked tablet.
func (s *Server) device(c *fiber.Ctx) (*survey.Device, error) {
	if s.Devices == nil || s.Hub == nil {
		return nil, survey.Wrap(errors.New("web: kiosk devices are not configured"))
	}
	token := c.Cookies(kioskCookie)
	if token == "" || len(token) > 100 {
		return nil, survey.ErrDeviceUnknown
	}
	d, err := s.Devices.Device(c.UserContext(), survey.DeviceID(token))
	switch {
	case errors.Is(err, survey.ErrDeviceNotFound):
		return nil, survey.ErrDeviceUnknown
	case err != nil:
		return nil, err
	case d.Revoked:
		return nil, survey.ErrDeviceRevoked
	}
	return d, nil
}

// pairedDevice is device, refusing a tablet that still waits to be paired.
func (s *Server) pairedDevice(c *fiber.Ctx) (*survey.Device, error) {
	d, err := s.device(c)
	if err == nil && !d.Paired {
		err = errKioskNotPaired
	}
	return d, err
}

func (s *Server) setKioskCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: kioskCookie, Value: token, Path: "/", MaxAge: int(kioskCookieAge.Seconds()),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https",
	})
}

// kioskPair handles POST /api/v1/kiosk/pair: a tablet asks for a pairing code. A tablet waiting
// to be paired gets a fresh code once its own has expired; any other gets a new identity.
func (s *Server) kioskPair(c *fiber.Ctx) error {
	d, err := s.device(c)
	if err == nil && d.Paired {
		return c.JSON(s.stateOf(d))
	}
	if err == nil && !s.Now().Before(d.PairingExpiresAt) {
		d, err = s.Devices.RenewPairingCode(c.UserContext(), d.ID, s.Now())
	}
	if err == nil {
		return c.JSON(s.stateOf(d))
	}
	if !errors.Is(err, survey.ErrDeviceUnknown) && !errors.Is(err, survey.ErrDeviceRevoked) {
		return err
	}
	token, d, err := s.Devices.CreateDevice(c.UserContext(), s.Now())
	if err != nil {
		return err
	}
	s.setKioskCookie(c, token)
	return c.Status(fiber.StatusCreated).JSON(s.stateOf(d))
}

// kioskStatus handles GET /api/v1/kiosk/status: 200 with the tablet's state, 401 with
// "state": "unknown" or "revoked" when it must (again) be paired.
func (s *Server) kioskStatus(c *fiber.Ctx) error {
	d, err := s.device(c)
	if state := unauthorizedState(err); state != "" {
		_, body := s.classify(c, err)
		return c.Status(fiber.StatusUnauthorized).JSON(struct {
			apiError
			State string `json:"state"`
		}{body, state})
	}
	if err != nil {
		return err
	}
	s.setKioskCookie(c, c.Cookies(kioskCookie))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(s.stateOf(d))
}

func unauthorizedState(err error) string {
	switch {
	case errors.Is(err, survey.ErrDeviceRevoked):
		return "revoked"
	case errors.Is(err, survey.ErrDeviceUnknown):
		return "unknown"
	}
	return ""
}

// kioskPairDevice handles POST /api/v1/kiosk/devices/pair (admins): pair the tablet showing a
// code with a counter.
func (s *Server) kioskPairDevice(c *fiber.Ctx) error {
	var p survey.Pairing
	if err := decodeJSON(c.Body(), &p); err != nil {
		return err
	}
	d, err := s.pairKiosk(c, p)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// kioskRevokeDevice handles POST /api/v1/kiosk/devices/:id/revoke (admins).
func (s *Server) kioskRevokeDevice(c *fiber.Ctx) error {
	d, err := s.revokeKiosk(c, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// kioskDevices handles GET /api/v1/kiosk/devices/ (admins): every tablet.
func (s *Server) kioskDevices(c *fiber.Ctx) error {
	list, err := s.kioskDeviceList(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"devices": list})
}

var errNoDevices = survey.Wrap(errors.New("web: kiosk devices are not configured"))

// pairKiosk pairs the tablet showing p.Code with p's counter, for the admin signed in, and
// records it in the audit trail. The JSON API and the /admin form share it.
func (s *Server) pairKiosk(c *fiber.Ctx, p survey.Pairing) (*survey.Device, error) {
	if errs := p.Validate(); len(errs) > 0 {
		return nil, errs
	}
	if s.Devices == nil {
		return nil, errNoDevices
	}
	d, err := s.Devices.PairDevice(c.UserContext(), p, s.Now())
	if err != nil {
		return nil, err
	}
	s.auditKiosk(c, "kiosk.pair", d)
	return d, nil
}

// revokeKiosk revokes the tablet with id for good: it is refused from its next request, and a
// stream it holds open is ended at once.
func (s *Server) revokeKiosk(c *fiber.Ctx, id string) (*survey.Device, error) {
	if !survey.ValidDeviceID(id) || s.Devices == nil {
		return nil, survey.ErrDeviceNotFound
	}
	d, err := s.Devices.RevokeDevice(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if d.Paired && s.Hub != nil {
		_ = s.Hub.Publish(c.UserContext(), d.CounterKey(), redisstore.KioskEvent{Type: redisstore.EventRevoked, Device: d.ID})
	}
	s.auditKiosk(c, "kiosk.revoke", d)
	return d, nil
}

// kioskDeviceList returns every tablet (never nil).
func (s *Server) kioskDeviceList(ctx context.Context) ([]survey.Device, error) {
	if s.Devices == nil {
		return nil, errNoDevices
	}
	list, err := s.Devices.Devices(ctx)
	if list == nil {
		list = []survey.Device{}
	}
	return list, err
}

// auditKiosk records an admin's action on tablet d. The action is done whatever happens here,
// so a failure is logged rather than answered.
func (s *Server) auditKiosk(c *fiber.Ctx, action string, d *survey.Device) {
	target := d.ID[:12]
	if d.Paired {
		target += " " + d.Name + " (" + d.Agency + "/" + d.Counter + ")"
	}
	if err := s.audit(c, action, target); err != nil {
		s.Log.Warn("audit kiosk action", "action", action, "err", err)
	}
}

// announce tells the kiosks at t's counter that t's dossier was just completed there, and keeps
// it as the counter's current dossier for kiosks that connect later. Failures are logged: the
// ticket is issued all the same.
func (s *Server) announce(ctx context.Context, t *survey.Ticket) {
	if s.Devices == nil || s.Hub == nil || t.Agency == "" || t.Counter == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	cur := survey.CurrentDossier{
		Counter: survey.CounterKey(t.Agency, t.Counter), Token: t.Token, DossierCode: t.DossierCode,
		ProcedureName: t.ProcedureName, Field: t.Field, IssuedAt: t.IssuedAt,
	}
	if err := s.Devices.SetCurrentDossier(ctx, cur); err != nil {
		s.Log.Warn("kiosk: keep current dossier", "err", err)
	}
	if err := s.Hub.Publish(ctx, cur.Counter, dossierEvent(&cur)); err != nil {
		s.Log.Warn("kiosk: publish dossier", "err", err)
	}
}

func dossierEvent(d *survey.CurrentDossier) redisstore.KioskEvent {
	return redisstore.KioskEvent{Type: redisstore.EventDossier, Token: d.Token, DossierCode: d.DossierCode,
		ProcedureName: d.ProcedureName, Field: d.Field, IssuedAt: d.IssuedAt}
}

// currentEvent returns the counter's current dossier as an event when it is recent, unrated
// and not the one last sent; nil otherwise.
func (s *Server) currentEvent(ctx context.Context, counter, lastSent string) *redisstore.KioskEvent {
	cur, err := s.Devices.CurrentDossier(ctx, counter)
	if err != nil {
		s.Log.Warn("kiosk: read current dossier", "err", err)
		return nil
	}
	if cur == nil || cur.Token == lastSent || s.Now().Sub(cur.IssuedAt) >= currentFor {
		return nil
	}
	if rated, err := s.Responses.Answered(ctx, cur.Token); err != nil || rated {
		return nil
	}
	ev := dossierEvent(cur)
	ev.SentAt = time.Now().UTC()
	return &ev
}

// kioskEvents handles GET /api/v1/kiosk/events: a Server-Sent Events stream of the dossiers
// completed at the tablet's counter, starting with the current one if it still awaits a rating.
func (s *Server) kioskEvents(c *fiber.Ctx) error {
	d, err := s.pairedDevice(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	events, unsubscribe := s.Hub.Subscribe(ctx, d.CounterKey()) // before reading the current dossier, so none falls between
	st := &kioskStream{s: s, device: d.ID, counter: d.CounterKey(), events: events,
		conn: c.Context().Conn(), shutdown: c.Context().Done()}
	first := s.currentEvent(c.UserContext(), st.counter, "")
	if err := s.Devices.TouchDevice(c.UserContext(), d.ID, s.Now()); err != nil {
		s.Log.Warn("kiosk: record last seen", "err", err)
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // let a proxy pass each event on at once
	// The compress middleware runs after this handler; without Accept-Encoding it leaves the
	// stream alone, so each event leaves as soon as it is written.
	c.Request().Header.Del(fiber.HeaderAcceptEncoding)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		defer unsubscribe()
		st.run(ctx, w, first)
	})
	return nil
}

// kioskStream is one tablet's open event stream.
type kioskStream struct {
	s               *Server
	device, counter string
	events          <-chan redisstore.KioskEvent
	conn            net.Conn
	shutdown        <-chan struct{}
	lastSent        string
	w               *bufio.Writer
	pings           int
}

// run writes events until the tablet goes away, is revoked, or the server shuts down.
func (st *kioskStream) run(ctx context.Context, w *bufio.Writer, first *redisstore.KioskEvent) {
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
func (st *kioskStream) handle(ev redisstore.KioskEvent) bool {
	switch {
	case ev.Type == redisstore.EventRevoked && ev.Device == st.device:
		st.send(ev)
		return false
	case ev.Type == redisstore.EventDossier && ev.Token != st.lastSent:
		return st.send(ev)
	}
	return true
}

// tick pings, ends the stream of a revoked tablet, and sends a current dossier whose push was
// lost; it reports whether the stream goes on.
func (st *kioskStream) tick(ctx context.Context) bool {
	st.pings++
	s := st.s
	d, err := s.Devices.Device(ctx, st.device)
	if err == nil && (d.Revoked || d.CounterKey() != st.counter) {
		st.send(redisstore.KioskEvent{Type: redisstore.EventRevoked, Device: st.device})
		return false
	}
	if st.pings%kioskTouchEvery == 0 {
		_ = s.Devices.TouchDevice(ctx, st.device, s.Now())
	}
	if ev := s.currentEvent(ctx, st.counter, st.lastSent); ev != nil {
		return st.send(*ev)
	}
	return st.write(": ping\n\n")
}

// send writes one event; dossiers are remembered so none is sent twice in a row.
func (st *kioskStream) send(ev redisstore.KioskEvent) bool {
	data, err := json.Marshal(ev)
	if err != nil {
		return false
	}
	if ev.Type == redisstore.EventDossier {
		st.lastSent = ev.Token
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
	Token          string         `json:"token"` // empty for a rating given without a dossier
	Answers        map[string]any `json:"answers"`
	Comment        any            `json:"comment"`
	IdempotencyKey string         `json:"idempotency_key"`
	RatedAt        *time.Time     `json:"rated_at"` // when the citizen rated, for ratings sent late
	Lang           string         `json:"lang"`
}

// kioskSubmit handles POST /api/v1/kiosk/responses: 201 stored, 200 when this very submission
// (same idempotency key) was stored before, 409 when the dossier already has another rating.
// Ratings given too soon after the tablet's last one, or without a dossier beyond the tablet's
// allowance, are stored flagged as misuse.
func (s *Server) kioskSubmit(c *fiber.Ctx) error {
	d, err := s.pairedDevice(c)
	if err != nil {
		return err
	}
	var req kioskRatingRequest
	if err := decodeJSON(c.Body(), &req); err != nil {
		return err
	}
	if !survey.ValidIdempotencyKey(req.IdempotencyKey) {
		return errIdempotencyKey
	}
	t, id, err := s.kioskTicket(c, d, req.Token, req.IdempotencyKey)
	if err != nil {
		return err
	}
	if stored, err := s.storedBefore(c, id, req.IdempotencyKey); stored || err != nil {
		return err
	}
	def, err := s.definition(kioskSurvey)
	if err != nil {
		return err
	}
	answers, errs := def.ParseJSON(req.Answers, req.Comment)
	if len(errs) > 0 {
		return errs
	}
	r, ratedAt := s.kioskResponse(c, d, t, def, answers, &req)
	err = s.Responses.SubmitResponse(c.UserContext(), r)
	if errors.Is(err, survey.ErrAlreadyRated) { // an earlier attempt of this submission may have just won
		if stored, err := s.storedBefore(c, id, req.IdempotencyKey); stored || err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if err := s.Devices.RecordRating(c.UserContext(), d.ID, ratedAt); err != nil {
		s.Log.Warn("kiosk: record rating time", "err", err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "stored", "submitted_at": r.SubmittedAt.Format(time.RFC3339)})
}

// kioskTicket returns the ticket a kiosk rates and the response ID: the ticket's token, or for
// a rating without a dossier (nil ticket) one made from the device and idempotency key.
func (s *Server) kioskTicket(c *fiber.Ctx, d *survey.Device, token, key string) (*survey.Ticket, string, error) {
	if token == "" {
		return nil, survey.FreeRatingID(d.ID, key), nil
	}
	t, _, err := s.openTicket(c, token)
	if err != nil {
		return nil, "", err
	}
	if t.Agency != d.Agency || t.Counter != d.Counter {
		return nil, "", errKioskOtherCounter
	}
	return t, t.Token, nil
}

// storedBefore answers a submission whose response is already stored: 200 when it was stored
// from this idempotency key, ErrAlreadyRated when from anything else. It reports whether it
// answered.
func (s *Server) storedBefore(c *fiber.Ctx, id, key string) (bool, error) {
	nonce, found, err := s.Devices.ResponseNonce(c.UserContext(), id)
	switch {
	case err != nil:
		return false, err
	case !found:
		return false, nil
	case survey.IdempotencyKeyOf(nonce) != key:
		return false, survey.ErrAlreadyRated
	}
	return true, c.JSON(fiber.Map{"status": "already_stored"})
}

// kioskResponse builds the response and flags misuse; it returns when the citizen rated.
func (s *Server) kioskResponse(c *fiber.Ctx, d *survey.Device, t *survey.Ticket, def *survey.Definition, a survey.Answers, req *kioskRatingRequest) (*survey.Response, time.Time) {
	now := s.Now()
	rated := ratedAt(req.RatedAt, now)
	free := t == nil
	if free {
		t = &survey.Ticket{Token: survey.FreeRatingID(d.ID, req.IdempotencyKey), Agency: d.Agency, Counter: d.Counter}
	}
	l := req.Lang
	if l != "vi" && l != "en" {
		l = lang(c)
	}
	r := survey.NewResponse(t, def, a, survey.SourceKiosk, l, now)
	r.Nonce = survey.KioskNonce(req.IdempotencyKey)
	r.Misuse = s.kioskMisuse(c.UserContext(), d, free, rated)
	return r, rated
}

// ratedAt is when a queued rating was given by the tablet's clock, trusted only within the
// last week and never after now; the server's clock otherwise.
func ratedAt(claimed *time.Time, now time.Time) time.Time {
	if claimed == nil || claimed.After(now) || now.Sub(*claimed) > maxRatedAtAge {
		return now
	}
	return *claimed
}

// kioskMisuse reports whether a rating given at rated looks like gaming: within the cool-down
// of the tablet's previous rating, or one rating without a dossier too many.
func (s *Server) kioskMisuse(ctx context.Context, d *survey.Device, free bool, rated time.Time) bool {
	misuse := !d.LastRatingAt.IsZero() && rated.Sub(d.LastRatingAt).Abs() < kioskCoolDown
	if free {
		ok, _ := s.Limiter.Allow(ctx, "kiosk-free:"+d.ID, kioskFreeLimit)
		misuse = misuse || !ok
	}
	return misuse
}

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

func (s *Server) kioskAdmin(ctx context.Context) (kioskAdmin, error) {
	if s.Devices == nil {
		return kioskAdmin{}, nil
	}
	list, err := s.kioskDeviceList(ctx)
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
		case !s.Now().Before(d.PairingExpiresAt):
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

// adminPairKiosk handles POST /admin/kiosks/pair.
func (s *Server) adminPairKiosk(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	p := survey.Pairing{Code: get("code"), Agency: get("agency"), Counter: get("counter"), Name: get("name")}
	if _, err := s.pairKiosk(c, p); err != nil {
		return s.adminFail(c, oneError(err))
	}
	return c.Redirect("/admin?done=kiosks#kiosks", fiber.StatusSeeOther)
}

// adminRevokeKiosk handles POST /admin/kiosks/revoke.
func (s *Server) adminRevokeKiosk(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	if _, err := s.revokeKiosk(c, get("id")); err != nil {
		return s.adminFail(c, err)
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
	return survey.Errorf(survey.CodeInvalid, strings.Join(vi, " "), strings.Join(en, " "))
}
