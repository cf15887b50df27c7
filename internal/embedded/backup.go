package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
)

// The store keeps each database in one SQLite file, db/<name>.sqlite, in WAL mode. A backup is
// that file copied by SQLite's VACUUM INTO: one read transaction, so a consistent snapshot taken
// while the server goes on writing, and a plain SQLite file a restore can check before using it.

// DatabaseFile is the SQLite file holding database name in dataDir.
func DatabaseFile(dataDir, name string) string {
	return filepath.Join(dataDir, "db", name+".sqlite")
}

// Backup writes a consistent copy of database name to out (mode 0600), whether or not a server
// is running on dataDir. It refuses to overwrite out.
func Backup(ctx context.Context, dataDir, name, out string) error {
	src := DatabaseFile(dataDir, name)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("embedded: backup: no database %q in %s: %w", name, dataDir, err)
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("embedded: backup: %s already exists", out)
	}
	// VACUUM INTO accepts an empty file: creating it first gives it mode 0600 and keeps a
	// half-written copy under a name nobody mistakes for the backup.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.partial")
	if err != nil {
		return fmt.Errorf("embedded: backup: %w", err)
	}
	_ = tmp.Close()
	defer os.Remove(tmp.Name())
	if err := vacuumInto(ctx, src, tmp.Name()); err != nil {
		return err
	}
	if err := syncFile(tmp.Name()); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), out); err != nil { // unlike a rename, never replaces out
		return fmt.Errorf("embedded: backup: %w", err)
	}
	return syncDir(filepath.Dir(out))
}

func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := openSQLite(src)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("embedded: backup %s: %w", filepath.Base(src), err)
	}
	return nil
}

// ErrNotEmpty means a restore found the database already in the data directory.
var ErrNotEmpty = errors.New("embedded: the data directory already holds this database")

// Restore puts the backup from in place as database name in dataDir. It holds the directory's
// lock throughout, so it fails with ErrLocked while a server runs there, and it refuses with
// ErrNotEmpty to replace a database that exists: move the data directory aside first.
func Restore(ctx context.Context, dataDir, name, from string) error {
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("embedded: restore: %w", err)
	}
	dbDir := filepath.Join(dataDir, "db")
	if err := privateDirs(dbDir); err != nil {
		return err
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	dst := DatabaseFile(dataDir, name)
	for _, f := range []string{dst, dst + "-wal"} {
		if _, err := os.Lstat(f); err == nil {
			return fmt.Errorf("%w: %s", ErrNotEmpty, f)
		}
	}
	_ = os.Remove(dst + "-shm") // an index of a WAL that is gone; SQLite rebuilds it
	tmp := dst + ".restoring"
	_ = os.Remove(tmp) // left by a restore that failed
	err = copyFile(from, tmp)
	if err == nil {
		err = checkBackup(ctx, from, tmp) // the copy, so the backup itself is never touched
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("embedded: restore: %w", err)
	}
	return syncDir(dbDir)
}

// checkBackup makes sure the copy of backup from is an intact SQLite file holding a store database.
func checkBackup(ctx context.Context, from, copy string) error {
	db, err := openSQLite(copy)
	if err != nil {
		return err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("embedded: restore: %s is not an intact backup (%v%s)", from, err, check)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&n)
	if err != nil || n == 0 {
		return fmt.Errorf("embedded: restore: %s is not a backup of the store (%v)", from, err)
	}
	return nil
}

// openSQLite opens the SQLite file at path through the driver the store itself runs on.
func openSQLite(path string) (*sql.DB, error) {
	u := &url.URL{Scheme: "file", Opaque: path, RawQuery: "_pragma=busy_timeout(10000)"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", filepath.Base(path), err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("embedded: restore: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("embedded: restore: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("embedded: restore: copy %s: %w", from, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("embedded: backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("embedded: backup: sync: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // best effort: not every file system syncs directories
	return nil
}
