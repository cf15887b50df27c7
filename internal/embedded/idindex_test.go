package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// startStore starts a store holding n documents {_id: "k00000"…, n: i} in hl.things, indexed.
func startStore(t testing.TB, n int) (*Store, *mongo.Collection) {
	t.Helper()
	ctx := context.Background()
	s, col := openStore(t)
	docs := make([]any, n)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: fmt.Sprintf("k%05d", i)}, {Key: "n", Value: i}}
	}
	if _, err := col.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ids.indexAll(ctx); err != nil { // the store does it every second; the test needs it now
		t.Fatal(err)
	}
	return s, col
}

// openStore starts a store and returns it with its collection hl.things, empty.
func openStore(t testing.TB) (*Store, *mongo.Collection) {
	t.Helper()
	s, err := Start(t.TempDir(), slog.New(slog.DiscardHandler), "full")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return s, c.Database("hl").Collection("things")
}

// tableOf returns the SQLite table holding collection name of database hl.
func tableOf(t testing.TB, s *Store, name string) string {
	t.Helper()
	db, err := s.ids.open(filepath.Join(s.ids.dir, "hl.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, name).Scan(&table); err != nil {
		t.Fatal(err)
	}
	return table
}

// The statements the store runs for a look-up, an update and a delete by _id must search the
// index, not scan the table: otherwise every write slows down as the collection grows.
func TestIDLookupsUseAnIndex(t *testing.T) {
	ctx := context.Background()
	s, col := startStore(t, 50)
	table := tableOf(t, s, "things")
	db, err := s.ids.open(filepath.Join(s.ids.dir, "hl.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`,
		`UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`,
		`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?, ?)`,
	} {
		rows, err := db.Query("EXPLAIN QUERY PLAN "+fmt.Sprintf(q, table), "a", "b")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		_ = rows.Close()
		if !strings.Contains(strings.Join(plan, "; "), "USING INDEX "+fmt.Sprintf(idIndexName, table)) {
			t.Errorf("%s\nplan: %q, want a search of the _id index", q, plan)
		}
	}

	// And the store still answers correctly through it.
	res, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: "k00007"}})
	if err != nil || res.DeletedCount != 1 {
		t.Fatalf("delete k00007: %v, %+v", err, res)
	}
	up, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: "k00008"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 100}}}})
	if err != nil || up.ModifiedCount != 1 {
		t.Fatalf("update k00008: %v, %+v", err, up)
	}
	var got struct{ N int }
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: "k00008"}}).Decode(&got); err != nil || got.N != 108 {
		t.Fatalf("k00008 = %+v, %v; want n 108", got, err)
	}
	if n, _ := col.CountDocuments(ctx, bson.D{}); n != 49 {
		t.Fatalf("%d documents left, want 49", n)
	}
	if _, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: "k00009"}}); !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate _id: %v, want a duplicate key error", err)
	}
}

// BenchmarkUpdateByID updates one document by _id in a collection of 20,000.
func BenchmarkUpdateByID(b *testing.B) {
	ctx := context.Background()
	_, col := startStore(b, 20000)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("k%05d", (i*7919)%20000)
		if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}); err != nil {
			b.Fatal(err)
		}
	}
}

// A collection's table keeps one _id index, unique, and the store still refuses a second
// document with an _id, alone or within a batch whose other documents it stores.
func TestACollectionKeepsOneUniqueIDIndex(t *testing.T) {
	ctx := context.Background()
	s, col := startStore(t, 50)
	table := tableOf(t, s, "things")
	db, _ := s.ids.open(filepath.Join(s.ids.dir, "hl.sqlite"))
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, table)
	if err != nil {
		t.Fatal(err)
	}
	indexes := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		indexes[name] = def
	}
	_ = rows.Close()
	if len(indexes) != 1 || !strings.HasPrefix(indexes[fmt.Sprintf(idIndexName, table)], "CREATE UNIQUE INDEX") {
		t.Fatalf("indexes of %s: %q, want only the unique %s", table, indexes, fmt.Sprintf(idIndexName, table))
	}

	if _, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: "k00003"}, {Key: "n", Value: -1}}); !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("a second k00003: %v, want a duplicate key error", err)
	}
	_, err = col.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "new-1"}}, bson.D{{Key: "_id", Value: "k00004"}}, bson.D{{Key: "_id", Value: "new-2"}},
	}, options.InsertMany().SetOrdered(false))
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || len(bulk.WriteErrors) != 1 || bulk.WriteErrors[0].Index != 1 || !mongo.IsDuplicateKeyError(bulk.WriteErrors[0]) {
		t.Fatalf("a batch with a second k00004: %v, want that document alone refused as a duplicate", err)
	}
	if n, _ := col.CountDocuments(ctx, bson.D{}); n != 52 {
		t.Fatalf("%d documents, want 52: the batch's two new ones stored", n)
	}
	var got struct{ N int }
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: "k00003"}}).Decode(&got); err != nil || got.N != 3 {
		t.Fatalf("k00003 = %+v, %v; want the first one, n 3", got, err)
	}
}
