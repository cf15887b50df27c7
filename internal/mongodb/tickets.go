package mongodb

import (
	"context"
	"errors"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/hailong/hailong/internal/survey"
)

var _ survey.TicketStore = (*TicketStore)(nil)

// TicketStore keeps tickets by token, with two claim collections keyed by dossier code and by
// short code: every look-up is by _id, and the claims make issuing idempotent without a
// transaction. Tickets never change, so they are cached.
type TicketStore struct {
	tickets, dossiers, codes *mongo.Collection // reads
	writes                   struct{ tickets, dossiers, codes *mongo.Collection }
	cache                    *lru.Cache[string, *survey.Ticket]
	journal                  *Journal
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
	}
	s.writes.tickets, s.writes.dossiers, s.writes.codes = db.W.Collection(colTickets), db.W.Collection(colDossiers), db.W.Collection(colShortCodes)
	return s
}

// IssueTicket stores t, or returns the ticket its dossier already has.
func (s *TicketStore) IssueTicket(ctx context.Context, t *survey.Ticket) (*survey.Ticket, bool, error) {
	// The two claims are independent: make them at once.
	type codeResult struct {
		code string
		err  error
	}
	codeCh := make(chan codeResult, 1)
	go func() {
		code, err := s.claimShortCode(ctx, t.Token, t.ShortCode)
		codeCh <- codeResult{code, err}
	}()
	_, err := s.writes.dossiers.InsertOne(ctx, claim{ID: t.DossierCode, Token: t.Token, ShortCode: t.ShortCode})
	code := <-codeCh
	if code.err != nil {
		if err == nil {
			_, _ = s.writes.dossiers.DeleteOne(ctx, bson.D{{Key: "_id", Value: t.DossierCode}})
		}
		return nil, false, code.err
	}
	if err == nil && code.code != t.ShortCode { // the first code was taken: record the one claimed
		t.ShortCode = code.code
		_, err = s.writes.dossiers.UpdateOne(ctx, bson.D{{Key: "_id", Value: t.DossierCode}}, bson.D{{Key: "$set", Value: bson.D{{Key: "short_code", Value: code.code}}}})
	}
	if isDuplicate(err) {
		_, _ = s.writes.codes.DeleteOne(ctx, bson.D{{Key: "_id", Value: code.code}})
		existing, err := s.existing(ctx, t)
		return existing, false, err
	}
	if err != nil {
		return nil, false, storeErr("claim dossier", err)
	}
	if err := s.insert(ctx, t); err != nil {
		return nil, false, err
	}
	return t, true, nil
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

// claimShortCode claims code for token, or another random code if it is taken, and returns it.
func (s *TicketStore) claimShortCode(ctx context.Context, token, code string) (string, error) {
	for range 8 {
		_, err := s.writes.codes.InsertOne(ctx, claim{ID: code, Token: token})
		if err == nil {
			return code, nil
		}
		if !isDuplicate(err) {
			return "", storeErr("claim short code", err)
		}
		code = survey.NewShortCode()
	}
	return "", survey.Wrap(errors.New("mongodb: no free short code after 8 tries"))
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
