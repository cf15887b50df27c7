// Package mongodb holds Hài Lòng's store adapters on MongoDB through the official driver: tickets,
// responses and the rollup journal written with them (in one turn of the write lane, which is why
// the journal's writer stays here), the rollups' batches and buckets behind internal/rollup's
// interfaces (RollupStore), and units, fields, targets, accounts and kiosk devices. It uses only
// what both MongoDB and the embedded FerretDB store support: hot paths look documents up by _id
// (the one filter the embedded store answers without a scan) and never run transactions. It is
// the largest package because it holds one adapter per store; they share the connection, the
// write lane and the schema (the one list of collections EnsureSchema creates), so they stay
// together, a file each.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/survey"
)

// Collection names.
const (
	colTickets    = "tickets"
	colDossiers   = "dossiers"
	colShortCodes = "short_codes"
	colResponses  = rollup.ResponsesCol
	colJournal    = "journal"
	colJournalOK  = "journal_ok"
	colFields     = "fields"
	colAPIKeys    = "api_keys"
	colSettings   = "settings"
	colUnits      = "units"
	colCounters   = "counters"
)

// collections lists every collection the stores use. EnsureSchema creates them all up front:
// the embedded store creates a collection on first insert under a lock that, under load, can
// wait on its own connection pool.
var collections = []string{
	colTickets, colDossiers, colShortCodes, colResponses, colJournal, colJournalOK, colFields,
	colAPIKeys, colSettings, colUnits, colCounters, colDevices, colPairings, colActivity,
	colCurrent, colRollups, colMonths, colBatches, colLeases, colComments, colUsers, colSessions, colAudit,
	colCounterDays, colCases, colCaseChanges, colContacts, colRefs, colOutbox, colDeliveries, colClaims,
	colWebhooks, colAlertStates, colFollowUps, colProcedures,
}

// DB is a connection to the store's database.
type DB struct {
	Client *mongo.Client
	DB     *mongo.Database
	// W is the handle the hot writes go through (submissions, ticket issue, rollups): DB itself,
	// or after SerialWrites one connection that takes them in arrival order.
	W      *mongo.Database
	writer *mongo.Client
	lane   *lane // orders the writes through W once they are serial; nil otherwise
	// writers is how many batch writers a group commit runs on a store that writes in
	// parallel; 0 means DefaultWriters.
	writers int
	uri     string
}

// Open connects to uri and selects database name; it fails fast when the store is unreachable.
func Open(ctx context.Context, uri, name string) (*DB, error) {
	client, err := connect(uri, 64)
	if err != nil {
		return nil, err
	}
	db := &DB{Client: client, DB: client.Database(name), uri: uri}
	db.W = db.DB
	if err := db.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return db, nil
}

func connect(uri string, pool uint64) (*mongo.Client, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(3 * time.Second).
		SetConnectTimeout(3 * time.Second).
		SetTimeout(10 * time.Second).
		SetMaxPoolSize(pool))
	if err != nil {
		return nil, fmt.Errorf("mongodb: connect: %w", err)
	}
	return client, nil
}

// SerialWrites sends the hot writes through a single connection of their own, for the embedded
// store: SQLite takes one writer at a time, and writers that find it busy back off by sleeping,
// so concurrent writers wait far longer than writers queued in order. Reads stay concurrent.
func (d *DB) SerialWrites() error {
	writer, err := connect(d.uri, 1)
	if err != nil {
		return err
	}
	d.writer, d.W, d.lane = writer, writer.Database(d.DB.Name()), newLane()
	return nil
}

// Writers is how many batch writers a group commit should run: one while the hot writes are
// serial (the embedded store takes one writer at a time, so more would only queue), several
// on a server that writes in parallel.
func (d *DB) Writers() int {
	switch {
	case d.lane != nil:
		return 1
	case d.writers > 0:
		return d.writers
	}
	return DefaultWriters
}

// SetWriters sets how many batch writers a group commit runs on a store that writes in
// parallel (HAILONG_STORE_WRITERS); call it before the stores are made.
func (d *DB) SetWriters(n int) { d.writers = n }

// DefaultWriters is the group-commit writers per instance on a store that writes in parallel.
// Fewer writers make larger batches, each a commit whatever its size: with two instances on
// FerretDB over PostgreSQL, all on 2 vCPUs, 2 writers an instance took 3,608 submissions/s and
// 1,047 tickets/s against 2,438 and 667 with 4 (one run each). A server with more cores
// and more latency between it and the instances may want more.
const DefaultWriters = 2

// Ping checks that the store answers.
func (d *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := d.DB.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		return fmt.Errorf("mongodb: ping: %w", err)
	}
	return nil
}

// Close disconnects from the store.
func (d *DB) Close(ctx context.Context) error {
	if d.writer != nil {
		_ = d.writer.Disconnect(ctx)
	}
	return d.Client.Disconnect(ctx)
}

// EnsureSchema creates the collections and secondary indexes the stores rely on, and seeds the
// default field catalogue. It is safe to run on every start and from several instances.
func (d *DB) EnsureSchema(ctx context.Context) error {
	for _, name := range collections {
		var ce mongo.CommandError
		if err := d.DB.CreateCollection(ctx, name); err != nil && !(errors.As(err, &ce) && ce.Code == codeNamespaceExists) {
			return fmt.Errorf("mongodb: create collection %s: %w", name, err)
		}
	}
	idx := []struct {
		col  string
		keys bson.D
		opts *options.IndexOptionsBuilder
	}{
		{colResponses, bson.D{{Key: "submitted_at", Value: 1}}, options.Index().SetName("submitted_at")},
		{colAPIKeys, bson.D{{Key: "hash", Value: 1}}, options.Index().SetUnique(true).SetName("hash_unique")},
		{colCases, bson.D{{Key: "status", Value: 1}, {Key: "due_at", Value: 1}}, options.Index().SetName("status_due")},
		{colOutbox, bson.D{{Key: "fanned", Value: 1}, {Key: "at", Value: 1}}, options.Index().SetName("fanned_at")},
		{colDeliveries, bson.D{{Key: "status", Value: 1}, {Key: "next_at", Value: 1}}, options.Index().SetName("status_next")},
		{colDeliveries, bson.D{{Key: "created_at", Value: -1}}, options.Index().SetName("created_at")},
	}
	for _, i := range idx {
		_, err := d.DB.Collection(i.col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: i.keys, Options: i.opts})
		if err != nil {
			return fmt.Errorf("mongodb: create index on %s: %w", i.col, err)
		}
	}
	for _, i := range droppedIndexes {
		err := d.DB.Collection(i.col).Indexes().DropOne(ctx, i.name)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && (ce.Code == codeIndexNotFound || ce.Code == codeNamespaceNotFound)) {
			return fmt.Errorf("mongodb: drop index %s on %s: %w", i.name, i.col, err)
		}
	}
	return d.seedFields(ctx)
}

func (d *DB) seedFields(ctx context.Context) error {
	var models []mongo.WriteModel
	for _, f := range org.DefaultFields() {
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: f.Code}}).
			SetUpdate(bson.D{{Key: "$setOnInsert", Value: bson.D{
				{Key: "name", Value: f.Name}, {Key: "group", Value: f.Group}, {Key: "active", Value: true},
			}}}).SetUpsert(true))
	}
	_, err := d.DB.Collection(colFields).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil && !isDuplicate(err) {
		return fmt.Errorf("mongodb: seed fields: %w", err)
	}
	return nil
}

// Error codes: creating a collection that exists, dropping an index or a collection that does not.
const (
	codeNamespaceExists   = 48
	codeIndexNotFound     = 27
	codeNamespaceNotFound = 26
)

// droppedIndexes are indexes earlier versions created. The tickets' unique indexes on dossier
// code and short code repeated what the dossier and short-code claims (keyed by _id) already
// ensure, and on the embedded store each one made every ticket insert slower (two of them: 40%
// per batch of 100, measured).
var droppedIndexes = []struct{ col, name string }{
	{colTickets, "dossier_code_unique"},
	{colTickets, "short_code_unique"},
}

// isDuplicate reports a unique-index violation, including one inside a bulk write.
func isDuplicate(err error) bool {
	return mongo.IsDuplicateKeyError(err)
}

// storeErr turns a driver error into a domain error: not-found stays not-found, everything else
// is "unavailable" with the cause kept for the log.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *survey.Error
	if errors.As(err, &de) {
		return err
	}
	return survey.Wrap(fmt.Errorf("mongodb: %s: %w", op, err))
}
