package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hailong/hailong/internal/serverproc"
	"github.com/hailong/hailong/internal/stats"
)

// statsCalls is how many times each stats query is timed, for each of statsGroupings.
const statsCalls = 20

var statsGroupings = []string{stats.ByField, stats.ByAgency, stats.ByMonth}

// statsScale loads n synthetic responses with the server stopped, then times stats queries.
func (b *bench) statsScale(ctx context.Context, n int) error {
	dir := filepath.Join(b.root, fmt.Sprintf("stats-%d", n))
	b.logf("stats %d: loading synthetic responses with the server stopped", n)
	if !b.opt.keep {
		defer os.RemoveAll(dir)
	}
	load, err := b.loadSynthetic(ctx, dir, n)
	if err != nil {
		return err
	}
	srv, err := b.startServer(ctx, dir)
	if err != nil {
		return err
	}
	defer srv.Stop()
	api := &apiClient{bases: []string{srv.URL()}, key: load.key, http: b.client}
	b.logf("stats %d: loaded; timing queries", n)
	ready, timed, err := timeStatsQueries(ctx, api, srv, int64(n))
	if err != nil {
		return err
	}
	b.section(fmt.Sprintf("Stats query: %d responses over 2025, %d rollup buckets", n, load.buckets))
	b.printf("load (server stopped): %s\n", load)
	b.printf("server start: /healthz after %s; stats complete (all %d buckets in memory) after %s\n", ms(srv.Startup()), load.buckets, ms(ready))
	for _, by := range statsGroupings {
		b.printf("GET /api/v1/stats?from=2025-01-01&to=2025-12-31&group_by=%-6s  %s (%d of %d calls answered)\n", by, timed[by].summaryMax(), len(timed[by]), statsCalls)
	}
	return nil
}

// timeStatsQueries waits until the stats count all n responses, then times each grouping; it
// returns how long after exec the stats were complete.
func timeStatsQueries(ctx context.Context, api *apiClient, srv *serverproc.Server, n int64) (time.Duration, map[string]latencies, error) {
	ready, err := waitStatsComplete(ctx, api, srv, n)
	if err != nil {
		return 0, nil, err
	}
	timed := map[string]latencies{}
	for _, by := range statsGroupings {
		timed[by] = timeStats(ctx, api, by)
	}
	return ready, timed, check(ctx, srv)
}

// timeStats times statsCalls stats queries grouped by groupBy; failed calls are left out.
func timeStats(ctx context.Context, api *apiClient, groupBy string) latencies {
	var lat latencies
	for range statsCalls {
		start := time.Now()
		if _, err := api.stats(ctx, groupBy); err != nil {
			continue
		}
		lat = append(lat, time.Since(start))
	}
	return lat
}

// waitStatsComplete waits until the server's stats count all n responses, and returns how long
// after exec that was: the server loads every rollup bucket into memory at start.
func waitStatsComplete(ctx context.Context, api *apiClient, srv *serverproc.Server, n int64) (time.Duration, error) {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		if got, err := api.stats(ctx, stats.ByField); err == nil && got == n {
			return time.Since(srv.Started()), nil
		}
		if err := check(ctx, srv); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("bench: the server's stats did not reach %d responses within 10 minutes", n)
}
