package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
)

// rollupCmd handles `hailong rollup verify|rebuild`.
func rollupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) != 1 || (args[0] != "verify" && args[0] != "rebuild") {
		return fmt.Errorf("usage: hailong rollup verify|rebuild")
	}
	db, done, err := cliStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer done()
	store := mongodb.NewRollupStore(db)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w := rollup.NewWorker(store, &cases.Service{Store: mongodb.NewCaseStore(db), Log: log, Now: time.Now}, log)
	r := rollup.NewRecounter(w, store)
	if args[0] == "rebuild" {
		n, err := r.Rebuild(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "rollups rebuilt from a full recount: %d buckets\n", n)
		return err
	}
	diffs, err := r.Verify(ctx)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		if d.Month {
			fmt.Fprintf(stdout, "DIFF month sum %s counter %s: month sum %d, its day buckets %d\n", d.Key, d.Counter, d.Rollup, d.Recounted)
			continue
		}
		fmt.Fprintf(stdout, "DIFF bucket %s counter %s: rollup %d, recount %d\n", d.Key, d.Counter, d.Rollup, d.Recounted)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("rollups differ from a full recount in %d counters; run `hailong rollup rebuild` with the servers stopped", len(diffs))
	}
	_, err = fmt.Fprintln(stdout, "rollups equal a full recount, and the month sums their day buckets")
	return err
}
