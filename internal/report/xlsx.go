package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/xuri/excelize/v2"
)

// percentFormat shows fractions as percentages with one decimal; Excel localises the separator.
const percentFormat = "0.0%"

// Excel's built-in "#,##0" number format, for counts.
const countFormat = 3

// column is a table column: its heading and its width in characters.
type column struct {
	head  survey.Text
	width float64
}

var figureColumns = []column{
	{survey.Msg("report.group"), 34},
	{survey.Msg("report.responses"), 11},
	{survey.Msg("report.satisfied"), 11},
	{survey.Msg("report.satisfaction"), 13},
	{survey.Msg("report.ci_low"), 15},
	{survey.Msg("report.ci_high"), 15},
	{survey.Msg("report.target"), 10},
	{survey.Msg("report.status"), 20},
	{survey.Msg("report.response_rate"), 13},
	{survey.Msg("report.dossier_ratio"), 17},
}

// statusFills colours status cells; the cell always carries the status word too.
var statusFills = map[string]string{
	stats.StatusLikelyBelow:  "F4B6B6", // red-ish
	stats.StatusBelow:        "FFD966", // amber
	stats.StatusMeets:        "C6EFCE", // green
	stats.StatusInsufficient: "D9D9D9", // grey
}

var figuresSheetName = survey.Msg("report.sheet.figures")

// WriteXLSX writes res as a one-sheet Excel workbook in lang: title, period, header, the
// overall row, then one row per group, with real numbers and a coloured, worded status.
func WriteXLSX(w io.Writer, res stats.Result, title, lang string) error {
	b, err := newBook(lang)
	if err != nil {
		return err
	}
	defer b.f.Close()
	p := stats.Period{From: res.From, To: res.To}
	if err := b.figuresSheet(figuresSheetName.In(lang), title, p, res); err != nil {
		return err
	}
	return b.write(w)
}

// book is a workbook being written in one language, with its styles.
type book struct {
	f      *excelize.File
	lang   string
	sheets int
	st     styles
}

// styles are the style ids a book uses; 0 is Excel's default.
type styles struct {
	title, bold, header, wrap, count, percent int
	status                                    map[string]int
}

func newBook(lang string) (*book, error) {
	b := &book{f: excelize.NewFile(), lang: lang}
	if err := b.makeStyles(); err != nil {
		b.f.Close()
		return nil, fmt.Errorf("report: xlsx styles: %w", err)
	}
	return b, nil
}

func (b *book) makeStyles() error {
	pct := percentFormat
	defs := []struct {
		id    *int
		style excelize.Style
	}{
		{&b.st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&b.st.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&b.st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: solid("DDEBF7"),
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&b.st.wrap, excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&b.st.count, excelize.Style{NumFmt: countFormat}},
		{&b.st.percent, excelize.Style{CustomNumFmt: &pct}},
	}
	for _, d := range defs {
		id, err := b.f.NewStyle(&d.style)
		if err != nil {
			return err
		}
		*d.id = id
	}
	return b.makeStatusStyles()
}

func (b *book) makeStatusStyles() error {
	b.st.status = make(map[string]int, len(statusFills))
	for status, color := range statusFills {
		id, err := b.f.NewStyle(&excelize.Style{Fill: solid(color)})
		if err != nil {
			return err
		}
		b.st.status[status] = id
	}
	return nil
}

func solid(color string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
}

// sheet adds a sheet named name; the first one replaces excelize's default sheet.
func (b *book) sheet(name string) (*sheet, error) {
	var err error
	if b.sheets == 0 {
		err = b.f.SetSheetName(b.f.GetSheetName(0), name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	if err != nil {
		return nil, fmt.Errorf("report: xlsx sheet %q: %w", name, err)
	}
	b.sheets++
	return &sheet{f: b.f, name: name}, nil
}

func (b *book) write(w io.Writer) error {
	b.f.SetActiveSheet(0)
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	return nil
}

// figuresSheet adds a sheet with one stats answer: title, period, header, overall, groups.
func (b *book) figuresSheet(name, title string, p stats.Period, res stats.Result) error {
	s, err := b.sheet(name)
	if err != nil {
		return err
	}
	b.heading(s, title, p)
	s.row(3, b.headerCells(figureColumns))
	s.row(4, b.groupCells(res.Overall, overallLabel.In(b.lang)))
	for i, g := range res.Groups {
		s.row(5+i, b.groupCells(g, groupLabel(g)))
	}
	s.widths(figureColumns)
	s.freeze(3)
	return s.done()
}

// heading writes the title and period rows every sheet starts with.
func (b *book) heading(s *sheet, title string, p stats.Period) {
	s.set(1, 1, cell{title, b.st.title})
	s.set(1, 2, cell{periodText(p, b.lang), 0})
}

func (b *book) headerCells(cols []column) []cell {
	cells := make([]cell, len(cols))
	for i, c := range cols {
		cells[i] = cell{c.head.In(b.lang), b.st.header}
	}
	return cells
}

// groupCells is one group as cells of figureColumns.
func (b *book) groupCells(g stats.Group, label string) []cell {
	if g.Hidden {
		return b.hiddenCells(label)
	}
	rated := g.Responses > 0
	return []cell{
		{label, 0},
		b.count(g.Responses),
		b.count(g.Satisfied),
		b.share(g.Satisfaction, rated),
		b.share(g.CILow, rated),
		b.share(g.CIHigh, rated),
		b.optShare(g.Target),
		b.status(g.Status),
		b.optShare(g.ResponseRate),
		b.optShare(g.DossierRatio),
	}
}

// hiddenCells shows a group too small to show: its label, dashes, and why.
func (b *book) hiddenCells(label string) []cell {
	cells := []cell{{label, 0}}
	for range 6 {
		cells = append(cells, cell{dash, 0})
	}
	note := cell{hiddenNote.In(b.lang), b.st.status[stats.StatusInsufficient]}
	return append(cells, note, cell{dash, 0}, cell{dash, 0})
}

func (b *book) count(n int64) cell { return cell{n, b.st.count} }

// share is a fraction as a percent-formatted number, or a dash when not known.
func (b *book) share(p float64, known bool) cell {
	if !known {
		return cell{dash, 0}
	}
	return cell{p, b.st.percent}
}

func (b *book) optShare(p *float64) cell {
	if p == nil {
		return cell{dash, 0}
	}
	return b.share(*p, true)
}

// status is the status word on the status colour.
func (b *book) status(status string) cell {
	return cell{StatusWord(status, b.lang), b.st.status[status]}
}

// cell is a value with its style id.
type cell struct {
	v     any
	style int
}

// sheet writes cells into one worksheet, keeping the first error.
type sheet struct {
	f    *excelize.File
	name string
	err  error
}

func (s *sheet) set(col, row int, c cell) {
	if s.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		err = s.f.SetCellValue(s.name, ref, c.v)
	}
	if err == nil && c.style != 0 {
		err = s.f.SetCellStyle(s.name, ref, ref, c.style)
	}
	s.err = err
}

func (s *sheet) row(row int, cells []cell) {
	for i, c := range cells {
		s.set(i+1, row, c)
	}
}

func (s *sheet) widths(cols []column) {
	for i, c := range cols {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err == nil {
			err = s.f.SetColWidth(s.name, name, name, c.width)
		}
		if s.err == nil {
			s.err = err
		}
	}
}

// freeze keeps rows 1..row in view while scrolling.
func (s *sheet) freeze(row int) {
	if s.err != nil {
		return
	}
	s.err = s.f.SetPanes(s.name, &excelize.Panes{
		Freeze: true, YSplit: row, TopLeftCell: "A" + strconv.Itoa(row+1), ActivePane: "bottomLeft",
	})
}

func (s *sheet) done() error {
	if s.err != nil {
		return fmt.Errorf("report: xlsx sheet %q: %w", s.name, s.err)
	}
	return nil
}
