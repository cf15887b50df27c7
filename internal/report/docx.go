package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// WriteDOCX writes the document as a Word file (Office Open XML, ISO/IEC 29500 transitional) on
// A4 in Times New Roman, laid out as Nghị định 30/2020/NĐ-CP asks: the heading in two columns,
// the type and subject centred, the body justified with a first-line indent, then the
// recipients and the signer side by side. Word and LibreOffice open it.
func (d *Document) WriteDOCX(w io.Writer) error {
	var body bytes.Buffer
	d.docxHead(&body)
	for _, p := range d.Body() {
		switch {
		case p.Table != nil:
			docxFigures(&body, p.Table)
		case p.Level == 1:
			docxPara(&body, p.Heading, pStyle{bold: true, size: 28, before: 120, after: 60, align: "both"})
		case p.Level == 2:
			docxPara(&body, p.Heading, pStyle{bold: true, size: 28, before: 60, after: 60, align: "both", indent: 567})
		default:
			docxPara(&body, p.Text, pStyle{size: 28, after: 60, align: "both", indent: 567})
		}
	}
	d.docxClosing(&body)
	body.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`)
	z := zip.NewWriter(w)
	files := []struct{ name, content string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", rootRelsXML},
		{"word/_rels/document.xml.rels", documentRelsXML},
		{"word/styles.xml", stylesXML},
		{"word/settings.xml", settingsXML},
		{"docProps/core.xml", d.coreXML()},
		{"word/document.xml", documentOpen + body.String() + documentClose},
	}
	for _, f := range files {
		fw, err := z.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.content); err != nil {
			return err
		}
	}
	return z.Close()
}

// Text widths in twentieths of a point: A4 less 30 mm left and 20 mm right margins.
const (
	textWidth  = 9071
	headIndent = -425 // the heading reaches 7.5 mm into the left margin, so the Quốc hiệu fits one line
	headLeft   = 3544
	headRight  = textWidth - headIndent - headLeft
	closeLeft  = 4536
	closeRight = textWidth - closeLeft
)

// docxHead writes the heading table, then the document type and subject.
func (d *Document) docxHead(b *bytes.Buffer) {
	h := d.Head()
	b.WriteString(strings.Replace(tableOpen(false, headLeft, headRight), `<w:tblBorders>`, `<w:tblInd w:w="`+strconv.Itoa(headIndent)+`" w:type="dxa"/><w:tblBorders>`, 1))
	b.WriteString(`<w:tr>`)
	cellOpen(b, headLeft)
	if h.Parent != "" {
		docxPara(b, h.Parent, pStyle{size: 26, align: "center"})
	}
	docxPara(b, h.Issuer, pStyle{bold: true, size: 26, align: "center", rule: 1300, width: headLeft})
	cellClose(b)
	cellOpen(b, headRight)
	docxPara(b, h.Nation, pStyle{bold: true, size: 24, align: "center"})
	docxPara(b, h.Motto, pStyle{bold: true, size: 26, align: "center", rule: 3300, width: headRight})
	cellClose(b)
	b.WriteString(`</w:tr><w:tr>`)
	cellOpen(b, headLeft)
	docxPara(b, h.Number, pStyle{size: 26, align: "center", before: 120})
	cellClose(b)
	cellOpen(b, headRight)
	docxPara(b, h.PlaceDate, pStyle{italic: true, size: 28, align: "center", before: 120})
	cellClose(b)
	b.WriteString(`</w:tr></w:tbl>`)
	docxPara(b, h.Type, pStyle{bold: true, size: 28, align: "center", before: 360})
	docxPara(b, h.Subject, pStyle{bold: true, size: 28, align: "center", rule: 2000, width: textWidth})
	if h.Range != "" {
		docxPara(b, h.Range, pStyle{italic: true, size: 26, align: "center"})
	}
	docxPara(b, "", pStyle{size: 14})
}

// docxClosing writes the recipients at left and the signer at right.
func (d *Document) docxClosing(b *bytes.Buffer) {
	c := d.Closing()
	docxPara(b, "", pStyle{size: 14})
	b.WriteString(tableOpen(false, closeLeft, closeRight))
	b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
	cellOpen(b, closeLeft)
	docxPara(b, c.RecipientsLabel, pStyle{bold: true, italic: true, size: 24})
	for _, r := range c.Recipients {
		docxPara(b, r, pStyle{size: 22})
	}
	cellClose(b)
	cellOpen(b, closeRight)
	docxPara(b, c.SignerTitle, pStyle{bold: true, size: 28, align: "center"})
	for range 4 {
		docxPara(b, "", pStyle{size: 28})
	}
	docxPara(b, c.SignerName, pStyle{bold: true, size: 28, align: "center"})
	cellClose(b)
	b.WriteString(`</w:tr></w:tbl>`)
	docxPara(b, "", pStyle{size: 14}) // Word wants a paragraph between a table and the section's end
}

// docxFigures writes a bordered figures table, its header row bold and repeated on each page.
func docxFigures(b *bytes.Buffer, t *Table) {
	n := len(t.Header)
	widths := make([]int, n)
	first := textWidth * 3 / 10
	if n == 4 {
		first = textWidth * 4 / 10
	}
	widths[0] = first
	for i := 1; i < n; i++ {
		widths[i] = (textWidth - first) / (n - 1)
	}
	b.WriteString(tableOpen(true, widths...))
	b.WriteString(`<w:tr><w:trPr><w:tblHeader/></w:trPr>`)
	for i, h := range t.Header {
		cellOpen(b, widths[i])
		docxPara(b, h, pStyle{bold: true, size: 22, align: "center"})
		cellClose(b)
	}
	b.WriteString(`</w:tr>`)
	for _, row := range t.Rows {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for i, v := range row {
			cellOpen(b, widths[min(i, n-1)])
			align := "center"
			if i == 0 {
				align = "left"
			}
			docxPara(b, v, pStyle{size: 22, align: align})
			cellClose(b)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	docxPara(b, "", pStyle{size: 14})
}

// pStyle is how one paragraph looks: sizes in half-points, spacing and indent in twentieths of
// a point; rule draws a short centred line under the paragraph, that many twips long.
type pStyle struct {
	bold, italic  bool
	size          int
	align         string
	before, after int
	indent        int
	rule, width   int // a line under the paragraph, rule twips long, centred in width
}

func docxPara(b *bytes.Buffer, text string, s pStyle) {
	b.WriteString(`<w:p><w:pPr>`)
	b.WriteString(`<w:spacing w:before="` + strconv.Itoa(s.before) + `" w:after="` + strconv.Itoa(s.after) + `" w:line="264" w:lineRule="auto"/>`)
	if s.indent > 0 {
		b.WriteString(`<w:ind w:firstLine="` + strconv.Itoa(s.indent) + `"/>`)
	}
	if s.align != "" {
		b.WriteString(`<w:jc w:val="` + s.align + `"/>`)
	}
	b.WriteString(`</w:pPr>`)
	if text != "" {
		b.WriteString(`<w:r>` + runProps(s) + `<w:t xml:space="preserve">`)
		xml.EscapeText(b, []byte(xmlSafe(text)))
		b.WriteString(`</w:t></w:r>`)
	}
	b.WriteString(`</w:p>`)
	if s.rule > 0 {
		docxRule(b, s.rule, s.width)
	}
}

// docxRule draws the short centred line Nghị định 30 puts under the issuing agency, the Tiêu
// ngữ and the subject: an empty paragraph with a bottom border, indented to length twips.
func docxRule(b *bytes.Buffer, length, width int) {
	side := strconv.Itoa(max(0, (width-length)/2))
	b.WriteString(`<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>` +
		`<w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/><w:ind w:left="` + side + `" w:right="` + side + `"/>` +
		`<w:rPr><w:sz w:val="8"/></w:rPr></w:pPr></w:p>`)
}

func runProps(s pStyle) string {
	var p strings.Builder
	p.WriteString(`<w:rPr>`)
	if s.bold {
		p.WriteString(`<w:b/><w:bCs/>`)
	}
	if s.italic {
		p.WriteString(`<w:i/><w:iCs/>`)
	}
	sz := strconv.Itoa(s.size)
	p.WriteString(`<w:sz w:val="` + sz + `"/><w:szCs w:val="` + sz + `"/></w:rPr>`)
	return p.String()
}

// xmlSafe drops the characters XML 1.0 cannot carry at all (control characters but tab, line
// feed and carriage return), which xml.EscapeText would otherwise turn into U+FFFD.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' {
			return -1
		}
		if r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}

// tableOpen starts a fixed-layout table of the given column widths, bordered or not.
func tableOpen(borders bool, widths ...int) string {
	var b strings.Builder
	total := 0
	for _, w := range widths {
		total += w
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(total) + `" w:type="dxa"/>`)
	val := "nil"
	if borders {
		val = "single"
	}
	b.WriteString(`<w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="` + val + `" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		b.WriteString(`<w:gridCol w:w="` + strconv.Itoa(w) + `"/>`)
	}
	b.WriteString(`</w:tblGrid>`)
	return b.String()
}

func cellOpen(b *bytes.Buffer, width int) {
	b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(width) + `" w:type="dxa"/></w:tcPr>`)
}

func cellClose(b *bytes.Buffer) { b.WriteString(`</w:tc>`) }

func (d *Document) coreXML() string {
	var title bytes.Buffer
	xml.EscapeText(&title, []byte(xmlSafe(d.Head().Type+" "+d.Head().Subject)))
	var creator bytes.Buffer
	xml.EscapeText(&creator, []byte(xmlSafe(d.Identity.Agency(d.Report.Agency))))
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + title.String() + `</dc:title><dc:creator>` + creator.String() + `</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>`
}

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const rootRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

const documentRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/></Relationships>`

const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>`

const settingsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`

const documentOpen = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`

const documentClose = `</w:body></w:document>`
