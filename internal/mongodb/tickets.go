package mongodb

import (
	"context"
	"errors"
	"slices"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
)

var (
	_ survey.TicketStore = (*TicketStore)(nil)
	_ ticket.Store       = (*TicketStore)(nil)
)

// TicketStore keeps tickets by token, with two claim collections keyed by dossier code and by
// short code: every look-up is by _id, and the claims make issuing idempotent without a
// transaction. Tickets never change, so they are cached.
type TicketStore struct {
	tickets, dossiers, codes *mongo.Collection // reads
	writes                   struct{ tickets, dossiers, codes *mongo.Collection }
	cache                    *lru.Cache[string, *survey.Ticket]
	journal                  *Journal
	lane                     *lane
}

type claim struct {
	ID        string `bson:"_id"`
	Token     string `bson:"token"`
	ShortCode string `bson:"short_code,omitempty"`
}

// NewTicketStore returns a ticket store caching up to cacheSize tickets; issued tickets are
// recorded in journal for the rollups.
func NewTicketStore(db *DB, cacheSize int, journal *Journal) *TicketStore {
	c, _ := lru.New[string, *survey.Ticket](max(cacheSize, 16))
	s := &TicketStore{
		tickets:  db.DB.Collection(colTickets),
		dossiers: db.DB.Collection(colDossiers),
		codes:    db.DB.Collection(colShortCodes),
		cache:    c,
		journal:  journal,
		lane:     db.lane,
	}
	s.writes.tickets, s.writes.dossiers, s.writes.codes = db.W.Collection(colTickets), db.W.Collection(colDossiers), db.W.Collection(colShortCodes)
	return s
}

// IssueTicket stores t, or returns the ticket its dossier already has.
func (s *TicketStore) IssueTicket(ctx context.Context, t *survey.Ticket) (*survey.Ticket, bool, error) {
	r := s.IssueTickets(ctx, []*survey.Ticket{t})[0]
	return r.Ticket, r.Created, r.Err
}

// IssueTickets stores each ticket unless its dossier already has one, with one batch write per
// step for all of them: the short-code claims, the dossier claims, the journal entry and the
// tickets. Each ticket's result is its own: a dossier that already has a ticket gets that one,
// a failure fails only the tickets it concerns, and a dossier twice in ts gets one ticket.
func (s *TicketStore) IssueTickets(ctx context.Context, ts []*survey.Ticket) []ticket.Result {
	out := make([]ticket.Result, len(ts))
	leader := map[string]int{} // dossier code → the first ticket for it
	var fresh []int
	for i, t := range ts {
		if _, ok := leader[t.DossierCode]; !ok {
			leader[t.DossierCode] = i
			fresh = append(fresh, i)
		}
	}
	claimed := s.claimCodes(ctx, ts, fresh, out)
	claimed = s.claimDossiers(ctx, ts, claimed, out)
	s.store(ctx, ts, claimed, out)
	for i, t := range ts {
		if j := leader[t.DossierCode]; j != i {
			out[i] = ticket.Result{Ticket: out[j].Ticket, Err: out[j].Err}
		}
	}
	return out
}

// claimCodes claims each ticket's short code, drawing another for a code taken, and returns
// the tickets whose code is claimed; the others' results get the error.
func (s *TicketStore) claimCodes(ctx context.Context, ts []*survey.Ticket, idx []int, out []ticket.Result) []int {
	var claimed []int
	for range 8 {
		if len(idx) == 0 {
			return claimed
		}
		docs := make([]any, len(idx))
		for k, i := range idx {
			docs[k] = claim{ID: ts[i].ShortCode, Token: ts[i].Token}
		}
		var retry []int
		for k, err := range s.insertEach(ctx, s.writes.codes, docs) {
			i := idx[k]
			switch {
			case err == nil:
				claimed = append(claimed, i)
			case isDuplicate(err):
				ts[i].ShortCode = survey.NewShortCode()
				retry = append(retry, i)
			default:
				out[i].Err = storeErr("claim short code", err)
			}
		}
		idx = retry
	}
	for _, i := range idx {
		out[i].Err = survey.Wrap(errors.New("mongodb: no free short code after 8 tries"))
	}
	slices.Sort(claimed)
	return claimed
}

// claimDossiers claims each ticket's dossier and returns the tickets that claimed theirs; a
// dossier claimed before gets its existing ticket, and gives back the short code just claimed.
func (s *TicketStore) claimDossiers(ctx context.Context, ts []*survey.Ticket, idx []int, out []ticket.Result) []int {
	docs := make([]any, len(idx))
	for k, i := range idx {
		docs[k] = claim{ID: ts[i].DossierCode, Token: ts[i].Token, ShortCode: ts[i].ShortCode}
	}
	var claimed []int
	for k, err := range s.insertEach(ctx, s.writes.dossiers, docs) {
		i := idx[k]
		if err == nil {
			claimed = append(claimed, i)
			continue
		}
		_, _ = s.writes.codes.DeleteOne(ctx, bson.D{{Key: "_id", Value: ts[i].ShortCode}})
		if !isDuplicate(err) {
			out[i].Err = storeErr("claim dossier", err)
			continue
		}
		out[i].Ticket, out[i].Err = s.existing(ctx, ts[i])
	}
	return claimed
}

// store journals the claimed tickets in one entry, inserts them, and confirms the entry with
// the tickets that were stored.
func (s *TicketStore) store(ctx context.Context, ts []*survey.Ticket, idx []int, out []ticket.Result) {
	if len(idx) == 0 {
		return
	}
	events := make([]rollup.Event, len(idx))
	docs := make([]any, len(idx))
	for k, i := range idx {
		events[k], docs[k] = ticketEvent(ts[i]), ts[i]
	}
	var id bson.ObjectID
	var results []error
	err := s.lane.urgent(func() (err error) {
		if id, err = s.journal.BeginCarrying(ctx, events); err != nil {
			return err
		}
		_, err = s.writes.tickets.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		results = perDocument(len(docs), err)
		return nil
	})
	if err != nil {
		for _, i := range idx {
			out[i].Err = storeErr("journal tickets", err)
		}
		return
	}
	c := rollup.Confirmation{ID: id, Single: len(idx) == 1}
	for k, i := range idx {
		if err := results[k]; err != nil && !isDuplicate(err) { // a duplicate: an earlier attempt stored it
			out[i].Err = storeErr("insert ticket", err)
			continue
		}
		c.OK = append(c.OK, k)
		s.cache.Add(ts[i].Token, ts[i])
		out[i] = ticket.Result{Ticket: ts[i], Created: true}
	}
	s.journal.Carry(c)
}

// insertEach inserts docs unordered in one command and returns each one's outcome.
func (s *TicketStore) insertEach(ctx context.Context, col *mongo.Collection, docs []any) []error {
	if len(docs) == 0 {
		return nil
	}
	var err error
	_ = s.lane.urgent(func() error {
		_, err = col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return nil
	})
	return perDocument(len(docs), err)
}

// insert stores the ticket document and records its issue in the journal; a duplicate means
// an earlier attempt already stored it.
func (s *TicketStore) insert(ctx context.Context, t *survey.Ticket) error {
	// The journal entry needs no confirmation: the rollup worker finds the ticket by its token.
	if _, err := s.journal.Begin(ctx, ticketEvent(t)); err != nil {
		return storeErr("journal ticket", err)
	}
	_, err := s.writes.tickets.InsertOne(ctx, t)
	if err != nil && !isDuplicate(err) {
		return storeErr("insert ticket", err)
	}
	s.cache.Add(t.Token, t)
	return nil
}

// existing returns the ticket already issued for t's dossier, finishing an earlier attempt that
// stopped between claiming the dossier and storing the ticket.
func (s *TicketStore) existing(ctx context.Context, t *survey.Ticket) (*survey.Ticket, error) {
	var c claim
	if err := s.dossiers.FindOne(ctx, bson.D{{Key: "_id", Value: t.DossierCode}}).Decode(&c); err != nil {
		return nil, storeErr("find dossier", err)
	}
	got, err := s.TicketByToken(ctx, c.Token)
	if err == nil || !errors.Is(err, survey.ErrTicketNotFound) {
		return got, err
	}
	t.Token, t.ShortCode = c.Token, c.ShortCode
	if _, err := s.writes.codes.InsertOne(ctx, claim{ID: c.ShortCode, Token: c.Token}); err != nil && !isDuplicate(err) {
		return nil, storeErr("claim short code", err)
	}
	if err := s.insert(ctx, t); err != nil {
		return nil, err
	}
	return s.TicketByToken(ctx, c.Token)
}

// TicketByToken returns the ticket with token.
func (s *TicketStore) TicketByToken(ctx context.Context, token string) (*survey.Ticket, error) {
	if t, ok := s.cache.Get(token); ok {
		return t, nil
	}
	var t survey.Ticket
	err := s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&t)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, survey.ErrTicketNotFound
	}
	if err != nil {
		return nil, storeErr("find ticket", err)
	}
	s.cache.Add(token, &t)
	return &t, nil
}

// TicketByDossier returns the ticket of the dossier with code.
func (s *TicketStore) TicketByDossier(ctx context.Context, code string) (*survey.Ticket, error) {
	return s.byClaim(ctx, s.dossiers, code, "find dossier")
}

// TicketByShortCode returns the ticket with the normalised short code.
func (s *TicketStore) TicketByShortCode(ctx context.Context, code string) (*survey.Ticket, error) {
	return s.byClaim(ctx, s.codes, code, "find short code")
}

// byClaim returns the ticket whose claim in col (a dossier or a short code) has id.
func (s *TicketStore) byClaim(ctx context.Context, col *mongo.Collection, id, op string) (*survey.Ticket, error) {
	var c claim
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, survey.ErrTicketNotFound
	}
	if err != nil {
		return nil, storeErr(op, err)
	}
	return s.TicketByToken(ctx, c.Token)
}

// ReduceOlderThan makes the dossier code of every ticket issued before cutoff unreadable: its
// claim is deleted and the ticket keeps digest(code|token) in its place, a value as unique as
// the code that only the key could match to a dossier. What the rollups count of a ticket stays. It returns how many tickets it reduced. A dossier past the
// retention is no longer known, so a ticket issued for it again is a new one.
func (s *TicketStore) ReduceOlderThan(ctx context.Context, cutoff time.Time, digest func(string) string) (int64, error) {
	filter := bson.D{
		{Key: "issued_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}},
		{Key: "reduced", Value: bson.D{{Key: "$ne", Value: true}}},
	}
	cur, err := s.tickets.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "dossier_code", Value: 1}}))
	if err != nil {
		return 0, storeErr("find old tickets", err)
	}
	var old []struct {
		Token       string `bson:"_id"`
		DossierCode string `bson:"dossier_code"`
	}
	if err := cur.All(ctx, &old); err != nil {
		return 0, storeErr("read old tickets", err)
	}
	var n int64
	for start := 0; start < len(old); start += updatesPerCommand {
		chunk := old[start:min(start+updatesPerCommand, len(old))]
		claims := make([]mongo.WriteModel, len(chunk))
		tickets := make([]mongo.WriteModel, len(chunk))
		for i, t := range chunk {
			claims[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: t.DossierCode}})
			tickets[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: t.Token}}).SetUpdate(bson.D{{Key: "$set", Value: bson.D{
				{Key: "dossier_code", Value: digest(t.DossierCode + "|" + t.Token)}, {Key: "reduced", Value: true}}}})
		}
		// The claim goes first: a pass cut short between the two finds the ticket again.
		err := s.lane.background(func() error {
			if _, err := s.writes.dossiers.BulkWrite(ctx, claims, options.BulkWrite().SetOrdered(true)); err != nil {
				return err
			}
			_, err := s.writes.tickets.BulkWrite(ctx, tickets, options.BulkWrite().SetOrdered(true))
			return err
		})
		if err != nil {
			return n, storeErr("reduce old tickets", err)
		}
		for _, t := range chunk {
			s.cache.Remove(t.Token)
		}
		n += int64(len(chunk))
	}
	return n, nil
}
