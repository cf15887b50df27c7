package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/testkit/pdftext"
)

// quarter3 is the third quarter of 2026 with a cut-off on the 15th: 15/06 to 14/09.
func quarter3Document(t *testing.T) *Document {
	t.Helper()
	p, err := ReportingPeriod(stats.PeriodQuarter, 2026, 3, 15)
	if err != nil {
		t.Fatal(err)
	}
	cur := &Report{Agency: "Hài Lòng", Period: p, Kind: stats.PeriodQuarter, Year: 2026, Index: 3, CutoffDay: 15,
		Overall: fieldResult(), ByAgency: agencyResult(), ByCriterion: stats.Result{},
		FollowUp: cases.Figures{Overall: cases.Row{Opened: 20, Settled: 19, SettledRate: 0.95, OnTimeRate: 0.9, Overdue: 1}}}
	t90 := 0.9
	prev := &Report{Overall: stats.Result{Overall: stats.Group{Figure: stats.NewFigure(80, 100, &t90)},
		Groups: []stats.Group{{Key: "land", Figure: stats.NewFigure(70, 100, &t90)}}}}
	return &Document{
		Identity: org.Identity{Name: "Trung tâm Phục vụ hành chính công", Parent: "UBND thị xã Hương Trà",
			Place: "Hương Trà", NumberPrefix: "TTPVHCC", SignerTitle: "Giám đốc", SignerName: "Nguyễn Văn Bình",
			Recipients: []string{"Phòng Nội vụ", "UBND thị xã (b/c)"}},
		Report: cur, Previous: prev,
		Draft: Draft{Number: "12", Shortcomings: "Lĩnh vực đất đai còn chậm.\nThiếu ghế chờ.",
			Causes: "Hồ sơ tồn đọng.", Solutions: "Bổ sung nhân lực <ngay>."},
		Date: stats.NewDate(2026, 10, 5), Lang: "vi",
	}
}

// agencyResult: Tân An 36 of 40 = 90.0% (target 90%: meets), SIPAS index 88.0%; Hòa Lạc 9 of 12
// = 75.0% (below by the plain rate; under 30 ratings, so statistically insufficient), index
// 92.0%: first by satisfaction Tân An, first by the index Hòa Lạc.
func agencyResult() stats.Result {
	t90, i1, i2 := 0.9, 0.88, 0.92
	gs := []stats.Group{
		{Key: "ta", Label: "UBND xã Tân An", Figure: stats.NewFigure(36, 40, &t90)},
		{Key: "hl", Label: "UBND xã Hòa Lạc", Figure: stats.NewFigure(9, 12, &t90)},
	}
	gs[0].SIPASIndex, gs[1].SIPASIndex = &i1, &i2
	for i := range gs {
		gs[i].RateStatus = stats.RateStatus(gs[i].Figure)
	}
	stats.Rank(gs)
	return stats.Result{GroupBy: stats.ByAgency, Groups: gs}
}

// The heading, the figures and the manager's text are all in the document as written, in the
// order Nghị định 30 gives them, with the date's day padded and the quarter named by the
// calendar although the cut-off moves its dates.
func TestDocumentText(t *testing.T) {
	d := quarter3Document(t)
	h := d.Head()
	for got, want := range map[string]string{
		h.Parent: "UBND THỊ XÃ HƯƠNG TRÀ", h.Issuer: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
		h.Number: "Số: 12/BC-TTPVHCC", h.PlaceDate: "Hương Trà, ngày 05 tháng 10 năm 2026",
		h.Range: "(Kỳ báo cáo từ ngày 15/06/2026 đến ngày 14/09/2026)",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if !strings.HasSuffix(h.Subject, "quý III năm 2026") {
		t.Errorf("subject %q does not name quarter III of 2026", h.Subject)
	}
	d.Date = stats.NewDate(2027, 2, 3)
	if got := d.Head().PlaceDate; got != "Hương Trà, ngày 03 tháng 02 năm 2027" {
		t.Errorf("February date = %q", got)
	}
	var text []string
	for _, p := range d.Body() {
		text = append(text, p.Heading+p.Text)
		if p.Table != nil {
			for _, r := range p.Table.Rows {
				text = append(text, strings.Join(r, "|"))
			}
		}
	}
	all := strings.Join(text, "\n")
	// 1080 of 1234 = 87.52% satisfied; the previous quarter 80 of 100; land 85 of 100 now, 70 before.
	for _, want := range []string{"87,5%", "Kỳ trước đạt 80,0%; cùng kỳ năm trước đạt —", "Đất đai|100|85,0%|70,0%|—|85,0%|Đạt",
		"Tiếp nhận 20 phản ánh", "4. Xếp hạng đơn vị (thi đua)",
		"UBND xã Tân An|40|90,0%|1|88,0%|2", "UBND xã Hòa Lạc|12|75,0%|2|92,0%|1",
		"- UBND xã Hòa Lạc: 75,0% (chỉ tiêu 90,0%, 12 phiếu). (dưới 30 phiếu: tỷ lệ chưa đủ tin cậy về mặt thống kê)",
		"II. TỒN TẠI, HẠN CHẾ\nLĩnh vực đất đai còn chậm.\nThiếu ghế chờ.", "III. NGUYÊN NHÂN\nHồ sơ tồn đọng."} {
		if !strings.Contains(all, want) {
			t.Errorf("body lacks %q:\n%s", want, all)
		}
	}
	c := d.Closing()
	if c.SignerTitle != "GIÁM ĐỐC" || strings.Join(c.Recipients, "\n") != "- Phòng Nội vụ;\n- UBND thị xã (b/c);\n- Lưu: VT." {
		t.Errorf("closing = %+v", c)
	}
}

// The Word file is a well-formed package whose parts parse as XML.
func TestDOCXPackage(t *testing.T) {
	var buf bytes.Buffer
	if err := quarter3Document(t).WriteDOCX(&buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
		r, _ := f.Open()
		dec := xml.NewDecoder(r)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"} {
		if !names[n] {
			t.Errorf("missing %s", n)
		}
	}
}

// LibreOffice opens the file and prints what a reader of the PDF sees: the Quốc hiệu, the
// Tiêu ngữ, number, date, subject, the four sections and the signer.
func TestDOCXRendersInLibreOffice(t *testing.T) {
	var buf bytes.Buffer
	if err := quarter3Document(t).WriteDOCX(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := pdftext.FromDOCX(t, buf.Bytes())
	for _, want := range []string{
		"UBND THỊ XÃ HƯƠNG TRÀ", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc", "Số: 12/BC-TTPVHCC", "Hương Trà, ngày 05 tháng 10 năm 2026", "BÁO CÁO",
		"quý III năm 2026", "I. KẾT QUẢ", "II. TỒN TẠI, HẠN CHẾ", "III. NGUYÊN NHÂN", "IV. GIẢI PHÁP, KIẾN NGHỊ",
		"Bổ sung nhân lực <ngay>.", "87,5%", "Xếp hạng đơn vị (thi đua)", "UBND xã Hòa Lạc", "Nơi nhận:", "- Lưu: VT.", "GIÁM ĐỐC", "Nguyễn Văn Bình",
	} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, pdf)
		}
	}
}
