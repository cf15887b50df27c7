package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	neturl "net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestKeysOfFerretDBIndexDefinitions(t *testing.T) {
	for def, want := range map[string][]string{
		`CREATE UNIQUE INDEX a ON s.t USING btree (((_jsonb -> '_id'::text)))`:                                {"_id"},
		`CREATE INDEX b ON s.t USING btree (((_jsonb -> 'status'::text)), ((_jsonb -> 'due_at'::text)) DESC)`: {"status", "due_at"},
		`CREATE INDEX c ON s.t USING btree (((_jsonb -> 'it''s'::text)))`:                                     {"it's"},
		`CREATE INDEX d ON s.t USING btree (_jsonb)`:                                                          nil,
	} {
		if got := indexKeys(def); !slices.Equal(got, want) {
			t.Errorf("%s: keys %q, want %q", def, got, want)
		}
	}
}

func TestCustomPlansUnlessTheURLSaysOtherwise(t *testing.T) {
	got, err := customPlans("postgres://postgres@127.0.0.1:5432/db?sslmode=disable")
	if err != nil || !strings.Contains(got, "plan_cache_mode=force_custom_plan") || !strings.Contains(got, "sslmode=disable") {
		t.Errorf("got %q, %v", got, err)
	}
	got, err = customPlans("postgres://127.0.0.1/db?plan_cache_mode=auto")
	if err != nil || strings.Contains(got, "force_custom_plan") {
		t.Errorf("an explicit plan_cache_mode was replaced: %q, %v", got, err)
	}
}

// On the PostgreSQL of the test command (HAILONG_TEST_POSTGRESQL), a table indexed the way
// FerretDB indexes its collections gets a GIN twin, even when the first passes find the table
// locked, and FerretDB's equality filter, a prepared statement naming the field as a
// parameter, is then an index search on every run, not a scan once PostgreSQL would settle on
// a generic plan (after five runs).
func TestTwinsServeFerretDBsEqualityFilter(t *testing.T) {
	url := os.Getenv("HAILONG_TEST_POSTGRESQL")
	if url == "" {
		t.Skip("HAILONG_TEST_POSTGRESQL is not set (test.sh sets it)")
	}
	ctx := context.Background()
	url = ownDatabase(t, url)
	storeURL, err := customPlans(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, storeURL) // as FerretDB connects
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := "hailong"
	table := schema + ".tickets_1"
	for _, q := range []string{
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + table + ` (_jsonb jsonb)`,
		`CREATE UNIQUE INDEX tickets_1__id_ ON ` + table + ` (((_jsonb -> '_id')))`,
		`INSERT INTO ` + table + ` SELECT jsonb_build_object('_id', 't' || i) FROM generate_series(1, 20000) i`,
		`ANALYZE ` + table,
		`PREPARE find_by (text, jsonb) AS SELECT _jsonb FROM ` + table + ` WHERE _jsonb->$1 @> $2`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Another session holds the table: the first passes give up on it (lock timeout).
	locker, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+table+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		twinIndexes(pctx, url, 50*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(600 * time.Millisecond)
	twins := func() (n int) {
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'hl_gin_%'`, schema).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := twins(); n != 0 {
		t.Fatalf("%d twins made while the table was locked", n)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; twins() == 0; i++ {
		if i == 100 {
			t.Fatal("no twin 5 s after the table was free")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for run := range 8 {
		var lines []string
		rows, err := conn.Query(ctx, `EXPLAIN EXECUTE find_by('_id', '"t123"')`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		if plan := strings.Join(lines, "\n"); !strings.Contains(plan, "hl_gin_") {
			t.Fatalf("run %d of the equality filter does not use the twin:\n%s", run+1, plan)
		}
	}
}

// ownDatabase creates a database of the test's own on the server of url and returns its URL:
// the store of the test command runs its own twin loop on url's database, and would index the
// test's table before the test locks it.
func ownDatabase(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("hailong_twins_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		_ = admin.Close(context.Background())
	})
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
