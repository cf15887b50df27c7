package mongodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Secret returns the shared secret stored under name, creating a random one on first use, so
// every instance on one store uses the same value (e.g. the salt of client IP hashes).
func (d *DB) Secret(ctx context.Context, name string) (string, error) {
	col := d.DB.Collection(colSettings)
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "value", Value: hex.EncodeToString(b)}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return "", storeErr("create secret", err)
	}
	var doc struct {
		Value string `bson:"value"`
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&doc); err != nil {
		return "", storeErr("read secret", err)
	}
	if doc.Value == "" {
		return "", errors.New("mongodb: empty secret " + name)
	}
	return doc.Value, nil
}
