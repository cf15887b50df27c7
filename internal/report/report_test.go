package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
)

func TestReportTitle(t *testing.T) {
	period := func(kind string, index int) stats.Period {
		p, err := stats.PeriodOf(kind, 2026, index)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	custom := stats.Period{From: stats.NewDate(2026, 2, 1), To: stats.NewDate(2026, 3, 15)}
	tests := []struct {
		kind   string
		p      stats.Period
		vi, en string
	}{
		{stats.PeriodQuarter, period(stats.PeriodQuarter, 1), "Báo cáo sự hài lòng quý I/2026", "Satisfaction report for Q1 2026"},
		{stats.PeriodQuarter, period(stats.PeriodQuarter, 4), "Báo cáo sự hài lòng quý IV/2026", "Satisfaction report for Q4 2026"},
		{stats.PeriodHalf, period(stats.PeriodHalf, 1), "Báo cáo sự hài lòng 6 tháng đầu năm 2026", "Satisfaction report for the first half of 2026"},
		{stats.PeriodHalf, period(stats.PeriodHalf, 2), "Báo cáo sự hài lòng 6 tháng cuối năm 2026", "Satisfaction report for the second half of 2026"},
		{stats.PeriodNineMonths, period(stats.PeriodNineMonths, 0), "Báo cáo sự hài lòng 9 tháng năm 2026", "Satisfaction report for the first nine months of 2026"},
		{stats.PeriodYear, period(stats.PeriodYear, 0), "Báo cáo sự hài lòng năm 2026", "Satisfaction report for 2026"},
		{stats.PeriodMonth, period(stats.PeriodMonth, 3), "Báo cáo sự hài lòng tháng 3/2026", "Satisfaction report for March 2026"},
		{KindCustom, custom, "Báo cáo sự hài lòng từ 01/02/2026 đến 15/03/2026", "Satisfaction report from 01/02/2026 to 15/03/2026"},
		{"", custom, "Báo cáo sự hài lòng từ 01/02/2026 đến 15/03/2026", "Satisfaction report from 01/02/2026 to 15/03/2026"},
	}
	for _, tt := range tests {
		if got := ReportTitle(tt.kind, tt.p, "vi"); got != tt.vi {
			t.Errorf("ReportTitle(%q, %v, vi) = %q, want %q", tt.kind, tt.p, got, tt.vi)
		}
		if got := ReportTitle(tt.kind, tt.p, "en"); got != tt.en {
			t.Errorf("ReportTitle(%q, %v, en) = %q, want %q", tt.kind, tt.p, got, tt.en)
		}
	}
}

func sampleReport() *Report {
	t90 := 0.9
	at := func(day, hour int) time.Time {
		return time.Date(2026, 3, day, hour, 0, 0, 0, stats.TimeZone())
	}
	criteria := stats.Result{From: quarter1.From, To: quarter1.To, GroupBy: stats.ByCriterion,
		Overall: stats.Group{Figure: stats.NewFigure(1080, 1234, &t90)},
		Groups:  []stats.Group{{Key: "staff", Label: "Công chức", Figure: stats.NewFigure(300, 320, &t90)}}}
	return &Report{
		Agency: "UBND phường Hòa Bình", Period: quarter1, Kind: stats.PeriodQuarter,
		GeneratedAt: time.Date(2026, 4, 2, 1, 30, 0, 0, time.UTC),
		Overall:     fieldResult(), ByCriterion: criteria,
		FollowUp: followUpFigures(),
		Comments: []Comment{
			{At: at(10, 9), Field: "Hộ tịch", Agency: "Phường 1", Overall: 5, Text: "Cán bộ nhiệt tình"},
			{At: at(5, 9), Field: "Đất đai", Agency: "Phường 2", Overall: 1, Text: "Trễ hẹn, gọi 0912 345 678 hoặc a.b@mail.vn"},
			{At: at(20, 9), Field: "Đất đai", Agency: "Phường 1", Overall: 2, Text: "Phải đi lại nhiều lần"},
			{At: at(25, 9), Field: "Tư pháp", Agency: "Phường 1", Overall: 1, Text: "   "},
		},
	}
}

// followUpFigures are one unit's cases: 20 opened, 19 settled, 18 of them on time.
func followUpFigures() cases.Figures {
	median, t95, t100 := 3.0, 0.95, 1.0
	r := cases.Row{Key: "P1", Label: "Phường 1", Opened: 20, Settled: 19, SettledRate: 0.95, SettledOnTime: 18,
		OnTimeRate: 18.0 / 19, MedianDays: &median, TargetSettled: &t95, TargetOnTime: &t100, Status: stats.StatusInsufficient}
	return cases.Figures{Overall: r, Groups: []cases.Row{r}}
}

func TestReportWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().WriteXLSX(&buf, "vi"); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, &buf)
	want := []string{"Tổng hợp", "Theo lĩnh vực", "Theo cơ quan", "Theo tiêu chí SIPAS", "Theo tháng", "Theo kênh", "Phản ánh, kiến nghị", "Ý kiến"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	t.Run("summary", func(t *testing.T) { checkSummary(t, f) })
	t.Run("breakdowns", func(t *testing.T) { checkBreakdowns(t, f) })
	t.Run("comments", func(t *testing.T) { checkComments(t, f) })
	t.Run("follow-up", func(t *testing.T) { checkFollowUp(t, f) })
}

// checkFollowUp reads the follow-up sheet: 20 cases opened, 19 settled (95%), 18 of the 19
// settled or overdue handled on time (18 ÷ 19 = 94.7%), none overdue, 3 working days median.
func checkFollowUp(t *testing.T, f excelFile) {
	const s = "Phản ánh, kiến nghị"
	row := itoa(rowOf(t, f, s, "Phường 1"))
	if got := shown(t, f, s, "B"+row); got != "20" {
		t.Errorf("opened = %q, want 20", got)
	}
	assertPercent(t, f, s, "D"+row, 0.95)
	assertPercent(t, f, s, "F"+row, 18.0/19)
	if got := shown(t, f, s, "H"+row); got != "3" {
		t.Errorf("median working days = %q, want 3", got)
	}
}

func checkSummary(t *testing.T, f excelFile) {
	const s = "Tổng hợp"
	for ref, want := range map[string]string{
		"A1": "Báo cáo sự hài lòng quý I/2026", "A2": "Từ 01/01/2026 đến 31/03/2026",
	} {
		if got := shown(t, f, s, ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	value := func(label string) string { return "B" + itoa(rowOf(t, f, s, label)) }
	if got := shown(t, f, s, value("Cơ quan")); got != "UBND phường Hòa Bình" {
		t.Errorf("agency = %q", got)
	}
	if got := shown(t, f, s, value("Ngày lập")); got != "02/04/2026 08:30" {
		t.Errorf("generated = %q", got)
	}
	assertPercent(t, f, s, value("Tỷ lệ hài lòng chung"), 1080.0/1234)
	assertPercent(t, f, s, value("Chỉ tiêu"), 0.9)
	assertPercent(t, f, s, value("Chỉ số hồ sơ (QĐ 766)"), 0.95)
	assertStatus(t, f, s, value("Đánh giá"), "Chưa đạt (rõ ràng)", "F4B6B6")
	for label, n := range map[string]float64{"Số phiếu đánh giá": 1234, "Số phiếu bị loại (lạm dụng)": 6, "Số hồ sơ được phát mã khảo sát": 1543} {
		if got := number(t, f, s, value(label)); got != n {
			t.Errorf("%s = %v, want %v", label, got, n)
		}
	}
	// Fields below target, lowest first: Tư pháp (80%), Hộ tịch (88%); nothing else.
	row := rowOf(t, f, s, "Lĩnh vực chưa đạt chỉ tiêu")
	for i, want := range []string{"Lĩnh vực", "Tư pháp", "Hộ tịch", ""} {
		if got := shown(t, f, s, "A"+itoa(row+1+i)); got != want {
			t.Errorf("below-target row %d = %q, want %q", i, got, want)
		}
	}
	assertStatus(t, f, s, "E"+itoa(row+2), "Chưa đạt (rõ ràng)", "F4B6B6")
	assertPercent(t, f, s, "C"+itoa(row+3), 0.88)
}

func checkBreakdowns(t *testing.T, f excelFile) {
	if got := shown(t, f, "Theo lĩnh vực", "A1"); got != "Báo cáo sự hài lòng quý I/2026 – Theo lĩnh vực" {
		t.Errorf("field sheet title = %q", got)
	}
	assertStatus(t, f, "Theo lĩnh vực", "H5", "Đạt", "C6EFCE")
	if got := shown(t, f, "Theo tiêu chí SIPAS", "A5"); got != "Công chức" {
		t.Errorf("criterion row = %q", got)
	}
	assertPercent(t, f, "Theo tiêu chí SIPAS", "D5", 300.0/320)
	// An empty breakdown still has its header and an overall row.
	if got := shown(t, f, "Theo kênh", "A4"); got != "Chung" {
		t.Errorf("empty channel sheet A4 = %q", got)
	}
}

func checkComments(t *testing.T, f excelFile) {
	const s = "Ý kiến"
	want := [][]string{
		{"Thời điểm", "Lĩnh vực", "Cơ quan", "Mức hài lòng chung", "Ý kiến"},
		{"20/03/2026 09:00", "Đất đai", "Phường 1", "2 – Không hài lòng", "Phải đi lại nhiều lần"},
		{"05/03/2026 09:00", "Đất đai", "Phường 2", "1 – Rất không hài lòng", "Trễ hẹn, gọi [***] hoặc [***]"},
		{"10/03/2026 09:00", "Hộ tịch", "Phường 1", "5 – Rất hài lòng", "Cán bộ nhiệt tình"},
	}
	rows, err := f.GetRows(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+len(want) {
		t.Fatalf("comment sheet has %d rows, want %d: %q", len(rows), 2+len(want), rows)
	}
	for i, w := range want {
		if !slices.Equal(rows[2+i], w) {
			t.Errorf("row %d = %q, want %q", 3+i, rows[2+i], w)
		}
	}
}

func TestReportWriteXLSXEnglish(t *testing.T) {
	r := sampleReport()
	r.Comments = nil
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf, "en"); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, &buf)
	want := []string{"Summary", "By field", "By agency", "By SIPAS criterion", "By month", "By channel", "Follow-up cases", "Comments"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	checks := []struct{ sheet, ref, want string }{
		{"Summary", "A1", "Satisfaction report for Q1 2026"},
		{"Summary", "A2", "From 01/01/2026 to 31/03/2026"},
		{"Comments", "A4", "No comments in this period."},
	}
	for _, c := range checks {
		if got := shown(t, f, c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.ref, got, c.want)
		}
	}
	row := rowOf(t, f, "Summary", "Overall satisfaction")
	assertPercent(t, f, "Summary", "B"+itoa(row), 1080.0/1234)
}

func TestCleanComment(t *testing.T) {
	// Comments stored before masking at storage are masked here; long ones are shortened.
	if got, want := cleanComment("  CCCD 001203012345 "), "CCCD [***]"; got != want {
		t.Errorf("cleanComment = %q, want %q", got, want)
	}
	if got := cleanComment(strings.Repeat("a", maxCommentRunes+5)); utf8.RuneCountInString(got) != maxCommentRunes+1 {
		t.Errorf("a long comment keeps %d characters, want %d", utf8.RuneCountInString(got), maxCommentRunes+1)
	}
}
