// Package qr renders survey URLs as QR codes (PNG and SVG) for the slips
// handed to citizens, with a small in-memory LRU cache so reprints are cheap.
package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"

	lru "github.com/hashicorp/golang-lru/v2"
	qrcode "github.com/skip2/go-qrcode"
)

// Limits on PNG edge length (pixels) and content length (bytes).
const (
	// MinSize is the smallest PNG edge accepted; smaller codes scan poorly on cheap phones.
	MinSize = 128
	// MaxSize is the largest PNG edge accepted; it caps CPU and memory per request.
	MaxSize = 1024
	// DefaultSize is the PNG edge callers should use when the client gives none.
	DefaultSize = 256
	// MaxContentLen is the longest content, in bytes, that may be encoded.
	MaxContentLen = 1024
)

var (
	// ErrSize reports a PNG size outside [MinSize, MaxSize].
	ErrSize = fmt.Errorf("qr: size must be between %d and %d pixels", MinSize, MaxSize)
	// ErrContent reports empty content or content longer than MaxContentLen bytes.
	ErrContent = fmt.Errorf("qr: content must be between 1 and %d bytes", MaxContentLen)
)

// level is the error-correction level: Medium tolerates ~15% damage
// (creased or smudged slips) while keeping the symbol small.
const level = qrcode.Medium

// format identifies an output encoding in cache keys.
type format uint8

const (
	formatPNG format = iota + 1
	formatSVG
)

// cacheKey identifies one rendered code; size is zero for SVG.
type cacheKey struct {
	content string
	format  format
	size    int
}

// Generator renders QR codes and caches the encoded bytes.
// It is safe for concurrent use; the zero value works but caches nothing.
type Generator struct {
	cache *lru.Cache[cacheKey, []byte] // nil: no caching
}

// NewGenerator returns a Generator caching up to cacheEntries rendered codes;
// cacheEntries <= 0 disables caching.
func NewGenerator(cacheEntries int) *Generator {
	if cacheEntries <= 0 {
		return &Generator{}
	}
	cache, _ := lru.New[cacheKey, []byte](cacheEntries) // fails only for a size <= 0
	return &Generator{cache: cache}
}

// PNG returns content encoded as a size×size pixel PNG image.
// It returns ErrSize or ErrContent for invalid arguments.
func (g *Generator) PNG(content string, size int) ([]byte, error) {
	if size < MinSize || size > MaxSize {
		return nil, ErrSize
	}
	return g.render(cacheKey{content: content, format: formatPNG, size: size}, func(q *qrcode.QRCode) ([]byte, error) {
		return crispPNG(q, size)
	})
}

// SVG returns content encoded as a scalable SVG document whose
// coordinates are in QR modules, quiet zone included.
// It returns ErrContent for invalid content.
func (g *Generator) SVG(content string) ([]byte, error) {
	return g.render(cacheKey{content: content, format: formatSVG}, func(q *qrcode.QRCode) ([]byte, error) {
		return buildSVG(content, q.Bitmap()), nil
	})
}

// render validates key.content, serves it from the cache when possible and
// otherwise encodes it with enc, storing the result.
func (g *Generator) render(key cacheKey, enc func(*qrcode.QRCode) ([]byte, error)) ([]byte, error) {
	if err := checkContent(key.content); err != nil {
		return nil, err
	}
	if b, ok := g.lookup(key); ok {
		return b, nil
	}
	q, err := qrcode.New(key.content, level)
	if err != nil {
		return nil, fmt.Errorf("qr: encode: %w", err)
	}
	b, err := enc(q)
	if err != nil {
		return nil, fmt.Errorf("qr: render: %w", err)
	}
	g.store(key, b)
	return bytes.Clone(b), nil
}

// lookup returns a private copy of the cached bytes for key, if any.
func (g *Generator) lookup(key cacheKey) ([]byte, bool) {
	if g.cache == nil {
		return nil, false
	}
	b, ok := g.cache.Get(key)
	if !ok {
		return nil, false
	}
	return bytes.Clone(b), true
}

// store caches b under key; b must not be modified afterwards.
func (g *Generator) store(key cacheKey, b []byte) {
	if g.cache != nil {
		g.cache.Add(key, b)
	}
}

// cached is how many rendered codes the cache holds.
func (g *Generator) cached() int {
	if g.cache == nil {
		return 0
	}
	return g.cache.Len()
}

// checkContent enforces the content length bounds.
func checkContent(content string) error {
	if content == "" || len(content) > MaxContentLen {
		return ErrContent
	}
	return nil
}

// crispPNG draws q with a whole number of pixels per module, centred on a white size×size
// square: scaling modules to fit an exact size makes them uneven, and some decoders then fail.
func crispPNG(q *qrcode.QRCode, size int) ([]byte, error) {
	code := q.Image(-max(1, size/len(q.Bitmap())))
	canvas := image.NewGray(image.Rect(0, 0, size, size))
	draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
	off := image.Pt((size-code.Bounds().Dx())/2, (size-code.Bounds().Dy())/2)
	draw.Draw(canvas, code.Bounds().Add(off), code, code.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
