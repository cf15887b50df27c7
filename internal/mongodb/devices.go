package mongodb

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/survey"
)

// Collections of the kiosk devices.
const (
	colDevices  = "kiosk_devices"  // devices by the SHA-256 of their token
	colPairings = "kiosk_pairings" // pairing codes → device, while a tablet waits to be paired
	colActivity = "kiosk_activity" // when each device was last seen and last stored a rating
	colCurrent  = "kiosk_current"  // each counter's current dossier, by counter key
	colRefs     = "kiosk_refs"     // dossier references pushed to tablets → the dossier's token
)

var _ kiosk.DeviceStore = (*DeviceStore)(nil)

// DeviceStore keeps kiosk devices. Admins' writes (pairing, revocation) and the tablet's own
// (last seen, last rating) go to different documents: the embedded store does not apply two
// concurrent updates of one document atomically, so a tablet's write could otherwise undo a
// revocation.
type DeviceStore struct {
	devices, pairings, activity, current, refs, responses, settings *mongo.Collection
	// writes are the current dossiers and their references through the hot-write handle:
	// they are written with every batch of tickets.
	writes struct{ current, refs *mongo.Collection }
	lane   *lane
	chunk  int // updates per command
}

// NewDeviceStore returns the device store in db.
func NewDeviceStore(db *DB) *DeviceStore {
	s := &DeviceStore{
		devices:   db.DB.Collection(colDevices),
		pairings:  db.DB.Collection(colPairings),
		activity:  db.DB.Collection(colActivity),
		current:   db.DB.Collection(colCurrent),
		refs:      db.DB.Collection(colRefs),
		responses: db.DB.Collection(colResponses),
		settings:  db.DB.Collection(colSettings),
		lane:      db.lane,
		chunk:     db.updateChunk(),
	}
	s.writes.current, s.writes.refs = db.W.Collection(colCurrent), db.W.Collection(colRefs)
	return s
}

type pairingDoc struct {
	Code      string    `bson:"_id"`
	Device    string    `bson:"device"`
	ExpiresAt time.Time `bson:"expires_at"`
}

type activityDoc struct {
	ID           string    `bson:"_id"`
	LastSeen     time.Time `bson:"last_seen,omitempty"`
	LastRatingAt time.Time `bson:"last_rating_at,omitempty"`
}

// CreateDevice stores a new unpaired device with a fresh pairing code.
func (s *DeviceStore) CreateDevice(ctx context.Context, now time.Time) (string, *kiosk.Device, error) {
	token := kiosk.NewDeviceToken()
	d := &kiosk.Device{ID: kiosk.DeviceID(token), CreatedAt: now.UTC()}
	if err := s.claimCode(ctx, d, now); err != nil {
		return "", nil, err
	}
	if _, err := s.devices.InsertOne(ctx, d); err != nil {
		return "", nil, storeErr("insert device", err)
	}
	return token, d, nil
}

// claimCode stores a fresh pairing code for d and sets it on d.
func (s *DeviceStore) claimCode(ctx context.Context, d *kiosk.Device, now time.Time) error {
	expires := now.UTC().Add(kiosk.PairingTTL)
	for range 8 {
		code := kiosk.NewPairingCode()
		_, err := s.pairings.InsertOne(ctx, pairingDoc{Code: code, Device: d.ID, ExpiresAt: expires})
		if err == nil {
			d.PairingCode, d.PairingExpiresAt = code, expires
			return nil
		}
		if !isDuplicate(err) {
			return storeErr("claim pairing code", err)
		}
		s.dropIfExpired(ctx, code, now)
	}
	return survey.Wrap(errors.New("mongodb: no free pairing code after 8 tries"))
}

// dropIfExpired deletes the pairing code if it has expired, freeing it for another tablet.
func (s *DeviceStore) dropIfExpired(ctx context.Context, code string, now time.Time) {
	var p pairingDoc
	if s.pairings.FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&p) == nil && !now.Before(p.ExpiresAt) {
		_, _ = s.pairings.DeleteOne(ctx, bson.D{{Key: "_id", Value: code}})
	}
}

// RenewPairingCode gives an unpaired device a fresh code and drops its old one.
func (s *DeviceStore) RenewPairingCode(ctx context.Context, id string, now time.Time) (*kiosk.Device, error) {
	d, err := s.deviceDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Paired || d.Revoked {
		return d, nil
	}
	old := d.PairingCode
	if err := s.claimCode(ctx, d, now); err != nil {
		return nil, err
	}
	set := bson.D{{Key: "pairing_code", Value: d.PairingCode}, {Key: "pairing_expires_at", Value: d.PairingExpiresAt}}
	if _, err := s.devices.UpdateOne(ctx, filterID(id), bson.D{{Key: "$set", Value: set}}); err != nil {
		return nil, storeErr("renew pairing code", err)
	}
	if old != "" {
		_, _ = s.pairings.DeleteOne(ctx, filterID(old))
	}
	return d, nil
}

// PurgeUnpaired deletes the devices that were never paired and whose last pairing code expired
// before now minus kiosk.UnpairedTTL, with their activity, every pairing code expired that
// long, and the dossier references older than kiosk.RefTTL; it returns how many devices it
// deleted. It scans these collections: run it now and then.
func (s *DeviceStore) PurgeUnpaired(ctx context.Context, now time.Time) (int, error) {
	before := now.UTC().Add(-kiosk.UnpairedTTL)
	filter := bson.D{{Key: "paired", Value: false}, {Key: "pairing_expires_at", Value: bson.D{{Key: "$lt", Value: before}}}}
	cur, err := s.devices.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, storeErr("find unpaired devices", err)
	}
	var stale []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &stale); err != nil {
		return 0, storeErr("find unpaired devices", err)
	}
	for chunk := range slices.Chunk(stale, 200) {
		ids := make([]string, len(chunk))
		for i, d := range chunk {
			ids[i] = d.ID
		}
		in := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
		if _, err := s.devices.DeleteMany(ctx, in); err != nil {
			return 0, storeErr("purge unpaired devices", err)
		}
		if _, err := s.activity.DeleteMany(ctx, in); err != nil {
			return 0, storeErr("purge unpaired devices' activity", err)
		}
	}
	if _, err := s.pairings.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before}}}}); err != nil {
		return 0, storeErr("purge pairing codes", err)
	}
	return len(stale), s.purgeRefs(ctx, now)
}

// Device returns the device with id, with its activity.
func (s *DeviceStore) Device(ctx context.Context, id string) (*kiosk.Device, error) {
	d, err := s.deviceDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	var a activityDoc
	err = s.activity.FindOne(ctx, filterID(id)).Decode(&a)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storeErr("find device activity", err)
	}
	d.LastSeen, d.LastRatingAt = a.LastSeen, a.LastRatingAt
	return d, nil
}

func (s *DeviceStore) deviceDoc(ctx context.Context, id string) (*kiosk.Device, error) {
	var d kiosk.Device
	err := s.devices.FindOne(ctx, filterID(id)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, kiosk.ErrDeviceNotFound
	}
	if err != nil {
		return nil, storeErr("find device", err)
	}
	return &d, nil
}

// PairDevice pairs the device showing p.Code. The code is claimed by deleting it, so of two
// admins entering one code at once only one pairs the tablet.
func (s *DeviceStore) PairDevice(ctx context.Context, p kiosk.Pairing, now time.Time) (*kiosk.Device, error) {
	var pd pairingDoc
	err := s.pairings.FindOne(ctx, filterID(p.Code)).Decode(&pd)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, kiosk.ErrPairingNotFound
	}
	if err != nil {
		return nil, storeErr("find pairing code", err)
	}
	res, err := s.pairings.DeleteOne(ctx, filterID(p.Code))
	if err != nil {
		return nil, storeErr("claim pairing code", err)
	}
	if res.DeletedCount != 1 || !now.Before(pd.ExpiresAt) {
		return nil, kiosk.ErrPairingNotFound
	}
	d, err := s.deviceDoc(ctx, pd.Device)
	if errors.Is(err, kiosk.ErrDeviceNotFound) || (err == nil && (d.Revoked || d.Paired)) {
		return nil, kiosk.ErrPairingNotFound
	}
	if err != nil {
		return nil, err
	}
	d.Agency, d.Counter, d.Name, d.Paired = p.Agency, p.Counter, p.Name, true
	d.PairingCode, d.PairingExpiresAt = "", time.Time{}
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "agency", Value: d.Agency}, {Key: "counter", Value: d.Counter}, {Key: "name", Value: d.Name}, {Key: "paired", Value: true}}},
		{Key: "$unset", Value: bson.D{{Key: "pairing_code", Value: ""}, {Key: "pairing_expires_at", Value: ""}}},
	}
	if _, err := s.devices.UpdateOne(ctx, filterID(d.ID), update); err != nil {
		return nil, storeErr("pair device", err)
	}
	return d, nil
}

// RevokeDevice revokes the device with id; its pairing code, if any, stops working too.
func (s *DeviceStore) RevokeDevice(ctx context.Context, id string) (*kiosk.Device, error) {
	d, err := s.deviceDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.devices.UpdateOne(ctx, filterID(id), bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}}); err != nil {
		return nil, storeErr("revoke device", err)
	}
	if d.PairingCode != "" {
		_, _ = s.pairings.DeleteOne(ctx, filterID(d.PairingCode))
	}
	d.Revoked = true
	return d, nil
}

// Devices lists every device with its activity.
func (s *DeviceStore) Devices(ctx context.Context) ([]kiosk.Device, error) {
	var out []kiosk.Device
	if err := readAll(ctx, s.devices, &out); err != nil {
		return nil, storeErr("list devices", err)
	}
	var acts []activityDoc
	if err := readAll(ctx, s.activity, &acts); err != nil {
		return nil, storeErr("list device activity", err)
	}
	byDevice := make(map[string]activityDoc, len(acts))
	for _, a := range acts {
		byDevice[a.ID] = a
	}
	for i := range out {
		a := byDevice[out[i].ID]
		out[i].LastSeen, out[i].LastRatingAt = a.LastSeen, a.LastRatingAt
	}
	return out, nil
}

// PairedCounters lists the counters with a paired, unrevoked device.
func (s *DeviceStore) PairedCounters(ctx context.Context) ([]string, error) {
	cur, err := s.devices.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "agency", Value: 1}, {Key: "counter", Value: 1}, {Key: "paired", Value: 1}, {Key: "revoked", Value: 1}}))
	if err != nil {
		return nil, storeErr("list paired counters", err)
	}
	var devices []kiosk.Device
	if err := cur.All(ctx, &devices); err != nil {
		return nil, storeErr("list paired counters", err)
	}
	var out []string
	for i := range devices {
		if d := &devices[i]; d.Paired && !d.Revoked {
			out = append(out, d.CounterKey())
		}
	}
	return out, nil
}

func readAll[T any](ctx context.Context, col *mongo.Collection, out *[]T) error {
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// TouchDevice records that the device was seen at now.
func (s *DeviceStore) TouchDevice(ctx context.Context, id string, now time.Time) error {
	return s.setActivity(ctx, id, bson.D{{Key: "last_seen", Value: now.UTC()}})
}

// RecordRating records that the device stored a rating given at at.
func (s *DeviceStore) RecordRating(ctx context.Context, id string, at time.Time) error {
	return s.setActivity(ctx, id, bson.D{{Key: "last_rating_at", Value: at.UTC()}, {Key: "last_seen", Value: at.UTC()}})
}

// setActivity upserts fields of the device's activity document. Two first upserts at once can
// collide on the _id; the second then updates the document the first created.
func (s *DeviceStore) setActivity(ctx context.Context, id string, set bson.D) error {
	var err error
	for range 2 {
		_, err = s.activity.UpdateOne(ctx, filterID(id), bson.D{{Key: "$set", Value: set}}, options.UpdateOne().SetUpsert(true))
		if !isDuplicate(err) {
			break
		}
	}
	return storeErr("record device activity", err)
}

// ResponseNonce returns the nonce of the response with id.
func (s *DeviceStore) ResponseNonce(ctx context.Context, id string) (string, bool, error) {
	var doc struct {
		Nonce string `bson:"nonce"`
	}
	err := s.responses.FindOne(ctx, filterID(id), options.FindOne().SetProjection(bson.D{{Key: "nonce", Value: 1}})).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", false, nil
	}
	if err != nil {
		return "", false, storeErr("find response", err)
	}
	return doc.Nonce, true, nil
}

func filterID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }
