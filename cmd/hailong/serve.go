package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/hailong/hailong/internal/app"
	"github.com/hailong/hailong/internal/config"
)

// serve runs the HTTP server until ctx ends, then shuts down in order: stop accepting HTTP,
// flush pending response batches, stop the background work, disconnect the store, close Redis.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	gcFloor := app.TuneGC(getenv)
	db, closeStore, err := app.OpenStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeStore()
	rdb := app.OpenRedis(ctx, cfg, log)
	if rdb != nil {
		defer rdb.Close()
	}
	a, err := app.New(ctx, app.Options{Config: cfg, Log: log, DB: db, Redis: rdb})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := app.EnsureAdmin(ctx, db, cfg.AdminPassword, log); err != nil {
		return err
	}
	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	a.Start(bg)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on HAILONG_ADDR=%s: %w", cfg.Addr, err)
	}
	log.Info("hailong listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "embedded_store", cfg.MongoURI == "", "redis", rdb != nil,
		"gc_heap_floor_mib", gcFloor>>20)
	err = a.Serve(ctx, ln)
	stopBackground()
	log.Info("stopped")
	return err
}
