package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// FerretDB 1.24 on PostgreSQL keeps each collection in a table of one jsonb column and makes
// its indexes, _id's included, as btree indexes on expressions such as `_jsonb -> '_id'`. But
// it filters an equality (a look-up, update or delete by _id, or by any indexed field) as
// `_jsonb -> '_id' @> '"value"'`, a containment test no btree index can serve: every one of
// them scans the whole table (33 ms at 14,500 tickets on an idle machine, and growing with the
// table). A GIN index on the same expression serves that test (0.1 ms). twins gives each key of
// FerretDB's btree indexes such a twin, as anyone running FerretDB 1.x on PostgreSQL would;
// FerretDB's own indexes still enforce uniqueness. fastupdate is off because autovacuum may be:
// a pending list would then grow until an insert flushes it, and every look-up reads it first.

// keyExpr finds the top-level keys of an index definition as PostgreSQL prints it.
var keyExpr = regexp.MustCompile(`_jsonb -> '((?:[^']|'')+)'::text`)

// indexKeys returns the top-level keys of the index definition def.
func indexKeys(def string) []string {
	var keys []string
	for _, m := range keyExpr.FindAllStringSubmatch(def, -1) {
		keys = append(keys, strings.ReplaceAll(m[1], "''", "'"))
	}
	return keys
}

// twinName is the name of the GIN twin of table's key: short enough for PostgreSQL's 63
// characters and the same on every pass.
func twinName(table, key string) string {
	sum := sha256.Sum256([]byte(table + "\x00" + key))
	return "hl_gin_" + hex.EncodeToString(sum[:8])
}

// twinIndexes creates the missing GIN twins every interval until ctx ends: collections and
// their indexes are created on first use.
func twinIndexes(ctx context.Context, url string, interval time.Duration, log *slog.Logger) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		log.Error("add GIN indexes for FerretDB's equality filters", "err", err)
		return
	}
	// A CREATE INDEX waiting for a table's lock would hold up every write queued behind it:
	// give up quickly and try again on the next pass.
	cfg.RuntimeParams["lock_timeout"] = "200ms"
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		var err error // this pass's: each pass starts afresh
		if conn == nil {
			conn, err = pgx.ConnectConfig(ctx, cfg)
		}
		if err == nil {
			err = twinAll(ctx, conn)
		}
		switch {
		case err == nil || ctx.Err() != nil:
		case passing(err): // the next pass reads the catalogue anew, on the same connection
		default:
			log.Warn("add GIN indexes for FerretDB's equality filters; will retry", "err", err)
			if conn != nil {
				_ = conn.Close(ctx)
				conn = nil
			}
		}
		if conn != nil && conn.IsClosed() {
			conn = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// passing says err comes from a table dropped or locked meanwhile: the next pass sees it anew.
func passing(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "42P01", "3F000", "55P03", "40P01": // undefined table, undefined schema, lock not available, deadlock
		return true
	}
	return pe.Code == "XX000" && strings.HasPrefix(pe.Message, "could not open relation")
}

// twinAll creates the GIN twins that are missing, reading the catalogue once.
func twinAll(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `
		SELECT n.nspname, c.relname, a.amname, i.relname, pg_get_indexdef(i.oid)
		FROM pg_index x
		JOIN pg_class c ON c.oid = x.indrelid
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_am a ON a.oid = i.relam
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`)
	if err != nil {
		return err
	}
	type key struct{ schema, table, key string }
	have := map[string]bool{} // schema.index
	var want []key
	for rows.Next() {
		var schema, table, am, index, def string
		if err := rows.Scan(&schema, &table, &am, &index, &def); err != nil {
			return err
		}
		have[schema+"."+index] = true
		if am != "btree" {
			continue
		}
		for _, k := range indexKeys(def) {
			want = append(want, key{schema, table, k})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range want {
		name := twinName(k.table, k.key)
		if have[k.schema+"."+name] {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((_jsonb -> %s) jsonb_path_ops) WITH (fastupdate = off)`,
			pgx.Identifier{name}.Sanitize(), pgx.Identifier{k.schema, k.table}.Sanitize(), quoteLiteral(k.key))
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("index %s.%s by %s: %w", k.schema, k.table, k.key, err)
		}
		have[k.schema+"."+name] = true
	}
	return nil
}

// quoteLiteral quotes s as a PostgreSQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
