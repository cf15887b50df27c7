// Package app wires Hài Lòng together once: the stores, the feature services, the background
// work and the HTTP handler. serve, demo, the benchmark and the tests all build a server here.
package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/alerts"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/mail"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
	"github.com/hailong/hailong/internal/web"
	"github.com/hailong/hailong/internal/web/esystem"
	"github.com/hailong/hailong/internal/webhook"
	"github.com/hailong/hailong/surveys"
)

// Options are what differ between a server, the demo and a test.
type Options struct {
	Config *config.Config
	Log    *slog.Logger
	DB     *mongodb.DB
	// Redis shares rate limits and kiosk pushes between instances; nil keeps both in process.
	Redis *redis.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// App is one Hài Lòng server: its HTTP handler and the parts tests and commands reach into.
type App struct {
	HTTP      *fiber.App
	DB        *mongodb.DB
	Responses *mongodb.ResponseStore
	Rollups   *rollup.Worker
	View      *rollup.View
	Cases     *cases.Service
	Hub       *redisstore.Hub
	Tree      *org.Tree
	Metrics   *web.Metrics
	Outbox    *outbox.Outbox
	Webhooks  *webhook.Service
	Alerts    *alerts.Watch

	log         *slog.Logger
	sessions    *mongodb.SessionStore
	deadlines   *cases.Deadlines
	devices     *mongodb.DeviceStore
	issuer      *ticket.Issuer
	outboxStore *mongodb.OutboxStore
	journal     *mongodb.Journal
	identity    *org.Identities // the centre's name signs its e-mails
	now         func() time.Time
	retention   time.Duration // HAILONG_RESPONSE_RETENTION
	caseStore   *mongodb.CaseStore
	rollupStore *mongodb.RollupStore
	tickets     *mongodb.TicketStore
	counterDays *mongodb.CounterDayStore
	seal        *cases.Sealer // its Digest stands in for dossier codes past the retention
	reducedTo   time.Time     // the cutoff the responses, tickets and day lists were last reduced to
	closeOnce   sync.Once
}

// New builds a server on an open store. Nothing runs in the background until Start.
func New(ctx context.Context, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	db, cfg, log := o.DB, o.Config, o.Log
	catalog, err := survey.LoadCatalog(surveys.FS)
	if err != nil {
		return nil, err
	}
	if err := db.EnsureSchema(ctx); err != nil {
		return nil, err
	}
	salt, err := ipSalt(ctx, cfg, db)
	if err != nil {
		return nil, err
	}
	seal, err := sealer(cfg)
	if err != nil {
		return nil, err
	}
	a := &App{DB: db, Metrics: web.NewMetrics(), Hub: redisstore.NewHub(o.Redis, cfg.RedisPrefix, log), log: log,
		devices: mongodb.NewDeviceStore(db), now: o.Now, retention: cfg.ResponseRetention}
	a.journal = mongodb.NewJournal(db, log)
	a.Responses = mongodb.NewResponseStore(db, a.journal, log)
	a.Responses.Batches = func(n int) { a.Metrics.BatchSize.Observe(float64(n)) }
	limiter := redisstore.NewLimiter(o.Redis, cfg.RedisPrefix, log)
	limiter.OnRedisError = a.Metrics.RedisErrors.Inc
	directory, err := a.organisation(ctx, log)
	if err != nil {
		return nil, err
	}
	audit := mongodb.NewAuditStore(db)
	users := mongodb.NewUserStore(db)
	invite, err := a.notifications(cfg, seal, users, log)
	if err != nil {
		return nil, err
	}
	announce := &alerts.Cases{Outbox: a.Outbox, Labels: directory, BaseURL: cfg.BaseURL}
	caseStore := mongodb.NewCaseStore(db)
	a.caseStore = caseStore
	caseStore.Announce = announce.CaseChanged
	a.Cases = &cases.Service{Store: caseStore, Log: log, Now: o.Now,
		Contacts: mongodb.NewContactStore(db), Sealer: seal, Responses: a.Responses, Audit: audit, Announce: announce}
	leases := mongodb.NewLeaseStore(db)
	a.deadlines = cases.NewDeadlines(a.Cases, leases, a.parentUnit, log)
	rollups := mongodb.NewRollupStore(db)
	a.rollupStore = rollups
	a.Rollups = rollup.NewWorker(rollups, a.Cases, log)
	a.Rollups.Created = &alerts.Responses{Outbox: a.Outbox, Responses: a.Responses, Subscribers: a.Webhooks, Labels: directory}
	a.View = rollup.NewView(rollups)
	figures := viewFigures{view: a.View, dir: directory}
	a.Alerts = alerts.NewWatch(a.Outbox, figures, mongodb.NewAlertStateStore(db), leases,
		&alerts.Digests{Outbox: a.Outbox, Figures: figures, Cases: caseStore, Labels: directory}, o.Now)
	if invite != nil {
		invite.Labels = directory
	}
	a.Metrics.WatchJournal(a.Rollups.Pending)
	a.Metrics.WatchRollupDays(a.View.DaysLoaded)
	a.sessions = mongodb.NewSessionStore(db, o.Now)
	refs, err := kioskRefs(ctx, db)
	if err != nil {
		return nil, err
	}
	kioskService := &kiosk.Service{Devices: a.devices, Hub: a.Hub, Responses: a.Responses,
		Limiter: limiter, Settings: a.devices, Refs: refs, Log: log, Now: o.Now}
	days := mongodb.NewCounterDayStore(db)
	a.counterDays = days
	tickets := mongodb.NewTicketStore(db, 100_000, a.journal)
	a.issuer = ticket.NewIssuerWriters(db.Writers(), tickets, directory.Fields, cfg.TicketTTL, o.Now,
		kioskService, ticket.DayList{Store: days, Log: log}, directory.Procedures)
	a.tickets, a.seal = tickets, seal
	a.HTTP, err = web.New(web.Deps{
		Config: cfg, Log: log, Now: o.Now, Metrics: a.Metrics, Ready: readiness(db, a.View),
		Access: web.Access{Users: users, SignInFailures: users, Sessions: a.sessions, Audit: audit,
			APIKeys: mongodb.NewAPIKeyStore(db), Limiter: limiter, IPSalt: salt},
		Tickets: tickets, CounterDays: days, Responses: a.Responses, Surveys: catalog,
		Issuer: a.issuer,
		QR:     qr.NewGenerator(4096), Kiosk: kioskService,
		Org: directory, OrgEdits: web.OrgEdits{Units: mongodb.NewUnitStore(db), Fields: mongodb.NewFieldStore(db)},
		Rollups: a.View, Cases: a.Cases, Drafts: mongodb.NewDraftStore(db), Webhooks: a.Webhooks, Outbox: a.Outbox, Invite: inviter(invite),
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// notifications builds the outbox with its receivers: the webhook endpoints always, the
// mailboxes when e-mail is configured (then it also returns what mails survey invitations).
func (a *App) notifications(cfg *config.Config, seal *cases.Sealer, users *mongodb.UserStore, log *slog.Logger) (*alerts.Invitations, error) {
	a.Webhooks = &webhook.Service{Store: mongodb.NewWebhookStore(a.DB), Sealer: seal, Now: a.now,
		Client: webhook.NewClient(cfg.WebhookAllowPrivate, "HaiLong-Webhooks/1")}
	routers := []outbox.Router{a.Webhooks}
	senders := map[string]outbox.Sender{outbox.KindWebhook: a.Webhooks}
	var invite *alerts.Invitations
	if cfg.SMTPURL != "" {
		m, err := mail.New(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return nil, err
		}
		m.Users, m.Opener, m.BaseURL = users, seal, cfg.BaseURL
		m.Scope = func(own, agency string) bool { return own == "" || a.Tree.Subtree(own)[agency] }
		m.Sign = func(ctx context.Context) string { return a.identity.Get(ctx).Name }
		routers, senders[outbox.KindMail] = append(routers, m), m
		invite = &alerts.Invitations{Sealer: seal, Label: mail.AddressLabel}
	}
	a.outboxStore = mongodb.NewOutboxStore(a.DB)
	a.Outbox = outbox.New(a.outboxStore, routers, senders, log, a.now)
	if invite != nil {
		invite.Outbox = a.Outbox
	}
	return invite, nil
}

// inviter is invite as the web layer's interface: nil (e-mail off) stays nil.
func inviter(invite *alerts.Invitations) esystem.Inviter {
	if invite == nil {
		return nil
	}
	return invite
}

// viewFigures answers the alerts' stats queries from the in-memory rollups, labelled in Vietnamese.
type viewFigures struct {
	view *rollup.View
	dir  *org.Directory
}

func (f viewFigures) Aggregate(ctx context.Context, q stats.Query) (stats.Result, error) {
	return stats.Aggregate(func(fn func(*stats.Bucket)) { f.view.Buckets(q.Period, fn) }, q, f.dir.Meta(ctx, "vi"))
}

// organisation loads the hierarchy, the field catalogue and the targets.
func (a *App) organisation(ctx context.Context, log *slog.Logger) (*org.Directory, error) {
	fields, err := org.NewFieldCatalog(ctx, mongodb.NewFieldStore(a.DB))
	if err != nil {
		return nil, err
	}
	if a.Tree, err = org.NewTree(ctx, mongodb.NewUnitStore(a.DB)); err != nil {
		return nil, err
	}
	targets := org.NewTargets(mongodb.NewTargetStore(a.DB), stats.DefaultTargets(), log)
	a.identity = org.NewIdentities(mongodb.NewIdentityStore(a.DB), log)
	procedures := org.NewProcedures(mongodb.NewProcedureStore(a.DB), log)
	return &org.Directory{Tree: a.Tree, Fields: fields, Targets: targets, Identity: a.identity, Procedures: procedures}, nil
}

// parentUnit is the unit above agency, where its overdue cases escalate ("" at the top).
func (a *App) parentUnit(agency string) string {
	u, _ := a.Tree.Unit(agency)
	return u.Parent
}

// ipSalt is the salt of client IP hashes: HAILONG_IP_SALT, or one made once and kept in the store.
func ipSalt(ctx context.Context, cfg *config.Config, db *mongodb.DB) (string, error) {
	if cfg.IPHashSalt != "" {
		return cfg.IPHashSalt, nil
	}
	return db.Secret(ctx, "ip_salt")
}

// kioskRefs seals the dossier references pushed to tablets with a key made once and kept in
// the store, so every instance opens what another sealed.
func kioskRefs(ctx context.Context, db *mongodb.DB) (*kiosk.Refs, error) {
	key, err := db.Secret(ctx, "kiosk_ref_key")
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(key)
	if err != nil {
		return nil, fmt.Errorf("app: kiosk reference key: %w", err)
	}
	return kiosk.NewRefs(raw)
}

// readiness is ready when the store answers and the rollups' month sums are in memory, so
// figures over whole months are exact (other periods wait for the day buckets, which load
// after). Redis being down degrades rate limiting to in-process but loses nothing, so it does
// not fail readiness.
func readiness(db *mongodb.DB, view *rollup.View) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return errors.New("store unreachable")
		}
		if !view.Loaded() {
			return errors.New("rollup figures still loading")
		}
		return nil
	}
}

// outboxKeep is how long delivered events and their log are kept.
const outboxKeep = 30 * 24 * time.Hour

// confirmationKeep is how long a journal confirmation stored on its own is kept. The rollups
// consume it within seconds; one older was left behind by an earlier version (see
// rollup.Confirmation.Single), or belongs to an entry the rollups will by then check against
// the stored documents anyway.
const confirmationKeep = 24 * time.Hour

// rollupInterval is how often the rollup worker looks for new journal entries. Each step
// rewrites every bucket its batch touches, whatever the number of responses behind it: stepping
// every 2 s rather than every 0.5 s under load took a quarter of the bucket writes off the
// embedded store's single writer. Dashboards lag by at most that.
const rollupInterval = 2 * time.Second

// Start runs the background work until ctx ends: rolling up the journal, refreshing the
// in-memory view of the rollups and the hierarchy, the cases' deadlines, and purging ended
// sessions, kiosk tablets that were never paired and contacts past their keeping time, and
// reducing responses past the retention to what the rollups count.
func (a *App) Start(ctx context.Context) {
	go a.Rollups.Run(ctx, rollupInterval)
	go refreshEvery(ctx, time.Second, a.View.Refresh, a.log)
	go refreshEvery(ctx, time.Second, a.loadDays, a.log)
	go a.Tree.RefreshEvery(ctx, 10*time.Second)
	go a.deadlines.Run(ctx, 30*time.Second)
	go a.Outbox.Run(ctx, 2*time.Second)
	go refreshEvery(ctx, 30*time.Second, func(ctx context.Context) error { _, err := a.Alerts.Step(ctx); return err }, a.log)
	go refreshEvery(ctx, time.Hour, func(ctx context.Context) error {
		if _, err := a.outboxStore.PurgeClaims(ctx, a.now().Add(-48*time.Hour)); err != nil {
			return err
		}
		_, err := a.outboxStore.PurgeBefore(ctx, a.now().Add(-outboxKeep))
		return err
	}, a.log)
	go refreshEvery(ctx, time.Hour, func(ctx context.Context) error {
		_, err := a.journal.PurgeConfirmationsBefore(ctx, a.now().Add(-confirmationKeep))
		return err
	}, a.log)
	go refreshEvery(ctx, time.Hour, func(ctx context.Context) error { _, err := a.sessions.PurgeExpired(ctx); return err }, a.log)
	go refreshEvery(ctx, time.Hour, func(ctx context.Context) error { _, err := a.devices.PurgeUnpaired(ctx, a.now()); return err }, a.log)
	go refreshEvery(ctx, time.Hour, func(ctx context.Context) error { _, err := a.Cases.EraseContacts(ctx); return err }, a.log)
	go refreshEvery(ctx, time.Hour, a.applyRetention, a.log)
}

// loadDays loads the rollup day buckets into memory when they are not (after a start, or
// after the view fell behind), then hands the memory the store's reads left behind back to
// the system: reading every day bucket through the embedded store churns several times their
// size, which the runtime would otherwise keep as resident memory for minutes.
//
// While it reads, the collector runs at loadGCPercent (see loadingPace): by default it lets the
// heap grow to twice what was live at its last run, and with the buckets growing and the
// store's garbage piling up, that doubling is the server's peak memory.
func (a *App) loadDays(ctx context.Context) error {
	if !a.View.Loaded() || a.View.DaysLoaded() {
		return nil
	}
	defer loadingPace()()
	if err := a.View.LoadDays(ctx); err != nil {
		return err
	}
	debug.FreeOSMemory()
	return nil
}

// LoadFigures builds the rollups' month sums if the store has none yet and loads the figures
// into memory now, rather than in the background as Start does: for tests and one-off commands.
func (a *App) LoadFigures(ctx context.Context) error {
	if err := a.BuildMonthSums(ctx); err != nil {
		return err
	}
	if err := a.View.Refresh(ctx); err != nil {
		return err
	}
	return a.View.LoadDays(ctx)
}

// BuildMonthSums builds the rollups' month sums now if the store has none yet, waiting up to a
// minute for the rollup lease, which can be out of reach for a moment (the last seconds of a
// lease window, or another instance's window).
func (a *App) BuildMonthSums(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for err := a.Rollups.EnsureMonths(ctx); err != nil; err = a.Rollups.EnsureMonths(ctx) {
		if !errors.Is(err, rollup.ErrMonthsPending) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// applyRetention removes the personal data kept longer than the retention: the dossier code,
// comment and answers of responses, the comment and texts of settled cases, the dossier code
// of tickets (replaced by a digest), the counters' day lists and the days of the managers'
// latest comments. What the
// figures count stays.
func (a *App) applyRetention(ctx context.Context) error {
	day := stats.DateOf(a.now().Add(-a.retention))
	cutoff := day.Time() // whole days: the date-filtered scans below run once a day at most
	nc, cerr := a.caseStore.ReduceSettledBefore(ctx, cutoff)
	if nc > 0 {
		a.log.Info("cases settled before the retention reduced to their figures", "cases", nc)
	}
	var err, terr, lerr error
	if a.oldDataBefore(ctx, cutoff) {
		var n, nt, nl int64
		n, err = a.Responses.ReduceOlderThan(ctx, cutoff)
		if n > 0 {
			a.log.Info("responses past the retention reduced to their counts", "responses", n)
		}
		nt, terr = a.tickets.ReduceOlderThan(ctx, cutoff, a.seal.Digest)
		if nt > 0 {
			a.log.Info("dossier codes of tickets past the retention replaced by a digest", "tickets", nt)
		}
		nl, lerr = a.counterDays.DropCompletedBefore(ctx, cutoff)
		if nl > 0 {
			a.log.Info("counter day lists past the retention dropped", "documents", nl)
		}
		if err == nil && terr == nil && lerr == nil {
			a.reducedTo = cutoff
		}
	}
	nd, derr := a.rollupStore.DropCommentDaysBefore(ctx, day.String())
	a.View.ForgetCommentsBefore(day)
	if nd > 0 {
		a.log.Info("comment days past the retention dropped", "days", nd)
	}
	return errors.Join(err, cerr, terr, lerr, derr)
}

// oldDataBefore reports whether responses, tickets or day lists from before cutoff may still
// need reducing. Finding them filters by date, which the embedded store answers only by reading
// every document, so the scan is skipped when this instance already reduced to cutoff, or when
// the rollups count nothing before it (waiting up to a minute for their month sums at start).
func (a *App) oldDataBefore(ctx context.Context, cutoff time.Time) bool {
	if a.reducedTo.Equal(cutoff) {
		return false
	}
	for i := 0; i < 60 && !a.View.Loaded(); i++ {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Second):
		}
	}
	if since, ok := a.View.Since(); ok && !since.Time().After(cutoff) {
		return true
	} else if ok || a.View.Loaded() { // nothing counted before cutoff
		a.reducedTo = cutoff
		return false
	}
	return true
}

// Close flushes pending ticket and response batches and stops the kiosk hub; the caller closes
// the store.
func (a *App) Close() {
	a.closeOnce.Do(func() {
		if a.issuer != nil {
			a.issuer.Close()
		}
		a.Responses.Close()
		a.Hub.Close()
	})
}

// Serve serves HTTP on ln until ctx ends, then shuts down in order: stop accepting HTTP,
// flush pending response batches.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- a.HTTP.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.HTTP.ShutdownWithContext(sctx); err != nil {
		a.log.Warn("http shutdown", "err", err)
	}
	a.Close()
	return nil
}

// refreshEvery calls refresh every interval until ctx ends, logging failures.
func refreshEvery(ctx context.Context, interval time.Duration, refresh func(context.Context) error, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := refresh(ctx); err != nil && ctx.Err() == nil {
			log.Warn("refresh failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// EnsureAdmin creates the user admin with password when there is no user yet; without a
// password it logs how to create the first admin, so a newcomer is not left at a sign-in page.
func EnsureAdmin(ctx context.Context, db *mongodb.DB, password string, log *slog.Logger) error {
	users := mongodb.NewUserStore(db)
	if password == "" {
		n, err := users.CountUsers(ctx)
		if err == nil && n == 0 {
			log.Warn(fmt.Sprintf("no user exists yet, so nobody can sign in: restart with HAILONG_ADMIN_PASSWORD set "+
				"(at least %d characters) to create the user admin, or run "+
				"`hailong user create --name admin --role admin` (password on standard input)", account.MinPasswordLength))
		}
		return err
	}
	created, err := mongodb.EnsureAdmin(ctx, users, password)
	if err != nil {
		return fmt.Errorf("create the admin user from HAILONG_ADMIN_PASSWORD: %w", err)
	}
	if created {
		log.Info("created user admin from HAILONG_ADMIN_PASSWORD")
	}
	return nil
}

// OpenRedis connects to REDIS_URL when set. A Redis that is down at start is not fatal: rate
// limits fall back to the in-process limiter until it answers.
func OpenRedis(ctx context.Context, cfg *config.Config, log *slog.Logger) *redis.Client {
	if cfg.RedisURL == "" {
		return nil
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		log.Error("REDIS_URL is not valid; using the in-process limiter", "err", err)
		return nil
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = time.Second, 500*time.Millisecond, 500*time.Millisecond
	opt.MaxRetries = 0
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		log.Warn("redis is not reachable yet; using the in-process limiter until it is", "err", err)
	}
	return rdb
}
