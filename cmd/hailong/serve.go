package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web"
	"github.com/hailong/hailong/surveys"
)

// serve runs the HTTP server until ctx ends, then shuts down in order: stop accepting HTTP,
// flush pending response batches, disconnect the store, close Redis.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	catalog, err := survey.LoadCatalog(surveys.FS)
	if err != nil {
		return err
	}
	db, closeStore, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := db.EnsureSchema(ctx); err != nil {
		return err
	}
	rdb := openRedis(ctx, cfg, log)
	if rdb != nil {
		defer rdb.Close()
	}
	hub := redisstore.NewHub(rdb, log) // kiosk push: Redis pub/sub, in-process without REDIS_URL
	defer hub.Close()
	salt := cfg.IPHashSalt
	if salt == "" {
		if salt, err = db.Secret(ctx, "ip_salt"); err != nil {
			return err
		}
	}
	metrics := web.NewMetrics()
	journal := mongodb.NewJournal(db, log)
	responses := mongodb.NewResponseStore(db, journal, log)
	responses.Batches = func(n int) { metrics.BatchSize.Observe(float64(n)) }
	limiter := redisstore.NewLimiter(rdb, log)
	limiter.OnRedisError = metrics.RedisErrors.Inc
	defer responses.Close()
	fields, err := web.NewFieldCatalog(ctx, mongodb.NewFieldStore(db))
	if err != nil {
		return err
	}
	units := mongodb.NewUnitStore(db)
	org, err := web.NewOrg(ctx, units)
	if err != nil {
		return err
	}
	users := mongodb.NewUserStore(db)
	if err := ensureAdmin(ctx, users, cfg.AdminPassword, log); err != nil {
		return err
	}
	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	worker := mongodb.NewRollupWorker(db, log)
	view := mongodb.NewRollupView(worker)
	metrics.WatchJournal(worker.Pending)
	// Each rollup step rewrites every bucket its batch touches, whatever the number of responses
	// behind it: stepping every 2 s rather than every 0.5 s under load took a quarter of the
	// bucket writes off the store's single writer. Dashboards lag by at most that.
	go worker.Run(bg, rollupInterval)
	go refreshEvery(bg, time.Second, view.Refresh, log)
	go org.RefreshEvery(bg, 10*time.Second)
	sessions := mongodb.NewSessionStore(db, time.Now)
	go refreshEvery(bg, time.Hour, func(ctx context.Context) error { _, err := sessions.PurgeExpired(ctx); return err }, log)
	app, err := web.New(web.Deps{
		Config: cfg, Log: log, Surveys: catalog, IPSalt: salt,
		Tickets:   mongodb.NewTicketStore(db, 100_000, journal),
		Responses: responses, Fields: fields,
		APIKeys: mongodb.NewAPIKeyStore(db),
		QR:      qr.NewGenerator(4096),
		Limiter: limiter, Metrics: metrics,
		Ready: readiness(db, rdb),
		Org:   org, Rollups: view, Targets: stats.DefaultTargets(),
		Users: users, Sessions: sessions, Audit: mongodb.NewAuditStore(db),
		Units: units, FieldStore: mongodb.NewFieldStore(db), TargetStore: mongodb.NewTargetStore(db),
		Devices: mongodb.NewDeviceStore(db), Hub: hub, CounterDays: mongodb.NewCounterDayStore(db),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on HAILONG_ADDR=%s: %w", cfg.Addr, err)
	}
	log.Info("hailong listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "embedded_store", cfg.MongoURI == "", "redis", rdb != nil)
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	responses.Close()
	stopBackground()
	log.Info("stopped")
	return nil
}

// openRedis connects to REDIS_URL when set. A Redis that is down at start is not fatal: rate
// limits fall back to the in-process limiter until it answers.
func openRedis(ctx context.Context, cfg *config.Config, log *slog.Logger) *redis.Client {
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

// readiness is ready when the store answers. Redis being down degrades rate limiting to
// in-process but loses nothing, so it is reported without failing readiness.
func readiness(db *mongodb.DB, rdb *redis.Client) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return errors.New("store unreachable")
		}
		return nil
	}
}

// rollupInterval is how often the rollup worker looks for new journal entries.
const rollupInterval = 2 * time.Second

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

// ensureAdmin creates the user admin from HAILONG_ADMIN_PASSWORD when there is no user yet.
func ensureAdmin(ctx context.Context, users *mongodb.UserStore, password string, log *slog.Logger) error {
	if password == "" {
		return nil
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
