package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A backup taken from a running store restores into a fresh data directory with every document;
// a restore never replaces a live or existing database, nor takes a file that is not a backup.
func TestBackupOfARunningStoreRestoresElsewhere(t *testing.T) {
	ctx := context.Background()
	live, _ := startStore(t, 500)
	out := filepath.Join(t.TempDir(), "hl.backup")
	if err := Backup(ctx, filepath.Dir(live.ids.dir), "hl", out); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 600", fi, err)
	}
	if err := Backup(ctx, filepath.Dir(live.ids.dir), "hl", out); err == nil {
		t.Error("a second backup overwrote the first")
	}
	if err := Restore(ctx, filepath.Dir(live.ids.dir), "other", out); !errors.Is(err, ErrLocked) {
		t.Errorf("restore into the running store's directory: %v, want ErrLocked", err)
	}

	fresh := t.TempDir()
	if err := Restore(ctx, fresh, "hl", out); err != nil {
		t.Fatal(err)
	}
	if err := Restore(ctx, fresh, "hl", out); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("restore over a restored database: %v, want ErrNotEmpty", err)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	_ = os.WriteFile(junk, []byte("not a backup"), 0o600)
	if err := Restore(ctx, t.TempDir(), "hl", junk); err == nil {
		t.Error("a file that is not a backup was restored")
	}

	s, err := Start(fresh, slog.New(slog.DiscardHandler), "full")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Disconnect(ctx) }()
	col := c.Database("hl").Collection("things")
	if n, err := col.CountDocuments(ctx, bson.D{}); err != nil || n != 500 {
		t.Fatalf("restored store holds %d documents (%v), want 500", n, err)
	}
	var doc struct{ N int }
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("k%05d", 499)}}).Decode(&doc); err != nil || doc.N != 499 {
		t.Fatalf("restored document: %+v, %v", doc, err)
	}
}
