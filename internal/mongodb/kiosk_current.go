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
	return s.SetCurrentDossiers(ctx, []kiosk.CurrentDossier{d})
}

// SetCurrentDossiers keeps every reference of ds redeemable and makes the last dossier of each
// counter in ds its current one. A sealed reference carries what redeeming it needs, so only
// the others are stored (one batch insert).
func (s *DeviceStore) SetCurrentDossiers(ctx context.Context, ds []kiosk.CurrentDossier) error {
	var refs []any
	last := map[string]int{}
	var order []string
	for i, d := range ds {
		if !kiosk.Sealed(d.Ref) {
			refs = append(refs, refDoc{Ref: d.Ref, Counter: d.Counter, Token: d.Token, IssuedAt: d.IssuedAt})
		}
		if _, ok := last[d.Counter]; !ok {
			order = append(order, d.Counter)
		}
		last[d.Counter] = i
	}
	if len(refs) > 0 {
		err := s.lane.urgent(func() error {
			_, err := s.writes.refs.InsertMany(ctx, refs, options.InsertMany().SetOrdered(false))
			return err
		})
		if err != nil {
			return storeErr("keep dossier references", err)
		}
	}
	current := make([]kiosk.CurrentDossier, len(order))
	for i, counter := range order {
		current[i] = ds[last[counter]]
	}
	return s.replaceCurrent(ctx, current)
}

// replaceCurrent makes each of ds its counter's current dossier, a few counters per command.
func (s *DeviceStore) replaceCurrent(ctx context.Context, ds []kiosk.CurrentDossier) error {
	per := s.chunk
	for start := 0; start < len(ds); start += per {
		chunk := ds[start:min(start+per, len(ds))]
		for range 2 { // a first upsert racing another can collide on the _id; the retry replaces
			models := make([]mongo.WriteModel, len(chunk))
			for i, d := range chunk {
				models[i] = mongo.NewReplaceOneModel().SetFilter(filterID(d.Counter)).SetReplacement(d).SetUpsert(true)
			}
			var err error
			_ = s.lane.urgent(func() error {
				_, err = s.writes.current.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
				return nil
			})
			var retry []kiosk.CurrentDossier
			for i, err := range perDocument(len(chunk), err) {
				switch {
				case err == nil:
				case isDuplicate(err):
					retry = append(retry, chunk[i])
				default:
					return storeErr("set current dossier", err)
				}
			}
			if chunk = retry; len(chunk) == 0 {
				break
			}
		}
		if len(chunk) > 0 {
			return storeErr("set current dossier", errors.New("an upsert kept colliding"))
		}
	}
	return nil
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
