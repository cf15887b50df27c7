package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestDashboardCSVIsData: the CSV export opens in a spreadsheet as numbers whatever its locale:
// UTF-8 with a BOM, the period as ISO dates, counts as plain digits, percentages with a dot.
func TestDashboardCSVIsData(t *testing.T) {
	e := newEnv(t)
	for i := range 12 { // land dossiers, 9 satisfied: 75%
		rating := 5
		if i%4 == 0 {
			rating = 2
		}
		e.rate(fmt.Sprintf("CSV-260331-%04d", i), "land", "000.00.53.H48", rating)
	}
	e.settle()
	adm := e.signInAdmin()
	for _, lang := range []string{"vi", "en"} {
		status, hdr, body := adm.get("/dashboard/export.csv?period=custom&from=2026-03-01&to=2026-03-31&group_by=field&lang=" + lang)
		if status != http.StatusOK || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(body, "\uFEFF") {
			t.Fatalf("%s: %d %s, BOM %v", lang, status, hdr.Get("Content-Type"), strings.HasPrefix(body, "\uFEFF"))
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil || len(rows) < 3 {
			t.Fatalf("%s: %v %q", lang, err, body)
		}
		land := map[string]string{}
		for i, h := range rows[0] {
			land[h] = rows[2][i]
		}
		heads := map[string][2]string{"vi": {"Tỷ lệ hài lòng (%)", "Số phiếu"}, "en": {"Satisfaction (%)", "Responses"}}[lang]
		if land[heads[0]] != "75" || land[heads[1]] != "12" || rows[2][1] != "2026-03-01" || rows[2][2] != "2026-03-31" {
			t.Errorf("%s: land row %q under %q, want 75 and 12 with ISO dates", lang, rows[2], rows[0])
		}
		if strings.Contains(body, "75,0") || strings.Contains(body, "%,") || strings.Contains(body, "01/03/2026") {
			t.Errorf("%s: the CSV still holds formatted text: %q", lang, body)
		}
	}
}
