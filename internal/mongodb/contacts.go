package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/cases"
)

// colContacts holds citizens' sealed contact details, apart from the responses.
const colContacts = "contacts"

var _ cases.ContactStore = (*ContactStore)(nil)

// ContactStore keeps citizens' contact details for their cases: one document per response
// token holding only the sealed bytes and the consent time, never the details in clear.
type ContactStore struct{ col *mongo.Collection }

// NewContactStore returns the contact store in db.
func NewContactStore(db *DB) *ContactStore { return &ContactStore{col: db.DB.Collection(colContacts)} }

// SaveContact stores c, replacing the contact of its token.
func (s *ContactStore) SaveContact(ctx context.Context, c *cases.SealedContact) error {
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.Token}}, c, options.Replace().SetUpsert(true))
	return storeErr("save contact", err)
}

// SealedContact returns the contact of token, or cases.ErrNoContact.
func (s *ContactStore) SealedContact(ctx context.Context, token string) (*cases.SealedContact, error) {
	var c cases.SealedContact
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, cases.ErrNoContact
	}
	if err != nil {
		return nil, storeErr("read contact", err)
	}
	return &c, nil
}

// EachContact calls fn with every contact's token and consent time, without the sealed bytes.
func (s *ContactStore) EachContact(ctx context.Context, fn func(token string, consentAt time.Time)) error {
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "consent_at", Value: 1}})
	cur, err := s.col.Find(ctx, bson.D{}, opts)
	if err != nil {
		return storeErr("list contacts", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var c cases.SealedContact
		if err := cur.Decode(&c); err != nil {
			return storeErr("read contacts", err)
		}
		fn(c.Token, c.ConsentAt)
	}
	return storeErr("read contacts", cur.Err())
}

// DeleteContacts erases the contacts of tokens.
func (s *ContactStore) DeleteContacts(ctx context.Context, tokens []string) error {
	_, err := s.col.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: tokens}}}})
	return storeErr("erase contacts", err)
}
