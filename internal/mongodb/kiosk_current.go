package mongodb

import (
	"context"
	"errors"

	"github.com/hailong/hailong/internal/kiosk"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SetCurrentDossier makes d its counter's current dossier, replacing the one before. Two
// dossiers completed at one counter in the same instant leave either one current; the kiosk
// is pushed both anyway.
func (s *DeviceStore) SetCurrentDossier(ctx context.Context, d kiosk.CurrentDossier) error {
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
