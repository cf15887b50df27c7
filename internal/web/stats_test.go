package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
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
	secret, _, err := mongodb.NewAPIKeyStore(e.db).CreateAPIKey(context.Background(), "stats", []string{account.ScopeStatsRead})
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
