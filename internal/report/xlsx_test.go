package report

import (
	"bytes"
	"testing"
)

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	res := fieldResult()
	if err := WriteXLSX(&buf, res, "Hài lòng theo lĩnh vực", "vi"); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, &buf)
	const s = "Số liệu"
	if got := f.GetSheetList(); len(got) != 1 || got[0] != s {
		t.Fatalf("sheets = %v", got)
	}
	texts := map[string]string{
		"A1": "Hài lòng theo lĩnh vực", "A2": "Từ 01/01/2026 đến 31/03/2026",
		"A3": "Nhóm", "E3": "Khoảng tin cậy 95% (từ)", "J3": "Chỉ số hồ sơ (QĐ 766)",
		"A4": "Chung", "A5": "Đất đai", "A8": "=1+1", "G8": "—", "H8": "—", "A9": "health",
		"A10": "Nguyễn Văn A", "B10": "—", "D10": "—",
	}
	for ref, want := range texts {
		if got := shown(t, f, s, ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	if got := number(t, f, s, "B4"); got != 1234 {
		t.Errorf("B4 = %v, want 1234", got)
	}
	assertPercent(t, f, s, "D4", res.Overall.Satisfaction)
	assertPercent(t, f, s, "E4", res.Overall.CILow)
	assertPercent(t, f, s, "F4", res.Overall.CIHigh)
	assertPercent(t, f, s, "G5", 0.85)
	assertPercent(t, f, s, "J4", 0.95)
	if got := shown(t, f, s, "D4"); got != "87.5%" {
		t.Errorf("D4 shows %q, want 87.5%%", got)
	}
	assertStatus(t, f, s, "H4", "Chưa đạt (rõ ràng)", "F4B6B6")
	assertStatus(t, f, s, "H5", "Đạt", "C6EFCE")
	assertStatus(t, f, s, "H6", "Chưa đạt", "FFD966")
	assertStatus(t, f, s, "H9", "Chưa đủ mẫu", "D9D9D9")
	assertStatus(t, f, s, "H10", "ẩn (dưới 10 phiếu)", "D9D9D9")
	panes, err := f.GetPanes(s)
	if err != nil || !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes = %+v, %v; want header frozen", panes, err)
	}
	if w, _ := f.GetColWidth(s, "A"); w != 34 {
		t.Errorf("column A width = %v", w)
	}
}

func TestWriteXLSXEnglish(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, fieldResult(), "Satisfaction by field", "en"); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, &buf)
	const s = "Figures"
	for ref, want := range map[string]string{
		"A2": "From 01/01/2026 to 31/03/2026", "A3": "Group", "A4": "Overall",
		"H5": "Meets", "H10": "hidden (under 10 responses)",
	} {
		if got := shown(t, f, s, ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
}
