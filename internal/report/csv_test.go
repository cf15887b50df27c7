package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteCSV(t *testing.T) {
	tests := []struct {
		lang string
		want []string
	}{
		{"vi", []string{
			"Nhóm,Số phiếu,Hài lòng,Tỷ lệ hài lòng,Khoảng tin cậy 95%,Chỉ tiêu,Đánh giá,Tỷ lệ phản hồi,Chỉ số hồ sơ (QĐ 766),Theo tỷ lệ,Chỉ số SIPAS,Hồ sơ đúng hạn,Hồ sơ trực tuyến,Đi lại thêm 1 lần,Đi lại từ 2 lần,Đề nghị phản ánh,Bị đòi tiền",
			`Chung,1.234,1.080,"87,5%","85,6% – 89,2%","90,0%",Chưa đạt (rõ ràng),"80,0%","95,0%",Chưa đạt,—,—,—,—,—,0,0`,
			`Đất đai,100,85,"85,0%","76,7% – 90,7%","85,0%",Đạt,—,—,Đạt,—,—,—,—,—,0,0`,
			`Hộ tịch,100,88,"88,0%","80,2% – 93,0%","90,0%",Chưa đạt,—,—,Chưa đạt,—,—,—,—,—,0,0`,
			`Tư pháp,50,40,"80,0%","67,0% – 88,8%","90,0%",Chưa đạt (rõ ràng),—,—,Chưa đạt,—,—,—,—,—,0,0`,
			`'=1+1,40,30,"75,0%","59,8% – 85,8%",—,—,—,—,—,—,—,—,—,—,0,0`,
			`health,10,5,"50,0%","23,7% – 76,3%","90,0%",Chưa đủ mẫu,—,—,Chưa đạt,—,—,—,—,—,0,0`,
			`Nguyễn Văn A,—,—,—,—,—,ẩn (dưới 10 phiếu),—,—,—,—,—,—,—,—,—,—`,
		}},
		{"en", []string{
			"Group,Responses,Satisfied,Satisfaction,95% interval,Target,Status,Response rate,Dossier ratio (Decision 766),By the rate,SIPAS index,Dossiers on time,Dossiers online,One extra trip,Two or more extra trips,Complaints,Asked for money",
			`Overall,"1,234","1,080",87.5%,85.6% – 89.2%,90.0%,Clearly below,80.0%,95.0%,Below,—,—,—,—,—,0,0`,
			`Đất đai,100,85,85.0%,76.7% – 90.7%,85.0%,Meets,—,—,Meets,—,—,—,—,—,0,0`,
			`Hộ tịch,100,88,88.0%,80.2% – 93.0%,90.0%,Below,—,—,Below,—,—,—,—,—,0,0`,
			`Tư pháp,50,40,80.0%,67.0% – 88.8%,90.0%,Clearly below,—,—,Below,—,—,—,—,—,0,0`,
			`'=1+1,40,30,75.0%,59.8% – 85.8%,—,—,—,—,—,—,—,—,—,—,0,0`,
			`health,10,5,50.0%,23.7% – 76.3%,90.0%,Too few responses,—,—,Below,—,—,—,—,—,0,0`,
			`Nguyễn Văn A,—,—,—,—,—,hidden (under 10 responses),—,—,—,—,—,—,—,—,—,—`,
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
