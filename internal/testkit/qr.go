package testkit

import (
	"bytes"
	"image"
	_ "image/png" // decode PNG QR images
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads the text of a QR code image the way a phone's scanner would.
func DecodeQR(t testing.TB, img []byte) string {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("decode image: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(m)
	if err != nil {
		t.Fatalf("bitmap: %v", err)
	}
	// Generated images are clean and axis-aligned: read them as such first, then as a photo.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		res, err = qrcode.NewQRCodeReader().Decode(bmp, nil)
	}
	if err != nil {
		t.Fatalf("QR does not scan: %v", err)
	}
	return res.GetText()
}
