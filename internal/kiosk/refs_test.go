package kiosk_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/kiosk"
)

func TestSealedReferencesOpenOnlyWithTheirKey(t *testing.T) {
	refs, err := kiosk.NewRefs(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 8, 15, 0, 123_000_000, time.UTC)
	d := kiosk.CurrentDossier{Counter: kiosk.CounterKey("000.00.53.H48", "Q1"), Token: "tk_0123456789abcdefghijklmn", IssuedAt: at}
	ref := refs.Seal(&d)
	if !kiosk.ValidRef(ref) || !kiosk.Sealed(ref) || strings.Contains(ref, d.Token) || strings.Contains(ref, "H48") {
		t.Fatalf("reference %q: valid %v; it must not show the token or the counter", ref, kiosk.ValidRef(ref))
	}
	if again := refs.Seal(&d); again != ref {
		t.Fatalf("one dossier sealed twice: %q and %q", ref, again)
	}
	got, err := refs.Open(ref)
	if err != nil || got.Counter != d.Counter || got.Token != d.Token || !got.IssuedAt.Equal(at) || got.Ref != ref {
		t.Fatalf("open: %+v %v", got, err)
	}
	other := d
	other.Token = "tk_zyxwvutsrqponmlkjihgfedc"
	if refs.Seal(&other) == ref {
		t.Fatal("two dossiers share a reference")
	}
	stranger, _ := kiosk.NewRefs(bytes.Repeat([]byte{8}, 32))
	tampered := []byte(ref)
	tampered[len(tampered)-3] ^= 1
	for name, bad := range map[string]string{
		"another key's":      stranger.Seal(&d),
		"tampered":           string(tampered),
		"cut short":          ref[:len(ref)-10],
		"not base64":         "rfs_!!!!",
		"a stored reference": "ref_0123456789abcdefghijklmn",
		"empty":              "",
	} {
		if got, err := refs.Open(bad); err == nil {
			t.Errorf("%s reference opened: %+v", name, got)
		}
	}
}
