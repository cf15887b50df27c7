package web_test

import (
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// figuresAnswer is the part of GET /api/v1/stats the figures of issue 14 add.
type figuresAnswer struct {
	Overall  figuresGroup   `json:"overall"`
	Groups   []figuresGroup `json:"groups"`
	Previous *struct {
		From    string       `json:"from"`
		Overall figuresGroup `json:"overall"`
	} `json:"previous"`
}

type figuresGroup struct {
	Key              string   `json:"key"`
	Label            string   `json:"label"`
	Responses        int64    `json:"responses"`
	Satisfied        int64    `json:"satisfied"`
	Target           *float64 `json:"target"`
	Status           string   `json:"status"`
	RateStatus       string   `json:"rate_status"`
	Issued           *int64   `json:"issued"`
	DossierRatio     *float64 `json:"dossier_ratio"`
	SIPASIndex       *float64 `json:"sipas_index"`
	SIPASRespondents int64    `json:"sipas_respondents"`
	Complaints       int64    `json:"complaints"`
	LateDossiers     *int64   `json:"late_dossiers"`
	OnTimeShare      *float64 `json:"on_time_share"`
	OnlineShare      *float64 `json:"online_share"`
	Returns          struct {
		Respondents, None, Once int64
		TwiceOrMore             int64 `json:"twice_or_more"`
	} `json:"returns"`
}

// issueJSON issues a ticket from a JSON body and returns its token.
func (e *env) issueJSON(body string) string {
	e.t.Helper()
	status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(resp)
	if status != http.StatusCreated || m == nil {
		e.t.Fatalf("issue: %d %s", status, resp)
	}
	return m[1]
}

func (e *env) figures(query string) figuresAnswer {
	e.t.Helper()
	status, _, body := e.get("/api/v1/stats?from=2026-03-01&to=2026-03-31&"+query, "Authorization", "Bearer "+e.statsKey())
	var a figuresAnswer
	if status != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil {
		e.t.Fatalf("stats %s: %d %s", query, status, body)
	}
	return a
}

func approx(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

// Four land dossiers through the API, three answered through the citizen API:
//
//	D1 procedure A, direct, on time — overall 5; access 5,3; staff 4,2; returns none
//	D2 procedure A, direct, late    — overall 2; staff 5; returns twice or more
//	D3 procedure B, online, on time — online survey: overall 4; portal 5; forms 4, payment 3;
//	                                  returns once; asks to be contacted
//	D4 procedure B, online, late    — not answered
func TestFiguresOfIssuedAndAnsweredDossiers(t *testing.T) {
	e := newEnv(t)
	const a, b = `"procedure_code":"1.001612.000.00.00.H48","procedure_name":"Cấp giấy chứng nhận quyền sử dụng đất"`, `"procedure_code":"2.000889.000.00.00.H48","procedure_name":"Đăng ký khai sinh"`
	dossier := func(code, proc, channel string, onTime bool) string {
		on := "false"
		if onTime {
			on = "true"
		}
		return e.issueJSON(`{"dossier_code":"` + code + `","field":"land","agency":"000.00.53.H48","counter":"c1",` + proc + `,"channel":"` + channel + `","on_time":` + on + `}`)
	}
	d1, d2 := dossier("H48-260331-001", a, "direct", true), dossier("H48-260331-002", a, "direct", false)
	d3, _ := dossier("H48-260331-003", b, "online", true), dossier("H48-260331-004", b, "online", false)

	// The online dossier is asked about the online service, not the counter.
	_, _, survey := e.get("/api/v1/tickets/" + d3 + "/survey")
	if !strings.Contains(survey, `"sipas-online"`) || !strings.Contains(survey, "online_payment") || strings.Contains(survey, "access_seating") {
		t.Fatalf("online dossier's survey: %.300s", survey)
	}
	for _, body := range []string{
		`{"token":"` + d1 + `","answers":{"overall":5,"access_signage":5,"staff_polite":2,"returns":"0"}}`,
		`{"token":"` + d2 + `","answers":{"overall":2,"staff_polite":5,"returns":"2+"},"comment":"Trả kết quả trễ hẹn."}`,
		`{"token":"` + d3 + `","answers":{"overall":4,"online_portal":5,"online_forms":4,"online_payment":3,"returns":"1","contact_request":true}}`,
	} {
		if status, resp := e.submitJSON(body); status != http.StatusCreated {
			t.Fatalf("submit %s: %d %s", body, status, resp)
		}
	}
	e.settle()

	o := e.figures("group_by=field&compare=true").Overall
	// Satisfied 2 of 3 (5, 4; not 2); land's target 85%: below at any sample, insufficient statistically.
	if o.Responses != 3 || o.Satisfied != 2 || o.RateStatus != "below" || o.Status != "insufficient" {
		t.Errorf("headline %d/%d rate_status %s status %s", o.Satisfied, o.Responses, o.RateStatus, o.Status)
	}
	// QĐ 766: 4 dossiers; against it D2 (late and rated 2: once), D3 (complaint), D4 (late, unanswered)
	// → (4 − 3) ÷ 4 = 25%. On time 2 of 4; online 2 of 4; late 2.
	if !approx(o.DossierRatio, 0.25) || !approx(o.OnTimeShare, 0.5) || !approx(o.OnlineShare, 0.5) || *o.LateDossiers != 2 || o.Complaints != 1 {
		t.Errorf("dossier ratio %v on time %v online %v late %v complaints %d", *o.DossierRatio, *o.OnTimeShare, *o.OnlineShare, *o.LateDossiers, o.Complaints)
	}
	if r := o.Returns; r.Respondents != 3 || r.None != 1 || r.Once != 1 || r.TwiceOrMore != 1 {
		t.Errorf("return trips %+v, want 3: none 1, once 1, twice or more 1", r)
	}
	// No result or feedback item answered: no index; its sample is the 3 respondents with items.
	if o.SIPASIndex != nil || o.SIPASRespondents != 3 {
		t.Errorf("SIPAS index %v over %d, want none over 3", o.SIPASIndex, o.SIPASRespondents)
	}

	// Criteria per respondent: staff D1 2 no, D2 5 yes → 1/2; access D1 5 yes, D3 5 yes → 2/2;
	// procedure D3 answered two of its items, (4+3)/2 = 3.5 no → one respondent, 0/1.
	want := map[string][2]int64{"staff": {1, 2}, "access": {2, 2}, "procedure": {0, 1}, "result": {0, 0}}
	for _, g := range e.figures("group_by=criterion").Groups {
		if w, ok := want[g.Key]; ok && (g.Satisfied != w[0] || g.Responses != w[1]) {
			t.Errorf("criterion %s: %d/%d, want %d/%d", g.Key, g.Satisfied, g.Responses, w[0], w[1])
		}
	}

	// By procedure, labelled with the name the e-system sent. A: 1 of 2 satisfied; D2 late → 1 ÷ 2.
	// B: 1 of 1; D3 complaint, D4 late → 0 ÷ 2.
	procs := e.figures("group_by=procedure").Groups
	if len(procs) != 2 {
		t.Fatalf("procedures: %+v", procs)
	}
	pa, pb := procs[0], procs[1]
	if pa.Label != "Cấp giấy chứng nhận quyền sử dụng đất" || pa.Satisfied != 1 || pa.Responses != 2 || *pa.Issued != 2 || !approx(pa.DossierRatio, 0.5) {
		t.Errorf("procedure A: %+v", pa)
	}
	if pb.Label != "Đăng ký khai sinh" || pb.Satisfied != 1 || pb.Responses != 1 || *pb.Issued != 2 || !approx(pb.DossierRatio, 0) {
		t.Errorf("procedure B: %+v", pb)
	}

	// The dashboard and its CSV export, for a manager: procedures by name, the index and ratio
	// notes, the ranking of units and the comparison with the periods before.
	adm := e.signInAdmin()
	period := "period=custom&from=2026-03-01&to=2026-03-31&lang=vi"
	if st, _, csv := adm.get("/dashboard/export.csv?" + period + "&group_by=procedure"); st != http.StatusOK || !strings.Contains(csv, "Đăng ký khai sinh") || !strings.Contains(csv, "Cấp giấy chứng nhận quyền sử dụng đất") {
		t.Errorf("CSV by procedure: %d %.400s", st, csv)
	}
	st, _, page := adm.get("/dashboard?" + period + "&group_by=procedure")
	for _, want := range []string{"Theo thủ tục", "Đăng ký khai sinh", "Chỉ số hồ sơ (QĐ 766)", "25,0%", "Tổng hồ sơ đã phát phiếu − hồ sơ trễ hạn",
		"Xếp hạng đơn vị", "Kỳ trước (01/02/2026–28/02/2026)", "Cùng kỳ năm trước (01/03/2025–31/03/2025)", "Thêm 1 lần", "33,3%", "Giải quyết trực tuyến", "50,0%"} {
		if st != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("dashboard by procedure lacks %q (%d)", want, st)
		}
	}

	// Online answers are judged against the online services' 80%.
	for _, g := range e.figures("group_by=channel").Groups {
		if g.Key == "online" && (!approx(g.Target, 0.8) || g.RateStatus != "meets") {
			t.Errorf("online: target %v rate_status %s, want 0.8 meets", *g.Target, g.RateStatus)
		}
	}
}
