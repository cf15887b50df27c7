package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/report"
)

// identityID is the settings document holding the centre's identity.
const identityID = "identity"

// IdentityStore keeps the centre's identity (names, signer, emblem) in the settings collection.
type IdentityStore struct{ col *mongo.Collection }

var _ org.IdentityStore = (*IdentityStore)(nil)

// NewIdentityStore returns the identity store in db.
func NewIdentityStore(db *DB) *IdentityStore {
	return &IdentityStore{col: db.DB.Collection(colSettings)}
}

type identityDoc struct {
	ID           string    `bson:"_id"`
	Name         string    `bson:"name"`
	Parent       string    `bson:"parent"`
	Place        string    `bson:"place"`
	Hotline      string    `bson:"hotline"`
	NumberPrefix string    `bson:"number_prefix"`
	SignerTitle  string    `bson:"signer_title"`
	SignerName   string    `bson:"signer_name"`
	Recipients   []string  `bson:"recipients"`
	CutoffDay    int       `bson:"cutoff_day"`
	FrameOrigins []string  `bson:"frame_origins"`
	Logo         []byte    `bson:"logo,omitempty"`
	LogoType     string    `bson:"logo_type,omitempty"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

// Identity returns the stored identity, the zero one when none is stored.
func (s *IdentityStore) Identity(ctx context.Context) (org.Identity, error) {
	var d identityDoc
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: identityID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return org.Identity{}, nil
	}
	if err != nil {
		return org.Identity{}, storeErr("read identity", err)
	}
	return org.Identity{Name: d.Name, Parent: d.Parent, Place: d.Place, Hotline: d.Hotline, NumberPrefix: d.NumberPrefix,
		SignerTitle: d.SignerTitle, SignerName: d.SignerName, Recipients: d.Recipients, CutoffDay: d.CutoffDay,
		FrameOrigins: d.FrameOrigins, Logo: d.Logo, LogoType: d.LogoType, UpdatedAt: d.UpdatedAt}, nil
}

// SaveIdentity replaces the stored identity with id.
func (s *IdentityStore) SaveIdentity(ctx context.Context, id org.Identity) error {
	d := identityDoc{ID: identityID, Name: id.Name, Parent: id.Parent, Place: id.Place, Hotline: id.Hotline,
		NumberPrefix: id.NumberPrefix, SignerTitle: id.SignerTitle, SignerName: id.SignerName, Recipients: id.Recipients,
		CutoffDay: id.CutoffDay, FrameOrigins: id.FrameOrigins, Logo: id.Logo, LogoType: id.LogoType, UpdatedAt: id.UpdatedAt}
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: identityID}}, d, options.Replace().SetUpsert(true))
	return storeErr("save identity", err)
}

// DraftStore keeps the text managers write into a periodic report, one draft per scope and
// period, in the settings collection under "report-draft/<scope>/<from>/<to>".
type DraftStore struct{ col *mongo.Collection }

// NewDraftStore returns the report draft store in db.
func NewDraftStore(db *DB) *DraftStore { return &DraftStore{col: db.DB.Collection(colSettings)} }

type draftDoc struct {
	ID           string    `bson:"_id"`
	Number       string    `bson:"number"`
	Shortcomings string    `bson:"shortcomings"`
	Causes       string    `bson:"causes"`
	Solutions    string    `bson:"solutions"`
	UpdatedAt    time.Time `bson:"updated_at"`
	UpdatedBy    string    `bson:"updated_by"`
}

func draftID(key string) string { return "report-draft/" + key }

// Draft returns the draft saved under key, an empty one when there is none.
func (s *DraftStore) Draft(ctx context.Context, key string) (report.Draft, error) {
	var d draftDoc
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: draftID(key)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return report.Draft{}, nil
	}
	if err != nil {
		return report.Draft{}, storeErr("read report draft", err)
	}
	return report.Draft{Number: d.Number, Shortcomings: d.Shortcomings, Causes: d.Causes, Solutions: d.Solutions,
		UpdatedAt: d.UpdatedAt, UpdatedBy: d.UpdatedBy}, nil
}

// SaveDraft replaces the draft under key.
func (s *DraftStore) SaveDraft(ctx context.Context, key string, d report.Draft) error {
	doc := draftDoc{ID: draftID(key), Number: d.Number, Shortcomings: d.Shortcomings, Causes: d.Causes,
		Solutions: d.Solutions, UpdatedAt: d.UpdatedAt, UpdatedBy: d.UpdatedBy}
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc, options.Replace().SetUpsert(true))
	return storeErr("save report draft", err)
}
