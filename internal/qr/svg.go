package qr

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// buildSVG renders bitmap (true = dark module, quiet zone included) as an SVG
// whose viewBox is measured in modules. Dark modules are merged into
// horizontal runs and drawn as a single path to keep the file small.
func buildSVG(title string, bitmap [][]bool) []byte {
	n := strconv.Itoa(len(bitmap))
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + ` ` + n +
		`" shape-rendering="crispEdges" role="img"><title>`)
	_ = xml.EscapeText(&b, []byte(title)) // writes to a bytes.Buffer never fail
	b.WriteString(`</title><rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	for y, row := range bitmap {
		writeRuns(&b, y, row)
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}

// writeRuns appends one "MxyhWv1h-Wz" rectangle per run of dark modules in row y.
func writeRuns(b *bytes.Buffer, y int, row []bool) {
	for x := 0; x < len(row); {
		if !row[x] {
			x++
			continue
		}
		start := x
		for x < len(row) && row[x] {
			x++
		}
		b.Write(appendRun(b.AvailableBuffer(), start, y, x-start))
	}
}

// appendRun appends the path commands for a w×1 rectangle at (x, y) to dst.
func appendRun(dst []byte, x, y, w int) []byte {
	dst = append(dst, 'M')
	dst = strconv.AppendInt(dst, int64(x), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, 'h')
	dst = strconv.AppendInt(dst, int64(w), 10)
	dst = append(dst, "v1h-"...)
	dst = strconv.AppendInt(dst, int64(w), 10)
	return append(dst, 'z')
}
