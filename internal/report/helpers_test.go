package report

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/hailong/hailong/internal/stats"
	"github.com/xuri/excelize/v2"
)

// quarter1 is the first quarter of 2026.
var quarter1 = stats.Period{From: stats.NewDate(2026, 1, 1), To: stats.NewDate(2026, 3, 31)}

// fieldResult is a hand-made answer grouped by field covering every status, a group at exactly
// its 85% target, one with no target (and a formula-like label) and a hidden one.
func fieldResult() stats.Result {
	t90, t85 := 0.9, 0.85
	rate, ratio, issued := 0.8, 0.95, int64(1543)
	overall := stats.Group{Figure: stats.NewFigure(1080, 1234, &t90), Answered: 1240, Misuse: 6,
		Issued: &issued, ResponseRate: &rate, DossierRatio: &ratio}
	return stats.Result{From: quarter1.From, To: quarter1.To, GroupBy: stats.ByField, Overall: overall,
		Groups: []stats.Group{
			{Key: "land", Label: "Đất đai", Figure: stats.NewFigure(85, 100, &t85)},
			{Key: "civil-status", Label: "Hộ tịch", Figure: stats.NewFigure(88, 100, &t90)},
			{Key: "justice", Label: "Tư pháp", Figure: stats.NewFigure(40, 50, &t90)},
			{Key: "x", Label: "=1+1", Figure: stats.NewFigure(30, 40, nil)},
			{Key: "health", Figure: stats.NewFigure(5, 10, &t90)},
			{Key: "ag/c1/o1", Label: "Nguyễn Văn A", Hidden: true, Figure: stats.Figure{Status: stats.StatusInsufficient}},
		}}
}

// excelFile is a reopened workbook.
type excelFile = *excelize.File

func itoa(n int) string { return strconv.Itoa(n) }

func openXLSX(t *testing.T, buf *bytes.Buffer) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("reopen xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// shown is a cell as Excel displays it (number formats applied).
func shown(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// number asserts a cell holds a number and returns it.
func number(t *testing.T, f *excelize.File, sheet, ref string) float64 {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
		t.Fatalf("%s!%s: type %v, %v; want a number", sheet, ref, typ, err)
	}
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	v, perr := strconv.ParseFloat(raw, 64)
	if err != nil || perr != nil {
		t.Fatalf("%s!%s = %q: not a number (%v, %v)", sheet, ref, raw, err, perr)
	}
	return v
}

func cellStyle(t *testing.T, f *excelize.File, sheet, ref string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s style: %v", sheet, ref, err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatalf("%s!%s style %d: %v", sheet, ref, id, err)
	}
	return st
}

// assertPercent asserts a cell is the number want shown with the "0.0%" format.
func assertPercent(t *testing.T, f *excelize.File, sheet, ref string, want float64) {
	t.Helper()
	// Excel keeps 15 significant digits.
	if got := number(t, f, sheet, ref); math.Abs(got-want) > 1e-12 {
		t.Errorf("%s!%s = %v, want %v", sheet, ref, got, want)
	}
	if st := cellStyle(t, f, sheet, ref); st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0%" {
		t.Errorf("%s!%s number format = %v, want 0.0%%", sheet, ref, st.CustomNumFmt)
	}
}

// assertStatus asserts a cell says word on the given fill colour.
func assertStatus(t *testing.T, f *excelize.File, sheet, ref, word, fill string) {
	t.Helper()
	if got := shown(t, f, sheet, ref); got != word {
		t.Errorf("%s!%s = %q, want %q", sheet, ref, got, word)
	}
	st := cellStyle(t, f, sheet, ref)
	if len(st.Fill.Color) == 0 || st.Fill.Color[0] != fill {
		t.Errorf("%s!%s fill = %v, want %s", sheet, ref, st.Fill.Color, fill)
	}
}

// rowOf finds the first row whose column A reads label.
func rowOf(t *testing.T, f *excelize.File, sheet, label string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return i + 1
		}
	}
	t.Fatalf("%s: no row %q", sheet, label)
	return 0
}
