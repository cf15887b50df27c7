package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/webhook"
)

const colWebhooks = "webhooks"

var _ webhook.Store = (*WebhookStore)(nil)

// WebhookStore keeps the registered webhook endpoints.
type WebhookStore struct{ col *mongo.Collection }

// NewWebhookStore returns the webhook store in db.
func NewWebhookStore(db *DB) *WebhookStore { return &WebhookStore{col: db.DB.Collection(colWebhooks)} }

// Create stores a new endpoint.
func (s *WebhookStore) Create(ctx context.Context, e *webhook.Endpoint) error {
	_, err := s.col.InsertOne(ctx, e)
	return storeErr("create webhook", err)
}

// Endpoint returns the endpoint with id.
func (s *WebhookStore) Endpoint(ctx context.Context, id string) (*webhook.Endpoint, error) {
	var e webhook.Endpoint
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, webhook.ErrNotFound
	}
	if err != nil {
		return nil, storeErr("read webhook", err)
	}
	return &e, nil
}

// Endpoints lists the endpoints, oldest first.
func (s *WebhookStore) Endpoints(ctx context.Context) ([]webhook.Endpoint, error) {
	cur, err := s.col.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, storeErr("list webhooks", err)
	}
	out := []webhook.Endpoint{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeErr("list webhooks", err)
	}
	return out, nil
}

// Save replaces the stored endpoint e.ID by e.
func (s *WebhookStore) Save(ctx context.Context, e *webhook.Endpoint) error {
	res, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, e)
	if err == nil && res.MatchedCount == 0 {
		return webhook.ErrNotFound
	}
	return storeErr("save webhook", err)
}

// Delete removes endpoint id.
func (s *WebhookStore) Delete(ctx context.Context, id string) error {
	_, err := s.col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return storeErr("delete webhook", err)
}
