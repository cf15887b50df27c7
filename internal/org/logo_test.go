package org

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
)

// An emblem keeps its drawing and loses everything that could run, load or link.
func TestSanitizeSVG(t *testing.T) {
	in := `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
<script>alert(2)</script><style>@import url(http://x/);</style>
<g fill="url(#grad)"><circle cx="5" cy="5" r="4" onclick="alert(3)" stroke="url(http://evil/x)"/></g>
<a xlink:href="javascript:alert(4)"><rect width="1" height="1"/></a>
<foreignObject><div>html</div></foreignObject>
<image href="http://tracker/p.png"/><use xlink:href="#a"/>
<text x="1" y="9">Trung tâm &amp; UBND</text></svg>`
	out, err := SanitizeSVG([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, gone := range []string{"script", "alert", "style", "@import", "onload", "onclick", "http://evil", "javascript", "foreignObject", "html", "image", "tracker", "use", "xlink"} {
		if strings.Contains(s, gone) {
			t.Errorf("sanitised SVG still holds %q:\n%s", gone, s)
		}
	}
	for _, kept := range []string{`viewBox="0 0 10 10"`, `fill="url(#grad)"`, `<circle cx="5" cy="5" r="4">`, "Trung tâm &amp; UBND", `xmlns="http://www.w3.org/2000/svg"`} {
		if !strings.Contains(s, kept) {
			t.Errorf("sanitised SVG lost %q:\n%s", kept, s)
		}
	}
}

func TestCheckLogo(t *testing.T) {
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	if _, typ, err := CheckLogo(pngBuf.Bytes()); err != nil || typ != "image/png" {
		t.Errorf("PNG: %q, %v", typ, err)
	}
	for name, data := range map[string][]byte{
		"too big":     append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxLogoBytes)...),
		"broken png":  []byte("\x89PNG\r\n\x1a\nnot really"),
		"html":        []byte("<html><body>hi</body></html>"),
		"entity bomb": []byte(`<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>`),
		"empty":       nil,
	} {
		if _, _, err := CheckLogo(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestValidOrigin(t *testing.T) {
	for o, want := range map[string]bool{
		"https://huongtra.thuathienhue.gov.vn": true, "http://localhost:8080": true,
		"https://a.vn/": false, "https://*.vn": false, "https://a.vn; script-src *": false, "javascript:x": false,
		"https://user@a.vn": false, "a.vn": false, "https://a.vn https://b.vn": false,
	} {
		if ValidOrigin(o) != want {
			t.Errorf("ValidOrigin(%q) = %v", o, !want)
		}
	}
}
