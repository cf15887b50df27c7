package mongodb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

var kioskNow = time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC)

func pairing(code string) kiosk.Pairing {
	return kiosk.Pairing{Code: code, Agency: "000.00.53.H48", Counter: "c1", Name: "Quầy 1"}
}

func TestDeviceIsStoredByTheHashOfItsTokenOnly(t *testing.T) {
	db := testkit.Store(t)
	s := mongodb.NewDeviceStore(db)
	ctx := context.Background()
	token, d, err := s.CreateDevice(ctx, kioskNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != kiosk.DeviceID(token) || d.Paired || len(d.PairingCode) != kiosk.PairingCodeLength {
		t.Fatalf("new device %+v", d)
	}
	if !d.PairingExpiresAt.Equal(kioskNow.Add(kiosk.PairingTTL)) {
		t.Fatalf("pairing code expires at %v, want 10 minutes after creation", d.PairingExpiresAt)
	}
	raw, err := db.DB.Collection("kiosk_devices").FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw.String(), token) {
		t.Fatalf("the device document holds the token itself: %s", raw)
	}
	got, err := s.Device(ctx, d.ID)
	if err != nil || got.PairingCode != d.PairingCode {
		t.Fatalf("Device: %+v, %v", got, err)
	}
	if _, err := s.Device(ctx, kiosk.DeviceID("hlk_forged")); !errors.Is(err, kiosk.ErrDeviceNotFound) {
		t.Fatalf("unknown device: %v", err)
	}
}

func TestPairingCodeIsUsedOnceAndExpires(t *testing.T) {
	s := mongodb.NewDeviceStore(testkit.Store(t))
	ctx := context.Background()
	_, d, err := s.CreateDevice(ctx, kioskNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PairDevice(ctx, pairing(d.PairingCode), kioskNow.Add(kiosk.PairingTTL)); !errors.Is(err, kiosk.ErrPairingNotFound) {
		t.Fatalf("pairing with an expired code: %v", err)
	}

	_, d, err = s.CreateDevice(ctx, kioskNow)
	if err != nil {
		t.Fatal(err)
	}
	paired, err := s.PairDevice(ctx, pairing(d.PairingCode), kioskNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !paired.Paired || paired.Counter != "c1" || paired.Name != "Quầy 1" || paired.PairingCode != "" {
		t.Fatalf("paired device %+v", paired)
	}
	if _, err := s.PairDevice(ctx, pairing(d.PairingCode), kioskNow.Add(time.Minute)); !errors.Is(err, kiosk.ErrPairingNotFound) {
		t.Fatalf("pairing twice with one code: %v", err)
	}
	stored, _ := s.Device(ctx, d.ID)
	if !stored.Paired || stored.Agency != "000.00.53.H48" || stored.PairingCode != "" {
		t.Fatalf("stored device after pairing %+v", stored)
	}
}

func TestOneCodeEnteredTwiceAtOncePairsOnce(t *testing.T) {
	s := mongodb.NewDeviceStore(testkit.Store(t))
	ctx := context.Background()
	_, d, err := s.CreateDevice(ctx, kioskNow)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := pairing(d.PairingCode)
			p.Counter = "c" + string(rune('1'+i))
			if _, err := s.PairDevice(ctx, p, kioskNow); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d admins paired the tablet with one code, want 1", won)
	}
}

func TestRenewedCodeReplacesTheOldOne(t *testing.T) {
	s := mongodb.NewDeviceStore(testkit.Store(t))
	ctx := context.Background()
	_, d, _ := s.CreateDevice(ctx, kioskNow)
	later := kioskNow.Add(11 * time.Minute)
	renewed, err := s.RenewPairingCode(ctx, d.ID, later)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.PairingCode == d.PairingCode || !renewed.PairingExpiresAt.Equal(later.Add(kiosk.PairingTTL)) {
		t.Fatalf("renewed %+v from %+v", renewed, d)
	}
	if _, err := s.PairDevice(ctx, pairing(d.PairingCode), later); !errors.Is(err, kiosk.ErrPairingNotFound) {
		t.Fatalf("the old code still pairs: %v", err)
	}
	if _, err := s.PairDevice(ctx, pairing(renewed.PairingCode), later.Add(time.Minute)); err != nil {
		t.Fatalf("the renewed code: %v", err)
	}
}

func TestRevokedDeviceStaysRevokedWhileItReportsActivity(t *testing.T) {
	s := mongodb.NewDeviceStore(testkit.Store(t))
	ctx := context.Background()
	_, d, _ := s.CreateDevice(ctx, kioskNow)
	if _, err := s.PairDevice(ctx, pairing(d.PairingCode), kioskNow); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.TouchDevice(ctx, d.ID, kioskNow.Add(time.Duration(i)*time.Second))
		}()
	}
	if _, err := s.RevokeDevice(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := s.RecordRating(ctx, d.ID, kioskNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Device(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Revoked || !got.LastRatingAt.Equal(kioskNow.Add(time.Hour)) || !got.LastSeen.Equal(kioskNow.Add(time.Hour)) {
		t.Fatalf("device after revocation and activity: %+v", got)
	}
	list, err := s.Devices(ctx)
	if err != nil || len(list) != 1 || !list[0].Revoked || list[0].LastSeen.IsZero() {
		t.Fatalf("Devices: %+v, %v", list, err)
	}
}

func TestCurrentDossierIsKeptPerCounter(t *testing.T) {
	s := mongodb.NewDeviceStore(testkit.Store(t))
	ctx := context.Background()
	if cur, err := s.CurrentDossier(ctx, "a|c1"); cur != nil || err != nil {
		t.Fatalf("no dossier yet: %+v, %v", cur, err)
	}
	for i, tok := range []string{"tok-1", "tok-2"} {
		d := kiosk.CurrentDossier{Counter: "a|c1", Token: tok, Ref: "ref-" + tok, DossierCode: "H48-" + tok, IssuedAt: kioskNow.Add(time.Duration(i) * time.Minute)}
		if err := s.SetCurrentDossier(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetCurrentDossier(ctx, kiosk.CurrentDossier{Counter: "a|c2", Token: "tok-3", Ref: "ref-tok-3", IssuedAt: kioskNow}); err != nil {
		t.Fatal(err)
	}
	cur, err := s.CurrentDossier(ctx, "a|c1")
	if err != nil || cur.Token != "tok-2" || cur.Ref != "ref-tok-2" || cur.DossierCode != "H48-tok-2" || !cur.IssuedAt.Equal(kioskNow.Add(time.Minute)) {
		t.Fatalf("current dossier of c1: %+v, %v", cur, err)
	}
	// An earlier dossier's reference still redeems: its rating may wait in a tablet's queue.
	if d, err := s.DossierByRef(ctx, "ref-tok-1"); err != nil || d.Token != "tok-1" || d.Counter != "a|c1" {
		t.Fatalf("DossierByRef(ref-tok-1): %+v, %v", d, err)
	}
	if _, err := s.DossierByRef(ctx, "ref-unknown"); !errors.Is(err, kiosk.ErrRefNotFound) {
		t.Fatalf("unknown reference: %v", err)
	}
	if _, err := s.PurgeUnpaired(ctx, kioskNow.Add(kiosk.RefTTL+30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DossierByRef(ctx, "ref-tok-1"); !errors.Is(err, kiosk.ErrRefNotFound) {
		t.Fatalf("a reference older than a week and a day was kept: %v", err)
	}
	if d, err := s.DossierByRef(ctx, "ref-tok-2"); err != nil || d.Token != "tok-2" {
		t.Fatalf("a younger reference was purged: %+v, %v", d, err)
	}
}

func TestResponseNonceTellsKioskSubmissionsApart(t *testing.T) {
	f := newFixture(t)
	s := mongodb.NewDeviceStore(f.db)
	ctx := context.Background()
	tk := f.ticket(1, "land")
	r := survey.NewResponse(tk, &survey.Definition{ID: "kiosk-quick", Version: 1}, survey.Answers{Overall: 4}, survey.ChannelKiosk, "vi", kioskNow)
	r.Nonce = kiosk.KioskNonce("0b8f0c1e-4b7d-4e0b-9a55-1f0f2b7c9d11")
	if err := f.responses.SubmitResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	nonce, found, err := s.ResponseNonce(ctx, tk.Token)
	if err != nil || !found || kiosk.IdempotencyKeyOf(nonce) != "0b8f0c1e-4b7d-4e0b-9a55-1f0f2b7c9d11" {
		t.Fatalf("ResponseNonce: %q %v %v", nonce, found, err)
	}
	if _, found, err := s.ResponseNonce(ctx, "nope"); found || err != nil {
		t.Fatalf("ResponseNonce of nothing: %v %v", found, err)
	}
}

// A tablet that asked for a pairing code and was never paired (or a flood of such requests)
// must not stay in the store: a day after its last code expired it is gone, with its codes and
// activity. Paired tablets and tablets still waiting stay.
func TestUnpairedDevicesArePurgedAfterADay(t *testing.T) {
	db := testkit.Store(t)
	s := mongodb.NewDeviceStore(db)
	ctx := context.Background()
	_, stale, _ := s.CreateDevice(ctx, kioskNow)
	if err := s.TouchDevice(ctx, stale.ID, kioskNow); err != nil {
		t.Fatal(err)
	}
	_, paired, _ := s.CreateDevice(ctx, kioskNow)
	if _, err := s.PairDevice(ctx, pairing(paired.PairingCode), kioskNow); err != nil {
		t.Fatal(err)
	}
	_, waiting, _ := s.CreateDevice(ctx, kioskNow)
	purgeAt := kioskNow.Add(kiosk.PairingTTL + kiosk.UnpairedTTL + time.Minute)
	if _, err := s.RenewPairingCode(ctx, waiting.ID, purgeAt.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	n, err := s.PurgeUnpaired(ctx, purgeAt)
	if err != nil || n != 1 {
		t.Fatalf("PurgeUnpaired = %d, %v; want 1 device", n, err)
	}
	if _, err := s.Device(ctx, stale.ID); !errors.Is(err, kiosk.ErrDeviceNotFound) {
		t.Errorf("the device unpaired for a day is still there: %v", err)
	}
	for col, id := range map[string]string{"kiosk_pairings": stale.PairingCode, "kiosk_activity": stale.ID} {
		if n, _ := db.DB.Collection(col).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}}); n != 0 {
			t.Errorf("%s still holds the purged device's record %s", col, id)
		}
	}
	for _, id := range []string{paired.ID, waiting.ID} {
		if _, err := s.Device(ctx, id); err != nil {
			t.Errorf("device %s was purged: %v", id, err)
		}
	}
	if left, _ := db.DB.Collection("kiosk_pairings").CountDocuments(ctx, bson.D{}); left != 1 {
		t.Errorf("%d pairing codes left, want the waiting tablet's one", left)
	}
}
