package qr

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

const (
	// token mimics a 32-byte random token in unpadded base64url (43 chars).
	token      = "3q2Xk9vLm0pQa7RbYc4Ze1Wf8Gh5Jn2Ks6Ud_-xVwAT"
	surveyURL  = "http://localhost:8080/s/" + token
	vietnamese = "Hài Lòng – đánh giá"
)

// contents are the payloads every round-trip test must reproduce exactly.
var contents = []string{surveyURL, vietnamese, `http://x/?a=1&b=<2>"'`}

func TestTokenLength(t *testing.T) {
	if len(token) != 43 {
		t.Fatalf("token length = %d, want 43", len(token))
	}
}

func TestPNGRoundTrip(t *testing.T) {
	g := NewGenerator(8)
	for _, size := range []int{MinSize, DefaultSize, MaxSize} {
		for _, content := range contents {
			t.Run(fmt.Sprintf("%d/%s", size, content), func(t *testing.T) {
				b, err := g.PNG(content, size)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if got := img.Bounds().Size(); got != image.Pt(size, size) {
					t.Errorf("image size = %v, want %dx%d", got, size, size)
				}
				assertDecodes(t, img, content)
			})
		}
	}
}

func TestSVGRoundTrip(t *testing.T) {
	g := NewGenerator(8)
	for _, content := range contents {
		t.Run(content, func(t *testing.T) {
			b, err := g.SVG(content)
			if err != nil {
				t.Fatal(err)
			}
			doc := parseSVG(t, b)
			if doc.Title != content {
				t.Errorf("title = %q, want %q", doc.Title, content)
			}
			if doc.Role != "img" || doc.ShapeRendering != "crispEdges" || doc.Path.Fill != "#000" || doc.Rect.Fill != "#fff" {
				t.Errorf("unexpected attributes: %+v", doc)
			}
			assertDecodes(t, rasterise(t, doc, 8), content)
		})
	}
}

func TestBounds(t *testing.T) {
	g := NewGenerator(4)
	for _, size := range []int{-1, 0, MinSize - 1, MaxSize + 1} {
		if _, err := g.PNG(surveyURL, size); !errors.Is(err, ErrSize) {
			t.Errorf("PNG size %d: err = %v, want ErrSize", size, err)
		}
	}
	for _, content := range []string{"", strings.Repeat("a", MaxContentLen+1)} {
		if _, err := g.PNG(content, DefaultSize); !errors.Is(err, ErrContent) {
			t.Errorf("PNG content len %d: err = %v, want ErrContent", len(content), err)
		}
		if _, err := g.SVG(content); !errors.Is(err, ErrContent) {
			t.Errorf("SVG content len %d: err = %v, want ErrContent", len(content), err)
		}
	}
	longest := strings.Repeat("a", MaxContentLen)
	if _, err := g.PNG(longest, MaxSize); err != nil {
		t.Errorf("PNG with %d bytes: %v", MaxContentLen, err)
	}
	if _, err := g.SVG(longest); err != nil {
		t.Errorf("SVG with %d bytes: %v", MaxContentLen, err)
	}
}

func TestCacheReturnsIdenticalBytes(t *testing.T) {
	g := NewGenerator(4)
	first, err := g.PNG(surveyURL, DefaultSize)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(first)
	first[0] ^= 0xff // callers mutating their copy must not poison the cache
	second, err := g.PNG(surveyURL, DefaultSize)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(second, want) {
		t.Fatal("cached PNG differs from the first rendering")
	}
	if n := g.cached(); n != 1 {
		t.Fatalf("cache entries = %d, want 1", n)
	}
}

func TestCacheIsBoundedLRU(t *testing.T) {
	const capacity = 3
	g := NewGenerator(capacity)
	render := func(i int) {
		t.Helper()
		if _, err := g.SVG(surveyURL + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if n := g.cached(); n > capacity {
			t.Fatalf("cache entries = %d, exceeds capacity %d", n, capacity)
		}
	}
	for i := range 10 {
		render(i)
	}
	render(7) // touch the oldest so 8 becomes the eviction victim
	render(10)
	cached := func(i int) bool {
		return g.cache.Contains(cacheKey{content: surveyURL + strconv.Itoa(i), format: formatSVG})
	}
	if !cached(7) || cached(8) || !cached(9) || !cached(10) {
		t.Fatal("cache did not evict the least recently used entry")
	}
}

func TestZeroValueGeneratorWorksWithoutCache(t *testing.T) {
	var g Generator
	for range 2 {
		if _, err := g.SVG(surveyURL); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.cached(); n != 0 {
		t.Fatalf("cache entries = %d, want 0", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	const capacity = 3
	g := NewGenerator(capacity)
	want := make(map[string][]byte)
	for i := range 6 {
		content := surveyURL + strconv.Itoa(i)
		b, err := NewGenerator(0).SVG(content)
		if err != nil {
			t.Fatal(err)
		}
		want[content] = b
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 30 {
				content := surveyURL + strconv.Itoa((w+i)%6)
				b, err := g.SVG(content)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(b, want[content]) {
					t.Errorf("SVG for %q differs under concurrency", content)
				}
				if i%10 == 0 {
					if _, err := g.PNG(content, MinSize); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := g.cached(); n > capacity {
		t.Fatalf("cache entries = %d, exceeds capacity %d", n, capacity)
	}
}

// svgDoc mirrors the SVG document the generator emits.
type svgDoc struct {
	XMLName        xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox        string   `xml:"viewBox,attr"`
	ShapeRendering string   `xml:"shape-rendering,attr"`
	Role           string   `xml:"role,attr"`
	Title          string   `xml:"title"`
	Rect           struct {
		Fill string `xml:"fill,attr"`
	} `xml:"rect"`
	Path struct {
		Fill string `xml:"fill,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
}

// parseSVG checks that b is well-formed XML and decodes it.
func parseSVG(t *testing.T, b []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("invalid SVG XML: %v\n%s", err, b)
	}
	return doc
}

// runRE matches one run rectangle exactly as buildSVG writes it.
var runRE = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// rasterise paints the path of doc into a grey image at scale px per module.
func rasterise(t *testing.T, doc svgDoc, scale int) image.Image {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &n); err != nil {
		t.Fatalf("viewBox %q: %v", doc.ViewBox, err)
	}
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	runs := runRE.FindAllStringSubmatch(doc.Path.D, -1)
	consumed := 0
	for _, m := range runs {
		consumed += len(m[0])
		x, y, w := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3])
		if m[3] != m[4] || x+w > n || y >= n {
			t.Fatalf("malformed run %q in %d-module symbol", m[0], n)
		}
		fill(img, image.Rect(x*scale, y*scale, (x+w)*scale, (y+1)*scale))
	}
	if consumed != len(doc.Path.D) {
		t.Fatalf("path has unparsed commands: %q", doc.Path.D)
	}
	return img
}

func fill(img *image.Gray, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertDecodes scans img with ZXing and checks the payload is exactly want.
func assertDecodes(t *testing.T, img image.Image, want string) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The images are clean and axis-aligned: read them as such first, since the generic
	// detector of this decoder misses about one clean code in ten (zbar reads them all; see
	// TestZbarReadsEveryToken).
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		res, err = zxqr.NewQRCodeReader().Decode(bmp, nil)
	}
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got := res.GetText(); got != want {
		t.Fatalf("decoded %q, want %q", got, want)
	}
}

func BenchmarkPNG(b *testing.B) {
	g := NewGenerator(0)
	for b.Loop() {
		if _, err := g.PNG(surveyURL, DefaultSize); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

func BenchmarkPNGCached(b *testing.B) {
	g := NewGenerator(16)
	if _, err := g.PNG(surveyURL, DefaultSize); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := g.PNG(surveyURL, DefaultSize); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

func BenchmarkSVG(b *testing.B) {
	g := NewGenerator(0)
	for b.Loop() {
		if _, err := g.SVG(surveyURL); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

// reportRate records throughput as QR codes per second.
func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "qr/s")
}

// TestEveryTokenScans decodes many survey URLs with random tokens at every common size: a QR
// that a decoder cannot read is a citizen who cannot rate.
func TestEveryTokenScans(t *testing.T) {
	g := NewGenerator(0)
	raw := make([]byte, 24)
	for i := range 24 {
		_, _ = rand.Read(raw)
		url := "https://hailong.example.gov.vn/s/" + base64.RawURLEncoding.EncodeToString(raw)
		size := []int{MinSize, 200, DefaultSize, 300, 512, MaxSize}[i%6]
		b, err := g.PNG(url, size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		assertDecodes(t, img, url)
	}
}

// TestZbarReadsEveryToken scans PNG codes of random survey URLs with zbarimg, the decoder of
// the zbar-tools package that desktop scanners use (test.sh installs it).
func TestZbarReadsEveryToken(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("zbarimg is needed: apt-get install zbar-tools")
	}
	g := NewGenerator(0)
	raw := make([]byte, 24)
	dir := t.TempDir()
	for i := range 30 {
		_, _ = rand.Read(raw)
		url := "https://hailong.example.gov.vn/s/" + base64.RawURLEncoding.EncodeToString(raw)
		b, err := g.PNG(url, []int{MinSize, DefaultSize, 512}[i%3])
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, strconv.Itoa(i)+".png")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "-q", "--raw", file).Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != url {
			t.Fatalf("zbarimg read %q (%v), want %q", got, err, url)
		}
	}
}
