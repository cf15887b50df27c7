package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/serverproc"
	"github.com/hailong/hailong/internal/stats"
)

// statsCalls is how many times each stats query is timed, for each of statsGroupings.
const statsCalls = 100

var statsGroupings = []string{stats.ByField, stats.ByAgency, stats.ByMonth}

// statsScale loads n synthetic responses with the server stopped, then times stats queries.
func (b *bench) statsScale(ctx context.Context, n int) error {
	dir, load, err := b.statsData(ctx, n)
	if b.opt.statsData == "" && !b.opt.keep {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return err
	}
	srv, err := b.startServer(ctx, dir)
	if err != nil {
		return err
	}
	defer srv.Stop()
	api := &apiClient{bases: []string{srv.URL()}, key: load.key, http: b.client}
	b.logf("stats %d: server started; waiting for /readyz and complete stats", n)
	st, err := waitStarted(ctx, api, srv, int64(n))
	if err != nil {
		return err
	}
	rssStart := memOf(srv.Pid(), "VmRSS")
	during := timeGroupings(ctx, api) // while the day buckets load in the background
	if err := check(ctx, srv); err != nil {
		return err
	}
	rssQueries := memOf(srv.Pid(), "VmRSS")
	days, daysErr := waitDaysLoaded(ctx, api, srv)
	rssDays := memOf(srv.Pid(), "VmRSS")
	var after map[string]latencies
	if daysErr == nil {
		after = timeGroupings(ctx, api)
	}
	rssEnd, rssPeak := memOf(srv.Pid(), "VmRSS"), memOf(srv.Pid(), "VmHWM")
	b.section(fmt.Sprintf("Stats query: %d responses over 2025, %d day buckets", n, load.buckets))
	b.printf("load (server stopped): %s\n", load)
	b.printf("server start: /healthz after %s, /readyz after %s, a year's stats complete after %s\n",
		ms(srv.Startup()), ms(st.ready), ms(st.complete))
	if daysErr != nil {
		b.printf("day buckets: %v\n", daysErr)
	} else {
		b.printf("every day bucket in memory (periods that are not whole months) after %s\n", ms(days))
	}
	b.printf("server RSS (VmRSS): %s when stats complete, %s after the first queries, %s once every day bucket is in memory, %s after the last queries; at most %s (VmHWM)\n",
		rssStart, rssQueries, rssDays, rssEnd, rssPeak)
	b.printf("year queries while the day buckets load:\n")
	printGroupings(b, during)
	if after != nil {
		b.printf("year queries with every day bucket in memory:\n")
		printGroupings(b, after)
	}
	return nil
}

// timeGroupings times the year query for each of statsGroupings.
func timeGroupings(ctx context.Context, api *apiClient) map[string]latencies {
	timed := map[string]latencies{}
	for _, by := range statsGroupings {
		timed[by] = timeStats(ctx, api, by)
	}
	return timed
}

func printGroupings(b *bench, timed map[string]latencies) {
	for _, by := range statsGroupings {
		b.printf("  GET /api/v1/stats?from=2025-01-01&to=2025-12-31&group_by=%-6s  %s (%d of %d calls answered)\n", by, timed[by].summary(), len(timed[by]), statsCalls)
	}
}

// startTimes are how long after exec the server was ready and its stats complete.
type startTimes struct{ ready, complete time.Duration }

// waitStarted waits until /readyz answers 200 and a year's stats count all n responses.
func waitStarted(ctx context.Context, api *apiClient, srv *serverproc.Server, n int64) (startTimes, error) {
	var st startTimes
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		if st.ready == 0 && api.ready(ctx) {
			st.ready = time.Since(srv.Started())
		}
		if st.complete == 0 {
			if got, err := api.stats(ctx, stats.ByField); err == nil && got == n {
				st.complete = time.Since(srv.Started())
			}
		}
		if st.ready > 0 && st.complete > 0 {
			return st, nil
		}
		if err := check(ctx, srv); err != nil {
			return st, err
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return st, err
		}
	}
	return st, fmt.Errorf("bench: the server was not ready with stats of %d responses within 10 minutes", n)
}

// waitDaysLoaded waits until the server reports every day bucket in memory, and returns how
// long after exec that was.
func waitDaysLoaded(ctx context.Context, api *apiClient, srv *serverproc.Server) (time.Duration, error) {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		loaded, known := api.daysLoaded(ctx)
		if !known {
			return 0, errors.New("the server does not report hailong_rollup_days_loaded")
		}
		if loaded {
			return time.Since(srv.Started()), nil
		}
		if err := check(ctx, srv); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("not all in memory within 10 minutes")
}

// memOf reads a memory figure of process pid from /proc (Linux): field VmRSS is its resident
// memory now, VmHWM the most it has held. It says "unknown" when it could not.
func memOf(pid int, field string) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if pid == 0 || err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return fmt.Sprintf("%d MB", kb/1024)
			}
		}
	}
	return "unknown"
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

// statsData returns the data directory of scale n, loaded with the server stopped: a fresh one
// under the bench's temporary directory, or with --stats-data one kept from an earlier run.
func (b *bench) statsData(ctx context.Context, n int) (string, loadResult, error) {
	if b.opt.statsData == "" {
		dir := filepath.Join(b.root, fmt.Sprintf("stats-%d", n))
		b.logf("stats %d: loading synthetic responses with the server stopped", n)
		load, err := b.loadSynthetic(ctx, dir, n)
		return dir, load, err
	}
	dir := filepath.Join(b.opt.statsData, fmt.Sprintf("stats-%d", n))
	record := filepath.Join(dir, "bench-load.json")
	if raw, err := os.ReadFile(record); err == nil {
		var kept keptLoad
		if err := json.Unmarshal(raw, &kept); err == nil && kept.Responses == n {
			b.logf("stats %d: reusing the data loaded in %s", n, dir)
			return dir, loadResult{responses: n, buckets: kept.Buckets, key: kept.Key, reused: true}, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", loadResult{}, fmt.Errorf("bench: --stats-data: %w", err)
	}
	b.logf("stats %d: loading synthetic responses with the server stopped, kept in %s", n, dir)
	load, err := b.loadSynthetic(ctx, dir, n)
	if err != nil {
		return "", loadResult{}, err
	}
	raw, _ := json.Marshal(keptLoad{Responses: n, Buckets: load.buckets, Key: load.key})
	if err := os.WriteFile(record, raw, 0o600); err != nil {
		return "", loadResult{}, fmt.Errorf("bench: --stats-data: %w", err)
	}
	return dir, load, nil
}

// keptLoad records what a kept stats data directory holds.
type keptLoad struct {
	Responses int    `json:"responses"`
	Buckets   int    `json:"buckets"`
	Key       string `json:"key"`
}
