package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/kiosk"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// refDoc is a dossier reference pushed to a counter's tablets, by the reference.
type refDoc struct {
	Ref      string    `bson:"_id"`
	Counter  string    `bson:"counter"`
	Token    string    `bson:"token"`
	IssuedAt time.Time `bson:"issued_at"`
}

// SetCurrentDossier makes d its counter's current dossier, replacing the one before, and keeps
// its reference redeemable. Two dossiers completed at one counter in the same instant leave
// either one current; the kiosk is pushed both anyway.
func (s *DeviceStore) SetCurrentDossier(ctx context.Context, d kiosk.CurrentDossier) error {
	ref := refDoc{Ref: d.Ref, Counter: d.Counter, Token: d.Token, IssuedAt: d.IssuedAt}
	if _, err := s.refs.InsertOne(ctx, ref); err != nil {
		return storeErr("keep dossier reference", err)
	}
	var err error
	for range 2 { // a first upsert racing another can collide on the _id; the retry replaces
		_, err = s.current.ReplaceOne(ctx, filterID(d.Counter), d, options.Replace().SetUpsert(true))
		if !isDuplicate(err) {
			break
		}
	}
	return storeErr("set current dossier", err)
}

// CurrentDossier returns the counter's current dossier, or nil when it has none.
func (s *DeviceStore) CurrentDossier(ctx context.Context, counter string) (*kiosk.CurrentDossier, error) {
	var d kiosk.CurrentDossier
	err := s.current.FindOne(ctx, filterID(counter)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, storeErr("find current dossier", err)
	}
	return &d, nil
}

// DossierByRef returns the dossier pushed with ref, or kiosk.ErrRefNotFound.
func (s *DeviceStore) DossierByRef(ctx context.Context, ref string) (*kiosk.CurrentDossier, error) {
	var d refDoc
	err := s.refs.FindOne(ctx, filterID(ref)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, kiosk.ErrRefNotFound
	}
	if err != nil {
		return nil, storeErr("find dossier reference", err)
	}
	return &kiosk.CurrentDossier{Counter: d.Counter, Token: d.Token, Ref: d.Ref, IssuedAt: d.IssuedAt}, nil
}

// purgeRefs deletes the dossier references older than kiosk.RefTTL.
func (s *DeviceStore) purgeRefs(ctx context.Context, now time.Time) error {
	old := bson.D{{Key: "issued_at", Value: bson.D{{Key: "$lt", Value: now.UTC().Add(-kiosk.RefTTL)}}}}
	_, err := s.refs.DeleteMany(ctx, old)
	return storeErr("purge dossier references", err)
}
