package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// TestWriteCSV: the CSV is data a spreadsheet reads as numbers in any locale: UTF-8 with a BOM,
// ISO dates, plain digits and dot decimals, headings in the page's language.
func TestWriteCSV(t *testing.T) {
	tests := []struct {
		lang string
		want []string
	}{
		{"vi", []string{
			"Nhóm,Từ ngày,Đến ngày,Số phiếu,Hài lòng,Tỷ lệ hài lòng (%),Khoảng tin cậy 95%: cận dưới (%),Khoảng tin cậy 95%: cận trên (%),Chỉ tiêu (%),Tỷ lệ phản hồi (%),Chỉ số hồ sơ (QĐ 766) (%),Chỉ số SIPAS (%),Hồ sơ đúng hạn (%),Hồ sơ trực tuyến (%),Đi lại thêm 1 lần (%),Đi lại từ 2 lần (%),Đề nghị phản ánh,Bị đòi tiền,Đánh giá,Theo tỷ lệ",
			`Chung,2026-01-01,2026-03-31,1234,1080,87.52,85.56,89.25,90,80,95,,,,,,0,0,Chưa đạt (rõ ràng),Chưa đạt`,
			`Đất đai,2026-01-01,2026-03-31,100,85,85,76.72,90.69,85,,,,,,,,0,0,Đạt,Đạt`,
			`Hộ tịch,2026-01-01,2026-03-31,100,88,88,80.19,93,90,,,,,,,,0,0,Chưa đạt,Chưa đạt`,
			`Tư pháp,2026-01-01,2026-03-31,50,40,80,66.96,88.76,90,,,,,,,,0,0,Chưa đạt (rõ ràng),Chưa đạt`,
			`'=1+1,2026-01-01,2026-03-31,40,30,75,59.81,85.81,,,,,,,,,0,0,,`,
			`health,2026-01-01,2026-03-31,10,5,50,23.66,76.34,90,,,,,,,,0,0,Chưa đủ mẫu,Chưa đạt`,
			`Nguyễn Văn A,2026-01-01,2026-03-31,,,,,,,,,,,,,,,,ẩn (dưới 10 phiếu),`,
		}},
		{"en", []string{
			"Group,From,To,Responses,Satisfied,Satisfaction (%),95% interval: lower bound (%),95% interval: upper bound (%),Target (%),Response rate (%),Dossier ratio (Decision 766) (%),SIPAS index (%),Dossiers on time (%),Dossiers online (%),One extra trip (%),Two or more extra trips (%),Complaints,Asked for money,Status,By the rate",
			`Overall,2026-01-01,2026-03-31,1234,1080,87.52,85.56,89.25,90,80,95,,,,,,0,0,Clearly below,Below`,
			`Đất đai,2026-01-01,2026-03-31,100,85,85,76.72,90.69,85,,,,,,,,0,0,Meets,Meets`,
			`Hộ tịch,2026-01-01,2026-03-31,100,88,88,80.19,93,90,,,,,,,,0,0,Below,Below`,
			`Tư pháp,2026-01-01,2026-03-31,50,40,80,66.96,88.76,90,,,,,,,,0,0,Clearly below,Below`,
			`'=1+1,2026-01-01,2026-03-31,40,30,75,59.81,85.81,,,,,,,,,0,0,,`,
			`health,2026-01-01,2026-03-31,10,5,50,23.66,76.34,90,,,,,,,,0,0,Too few responses,Below`,
			`Nguyễn Văn A,2026-01-01,2026-03-31,,,,,,,,,,,,,,,,hidden (under 10 responses),`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, fieldResult(), tt.lang); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if !strings.HasPrefix(got, "\xEF\xBB\xBF") {
				t.Fatalf("no UTF-8 BOM: %q", got[:min(len(got), 8)])
			}
			want := "\uFEFF" + strings.Join(tt.want, "\r\n") + "\r\n"
			if got != want {
				t.Errorf("csv:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestGuardRow(t *testing.T) {
	row := []string{"=cmd|'/C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Phường 1", "", "—"}
	want := []string{"'=cmd|'/C calc'!A0", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "Phường 1", "", "—"}
	guardRow(row)
	for i := range want {
		if row[i] != want[i] {
			t.Errorf("cell %d = %q, want %q", i, row[i], want[i])
		}
	}
}

// Managers' files by counter add the tickets issued by hand, beside the rest; a group without
// such figures has empty cells there, and a file without the option has no such columns.
func TestWriteCSVHandIssued(t *testing.T) {
	res := fieldResult()
	share, sat, other := 0.25, 0.5, 0.875
	res.Groups[0].Hand = &stats.HandIssued{Tickets: 5, Share: &share, Responses: 4, Satisfaction: &sat, OtherResponses: 16, OtherSatisfaction: &other, SameClient: 1}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, res, "en", CSVOptions{HandIssued: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\r\n")
	if want := ",Asked for money,Hand-issued tickets,Hand-issued share (%),Satisfaction – hand-issued (%),Satisfaction – other tickets (%),Answered from the issuing browser,Status,"; !strings.Contains(lines[0], want) {
		t.Errorf("heading %q lacks %q", lines[0], want)
	}
	if want := ",0,0,5,25,50,87.5,1,Meets,"; !strings.Contains(lines[2], want) {
		t.Errorf("row %q lacks %q", lines[2], want)
	}
	if want := ",0,0,,,,,,Below,"; !strings.Contains(lines[3], want) {
		t.Errorf("a group without hand-issued figures: %q lacks %q", lines[3], want)
	}
	buf.Reset()
	if err := WriteCSV(&buf, res, "en"); err != nil || strings.Contains(buf.String(), "Hand-issued") {
		t.Errorf("a file without the option has hand-issued columns (%v)", err)
	}
}
