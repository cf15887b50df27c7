package org

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"regexp"
	"strings"

	"github.com/hailong/hailong/internal/survey"
)

var (
	errLogoSize   = survey.Errorf(survey.CodeInvalid, "error.logo_size")
	errLogoFormat = survey.Errorf(survey.CodeInvalid, "error.logo_format")
)

// CheckLogo accepts an emblem of at most MaxLogoBytes: a PNG that decodes, or an SVG, which is
// returned rebuilt from an allow-list of drawing elements and attributes (no scripts, event
// handlers, links, styles, foreign objects or external references). It returns the bytes to
// store and their media type.
func CheckLogo(data []byte) ([]byte, string, error) {
	if len(data) == 0 || len(data) > MaxLogoBytes {
		return nil, "", errLogoSize
	}
	if bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
			return nil, "", errLogoFormat
		}
		return data, logoTypePNG, nil
	}
	svg, err := SanitizeSVG(data)
	if err != nil {
		return nil, "", errLogoFormat
	}
	return svg, logoTypeSVG, nil
}

// svgElements are the SVG elements an emblem may keep: shapes, groups, gradients, text.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "circle": true, "ellipse": true, "rect": true, "line": true,
	"polyline": true, "polygon": true, "text": true, "tspan": true, "defs": true, "title": true, "desc": true,
	"linearGradient": true, "radialGradient": true, "stop": true, "clipPath": true,
}

// svgAttrs are the attributes those elements may keep; their values pass safeValue too.
var svgAttrs = map[string]bool{
	"id": true, "viewBox": true, "width": true, "height": true, "x": true, "y": true, "x1": true, "y1": true,
	"x2": true, "y2": true, "cx": true, "cy": true, "r": true, "rx": true, "ry": true, "d": true, "points": true,
	"fill": true, "fill-opacity": true, "fill-rule": true, "stroke": true, "stroke-width": true, "stroke-opacity": true,
	"stroke-linecap": true, "stroke-linejoin": true, "stroke-miterlimit": true, "stroke-dasharray": true, "opacity": true,
	"transform": true, "offset": true, "stop-color": true, "stop-opacity": true, "gradientUnits": true,
	"gradientTransform": true, "fx": true, "fy": true, "clip-path": true, "clip-rule": true, "clipPathUnits": true,
	"font-family": true, "font-size": true, "font-weight": true, "text-anchor": true, "dx": true, "dy": true,
	"preserveAspectRatio": true, "version": true,
}

// urlRef is the only url() a value may hold: a reference inside the same document.
var urlRef = regexp.MustCompile(`(?i)url\(\s*#[A-Za-z0-9_.-]+\s*\)`)

func safeValue(v string) bool {
	rest := urlRef.ReplaceAllString(v, "")
	low := strings.ToLower(rest)
	return !strings.Contains(low, "url(") && !strings.Contains(low, "script:") && !strings.ContainsAny(rest, "<>\\&")
}

const svgNS = "http://www.w3.org/2000/svg"

// SanitizeSVG rebuilds an SVG document from its allowed parts: an element outside the allow-list
// is dropped with everything inside it, and so is any attribute outside it (namespaced ones, such
// as xlink:href, included). Doctypes, entities, processing instructions and comments go too.
func SanitizeSVG(data []byte) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = map[string]string{}
	var out bytes.Buffer
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	depth, skip, root := 0, 0, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if skip > 0 || !allowedElement(t.Name, depth) {
				skip++
				continue
			}
			root = root || depth == 1
			writeStart(&out, t, depth == 1)
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			out.WriteString("</" + t.Name.Local + ">")
		case xml.CharData:
			if skip == 0 && depth > 0 {
				xml.EscapeText(&out, t)
			}
		case xml.Directive:
			return nil, errors.New("svg: directives are not allowed")
		}
	}
	if !root {
		return nil, errors.New("svg: no svg root")
	}
	return out.Bytes(), nil
}

func allowedElement(n xml.Name, depth int) bool {
	if n.Space != svgNS && n.Space != "" {
		return false
	}
	if depth == 1 {
		return n.Local == "svg"
	}
	return svgElements[n.Local] && n.Local != "svg"
}

func writeStart(out *bytes.Buffer, t xml.StartElement, root bool) {
	out.WriteString("<" + t.Name.Local)
	if root {
		out.WriteString(` xmlns="` + svgNS + `"`)
	}
	for _, a := range t.Attr {
		if a.Name.Space != "" || !svgAttrs[a.Name.Local] || !safeValue(a.Value) {
			continue
		}
		out.WriteString(" " + a.Name.Local + `="`)
		xml.EscapeText(out, []byte(a.Value))
		out.WriteString(`"`)
	}
	out.WriteString(">")
}
