package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
)

// statsAnswer is the JSON of GET /api/v1/stats.
type statsAnswer struct {
	Overall statsGroup   `json:"overall"`
	Groups  []statsGroup `json:"groups"`
}

type statsGroup struct {
	Key          string   `json:"key"`
	Label        string   `json:"label"`
	Responses    int64    `json:"responses"`
	Satisfied    int64    `json:"satisfied"`
	Satisfaction float64  `json:"satisfaction"`
	CILow        float64  `json:"ci_low"`
	CIHigh       float64  `json:"ci_high"`
	Target       *float64 `json:"target"`
	Status       string   `json:"status"`
}

func (e *env) stats(query string, headers ...string) (int, statsAnswer) {
	e.t.Helper()
	status, _, body := e.get("/api/v1/stats?"+query, headers...)
	var a statsAnswer
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			e.t.Fatalf("stats answer %q: %v", body, err)
		}
	}
	return status, a
}

// rate issues a ticket for field at agency and answers it with overall.
func (e *env) rate(dossier, field, agency string, overall int) {
	e.t.Helper()
	body := `{"dossier_code":"` + dossier + `","field":"` + field + `","agency":"` + agency + `","counter":"c1"}`
	status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(resp)
	if status != http.StatusCreated || m == nil {
		e.t.Fatalf("issue: %d %s", status, resp)
	}
	if status, resp := e.submitJSON(`{"token":"` + m[1] + `","answers":{"overall":` + string(rune('0'+overall)) + `}}`); status != 201 {
		e.t.Fatalf("submit: %d %s", status, resp)
	}
}

func (e *env) statsKey() string {
	e.t.Helper()
	secret, _, err := mongodb.NewAPIKeyStore(e.db).CreateAPIKey(context.Background(), "stats", []string{account.ScopeStatsRead}, e.clock())
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

func TestStatsAPINeedsAReader(t *testing.T) {
	e := newEnv(t)
	q := "from=2026-03-01&to=2026-03-31&group_by=field"
	if status, _ := e.stats(q); status != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d, want 401", status)
	}
	if status, _ := e.stats(q, "Authorization", "Bearer "+e.key); status != http.StatusForbidden {
		t.Fatalf("tickets-only key: %d, want 403", status)
	}
	if status, _ := e.stats(q, "Authorization", "Bearer "+e.statsKey()); status != http.StatusOK {
		t.Fatalf("stats key: %d, want 200", status)
	}
	for _, bad := range []string{"from=2026-03-31&to=2026-03-01", "from=31/03/2026&to=2026-04-01", "from=2026-03-01&to=2026-03-31&group_by=colour", "from=2026-03-01&to=2026-03-31&channel=fax"} {
		if status, _ := e.stats(bad, "Authorization", "Bearer "+e.statsKey()); status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", bad, status)
		}
	}
}

func TestStatsAPICountsExactly(t *testing.T) {
	e := newEnv(t)
	for i, r := range []int{5, 4, 2} {
		e.rate("H48-260331-10"+string(rune('0'+i)), "land", "000.00.53.H48", r)
	}
	e.rate("H48-260331-200", "justice", "000.00.53.H48", 5)
	e.settle()
	status, a := e.stats("from=2026-03-31&to=2026-03-31&group_by=field", "Authorization", "Bearer "+e.statsKey())
	if status != 200 {
		t.Fatalf("stats: %d", status)
	}
	if a.Overall.Responses != 4 || a.Overall.Satisfied != 3 || a.Overall.Status != "insufficient" || *a.Overall.Target != 0.9 {
		t.Fatalf("overall: %+v", a.Overall)
	}
	var land statsGroup
	for _, g := range a.Groups {
		if g.Key == "land" {
			land = g
		}
	}
	// 2 of 3 satisfied; Wilson 95%: 0.2077 .. 0.9385; land's target is 85%.
	if land.Responses != 3 || land.Satisfied != 2 || math.Abs(land.Satisfaction-2.0/3) > 1e-9 || *land.Target != 0.85 || land.Label != "Đất đai" {
		t.Fatalf("land: %+v", land)
	}
	if math.Abs(land.CILow-0.2077) > 1e-4 || math.Abs(land.CIHigh-0.9385) > 1e-4 {
		t.Fatalf("land interval %.4f..%.4f", land.CILow, land.CIHigh)
	}
	// The day before is an empty period.
	_, empty := e.stats("from=2026-03-30&to=2026-03-30", "Authorization", "Bearer "+e.statsKey())
	if empty.Overall.Responses != 0 || len(empty.Groups) != 0 {
		t.Fatalf("empty period: %+v", empty)
	}
}

// TestOfficersSeeOnlyTheirCounter: an officer's dashboard, stats API, exports and report hold
// their own counter's figures and comments only; an officer without a counter sees nothing.
func TestOfficersSeeOnlyTheirCounter(t *testing.T) {
	e := newEnv(t)
	answer := func(dossier, counter string, overall int, comment string) {
		t.Helper()
		tk := e.issueAt(dossier, counter)
		body := `{"token":"` + tk.Token + `","answers":{"overall":` + strconv.Itoa(overall) + `},"comment":"` + comment + `"}`
		if st, resp := e.submitJSON(body); st != http.StatusCreated {
			t.Fatalf("submit: %d %s", st, resp)
		}
	}
	answer("H48-260331-0401", "c1", 5, "")
	answer("H48-260331-0402", "c1", 2, "Quầy một chờ lâu")
	answer("H48-260331-0403", "c2", 1, "Quầy hai thái độ kém")
	answer("H48-260331-0404", "c2", 5, "")
	answer("H48-260331-0405", "c2", 5, "")
	e.settle()
	o := e.signInOfficer(testAgency, "c1")
	const period = "from=2026-03-31&to=2026-03-31"
	for _, by := range []string{"counter", "agency", "field"} {
		st, a := e.stats(period+"&group_by="+by, "Cookie", o.cookie)
		if st != http.StatusOK || a.Overall.Responses != 2 || len(a.Groups) != 1 || a.Groups[0].Responses != 2 {
			t.Fatalf("officer's stats by %s: %d %+v, want c1's 2 responses only", by, st, a)
		}
	}
	if st, _ := e.stats(period+"&agency=OTHER", "Cookie", o.cookie); st != http.StatusForbidden {
		t.Fatalf("officer asking for another agency: %d, want 403", st)
	}
	for _, path := range []string{"/dashboard?period=custom&" + period, "/dashboard/report?period=custom&" + period, "/dashboard/export.csv?period=custom&" + period + "&group_by=counter"} {
		st, _, page := o.get(path)
		if st != http.StatusOK || strings.Contains(page, "Quầy hai") || strings.Contains(page, testAgency+"/c2") {
			t.Fatalf("%s: %d, shows counter c2: %.300s", path, st, page)
		}
	}
	if _, _, page := o.get("/dashboard?period=custom&" + period); !strings.Contains(page, "Quầy một chờ lâu") {
		t.Fatal("the officer's dashboard lacks their own counter's comment")
	}
	noCounter := e.signInOfficerWithoutCounter()
	for _, path := range []string{"/dashboard", "/api/v1/stats?" + period} {
		if st, _, _ := e.get(path, "Cookie", noCounter); st != http.StatusForbidden {
			t.Fatalf("an officer without a counter on %s: %d, want 403", path, st)
		}
	}
}

// TestOneOfficersFiguresStayHiddenInEveryGrouping: a counter served by one officer with under
// 10 responses is hidden by counter as it is by officer, hidden officers are not named, and the
// smallest shown group is hidden beside it, so the overall less the shown ones is not theirs.
func TestOneOfficersFiguresStayHiddenInEveryGrouping(t *testing.T) {
	e := newEnv(t)
	answer := func(i int, counter, officer string) {
		t.Helper()
		body := fmt.Sprintf(`{"dossier_code":"H48-260331-%04d","field":"land","agency":%q,"counter":%q,"officer":%q}`, 500+i, testAgency, counter, officer)
		st, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
		var tk ticketJSON
		if err := json.Unmarshal([]byte(resp), &tk); st != http.StatusCreated || err != nil {
			t.Fatalf("issue: %d %s", st, resp)
		}
		if st, resp := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":2}}`); st != http.StatusCreated {
			t.Fatalf("submit: %d %s", st, resp)
		}
	}
	for i := range 3 {
		answer(i, "c1", "tran-thi-lonely")
	}
	for i := range 10 {
		answer(10+i, "c2", "le-van-busy")
	}
	for i := range 12 {
		answer(30+i, "c3", "pham-thi-busier")
	}
	e.settle()
	manager := e.addUser("mgr", account.RoleManager, adminPassword)
	key := []string{"Cookie", "hl_session=" + e.mustSignIn(manager, adminPassword)}
	status, _, body := e.get("/api/v1/stats?from=2026-03-31&to=2026-03-31&group_by=counter", key...)
	var a struct {
		Groups []struct {
			Key       string `json:"key"`
			Responses int64  `json:"responses"`
			Hidden    bool   `json:"hidden"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(body), &a); status != http.StatusOK || err != nil || len(a.Groups) != 3 {
		t.Fatalf("by counter: %d %s", status, body)
	}
	if c1, c2, c3 := a.Groups[0], a.Groups[1], a.Groups[2]; !c1.Hidden || c1.Responses != 0 || !c2.Hidden || c2.Responses != 0 || c3.Hidden || c3.Responses != 12 {
		t.Fatalf("by counter: %+v, want c1 (one officer, 3 responses) and c2 beside it hidden, c3 shown", a.Groups)
	}
	status, _, body = e.get("/api/v1/stats?from=2026-03-31&to=2026-03-31&group_by=officer", key...)
	if status != http.StatusOK || strings.Contains(body, "tran-thi-lonely") || strings.Contains(body, "le-van-busy") || !strings.Contains(body, "pham-thi-busier") {
		t.Fatalf("by officer: %d %s, want the hidden officers unnamed", status, body)
	}
}
