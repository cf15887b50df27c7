package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver the store itself runs on
)

// The store (FerretDB v1.24.2, SQLite backend) keeps each collection in a table whose documents
// sit in one JSON column, and makes its unique _id index on the expression
// `_ferretdb_sjson->"_id"`. Its look-ups, updates and deletes by _id filter on
// `_ferretdb_sjson->'$._id'`, which SQLite does not match to that index: every one of them
// scans the whole table. idExpr is the expression those statements use; an index on it turns
// each into an index search.
//
// Both expressions take the same value of every document, so a unique index on idExpr keeps
// _id unique as the store's own does: the store reports its violation as a duplicate key, as it
// reports its own. A new collection's table gets that unique index and loses the store's own
// (ferretIDIndexName), which nothing of the store's queries uses; every insert then writes one
// _id index, not two. Batches of 500 random keys into 200,000 documents went from 10,200 to
// 14,784 documents/s, ticket tokens from 20,015 to 22,127. A table indexed by an earlier version
// (its index not unique) keeps both: making the index unique would rebuild it on a table of any
// size, holding every write for that time.
const (
	idExpr            = `_ferretdb_sjson->'$._id'`
	idIndexName       = "%s_hl_id" // per table
	ferretIDIndexName = "%s__id_"  // the store's own, per table: the table's name, "_", then the index's "_id_"
)

// idIndexer gives every collection table of the store's database files the _id index its
// statements search (uniqueIDIndex).
type idIndexer struct {
	dir string
	log *slog.Logger
	mu  sync.Mutex
	dbs map[string]*sql.DB // by file path
}

func newIDIndexer(dir string, log *slog.Logger) *idIndexer {
	if log == nil {
		log = slog.Default()
	}
	return &idIndexer{dir: dir, log: log, dbs: map[string]*sql.DB{}}
}

// run indexes new tables every interval until ctx ends: collections are created on first use.
func (x *idIndexer) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := x.indexAll(ctx); err != nil && ctx.Err() == nil {
			x.log.Warn("index the store's collections by _id; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// indexAll creates the missing _id indexes and returns how many it created.
func (x *idIndexer) indexAll(ctx context.Context) (int, error) {
	files, err := filepath.Glob(filepath.Join(x.dir, "*.sqlite"))
	if err != nil {
		return 0, err
	}
	created := 0
	var errs []error
	for _, f := range files {
		n, err := x.indexFile(ctx, f)
		created += n
		errs = append(errs, err)
	}
	return created, errors.Join(errs...)
}

func (x *idIndexer) indexFile(ctx context.Context, path string) (int, error) {
	db, err := x.open(path)
	if err != nil {
		return 0, err
	}
	tables, err := missingIDIndexes(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("embedded: list tables of %s: %w", filepath.Base(path), err)
	}
	for _, t := range tables {
		if err := uniqueIDIndex(ctx, db, t); err != nil {
			return 0, fmt.Errorf("embedded: index %s by _id: %w", t, err)
		}
	}
	return len(tables), nil
}

// uniqueIDIndex gives table its unique index on idExpr in place of the store's own _id index,
// in one transaction.
func uniqueIDIndex(ctx context.Context, db *sql.DB, table string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range []string{
		fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %q ON %q (%s)`, fmt.Sprintf(idIndexName, table), table, idExpr),
		fmt.Sprintf(`DROP INDEX IF EXISTS %q`, fmt.Sprintf(ferretIDIndexName, table)),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// missingIDIndexes lists the collection tables of db that have no _id index of ours yet.
func missingIDIndexes(ctx context.Context, db *sql.DB) ([]string, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&n)
	if err != nil || n == 0 {
		return nil, err // a database file the store has not set up yet
	}
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = printf(?, c.table_name))`, idIndexName)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (x *idIndexer) open(path string) (*sql.DB, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if db, ok := x.dbs[path]; ok {
		return db, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", filepath.Base(path), err)
	}
	db.SetMaxOpenConns(1)
	x.dbs[path] = db
	return db, nil
}

func (x *idIndexer) close() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for p, db := range x.dbs {
		_ = db.Close()
		delete(x.dbs, p)
	}
}
