package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
		var got []string
		for _, m := range keyExpr.FindAllStringSubmatch(def, -1) {
			got = append(got, strings.ReplaceAll(m[1], "''", "'"))
		}
		if !slices.Equal(got, want) {
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
// FerretDB indexes its collections gets a GIN twin within a pass, and FerretDB's equality
// filter on it is then an index search, not a scan.
func TestTwinsServeFerretDBsEqualityFilter(t *testing.T) {
	url := os.Getenv("HAILONG_TEST_POSTGRESQL")
	if url == "" {
		t.Skip("HAILONG_TEST_POSTGRESQL is not set (test.sh sets it)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("twins_%d", time.Now().UnixNano())
	t.Cleanup(func() { _, _ = conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	for _, q := range []string{
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + schema + `.tickets_1 (_jsonb jsonb)`,
		`CREATE UNIQUE INDEX tickets_1__id_ ON ` + schema + `.tickets_1 (((_jsonb -> '_id')))`,
		`INSERT INTO ` + schema + `.tickets_1 SELECT jsonb_build_object('_id', 't' || i) FROM generate_series(1, 20000) i`,
		`ANALYZE ` + schema + `.tickets_1`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		twinIndexes(ctx, url, 50*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { cancel(); <-done }()
	plan := ""
	for range 100 {
		var lines []string
		rows, err := conn.Query(ctx, `EXPLAIN SELECT _jsonb FROM `+schema+`.tickets_1 WHERE _jsonb->'_id' @> '"t123"'`)
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
		plan = strings.Join(lines, "\n")
		if strings.Contains(plan, "hl_gin_") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the equality filter does not use a twin after 5 s:\n%s", plan)
}
