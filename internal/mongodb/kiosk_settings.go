package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/kiosk"
)

var _ kiosk.Settings = (*DeviceStore)(nil)

// kioskSettingsID is the settings document of the kiosk tablets.
const kioskSettingsID = "kiosk"

// FreeRatings reports whether tablets accept a rating without a dossier: off until an admin
// turns it on.
func (s *DeviceStore) FreeRatings(ctx context.Context) (bool, error) {
	var doc struct {
		Free bool `bson:"free_ratings"`
	}
	err := s.settings.FindOne(ctx, filterID(kioskSettingsID)).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, storeErr("read kiosk settings", err)
	}
	return doc.Free, nil
}

// SetFreeRatings turns ratings without a dossier on or off.
func (s *DeviceStore) SetFreeRatings(ctx context.Context, on bool) error {
	_, err := s.settings.UpdateOne(ctx, filterID(kioskSettingsID), bson.D{{Key: "$set", Value: bson.D{{Key: "free_ratings", Value: on}}}},
		options.UpdateOne().SetUpsert(true))
	return storeErr("save kiosk settings", err)
}
