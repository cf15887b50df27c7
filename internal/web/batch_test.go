package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/app"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/testkit"
)

type batchResultJSON struct {
	Status int
	Ticket *ticketJSON
	Error  *struct {
		Code   string
		Fields []struct{ Question, Reason string }
	}
}

// batch posts body to the batch import with the env's key and returns status and results.
func (e *env) batch(body string, headers ...string) (int, []batchResultJSON, string) {
	e.t.Helper()
	status, _, resp := e.post("/api/v1/tickets/batch", "application/json", body, append([]string{"Authorization", "Bearer " + e.key}, headers...)...)
	var out struct{ Results []batchResultJSON }
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(resp), &out); err != nil {
			e.t.Fatalf("batch: decode %.300s: %v", resp, err)
		}
	}
	return status, out.Results, resp
}

func batchItem(dossier, field string) string {
	return `{"dossier_code":"` + dossier + `","field":"` + field + `","agency":"000.00.53.H48","counter":"c1","channel":"online"}`
}

func TestBatchImportAnswersEachDossierInOrder(t *testing.T) {
	e := newEnv(t)
	before := e.issue("BATCH-0", http.StatusCreated)
	items := []string{
		batchItem("BATCH-1", "land"),
		batchItem("BATCH-0", "land"), // issued before: its ticket again
		batchItem("BATCH-2", "astrology"),
		`42`,
		`{"dossier_code":"BATCH-3","field":"land","email":"a@b.vn"}`, // no such field: e-mail invitations are not accepted
		batchItem("BATCH-4", "land"),
		batchItem("BATCH-4", "land"), // twice in one batch: one ticket
	}
	status, got, resp := e.batch("[" + strings.Join(items, ",") + "]")
	if status != http.StatusOK || len(got) != len(items) {
		t.Fatalf("status %d, %d results, want 200 with %d: %.500s", status, len(got), len(items), resp)
	}
	want := []int{201, 200, 422, 422, 422, 0, 0}
	for i, w := range want {
		if w != 0 && got[i].Status != w {
			t.Errorf("item %d: status %d, want %d: %+v", i, got[i].Status, w, got[i])
		}
	}
	if got[0].Ticket == nil || !strings.HasPrefix(got[0].Ticket.SurveyURL, "https://hailong.test/s/") || got[0].Ticket.ShortCode == "" {
		t.Errorf("new dossier's ticket: %+v", got[0].Ticket)
	}
	if got[1].Ticket == nil || got[1].Ticket.Token != before.Token {
		t.Errorf("a dossier issued before got %+v, want its ticket %s", got[1].Ticket, before.Token)
	}
	if e := got[2].Error; e == nil || len(e.Fields) != 1 || e.Fields[0].Question != "field" || e.Fields[0].Reason != "unknown" {
		t.Errorf("unknown field: error %+v, want it named", got[2].Error)
	}
	a, b := got[5], got[6]
	if a.Status+b.Status != 201+200 || a.Ticket == nil || b.Ticket == nil || a.Ticket.Token != b.Ticket.Token {
		t.Errorf("one dossier twice in a batch: %+v and %+v, want one 201 and one 200 with the same ticket", a, b)
	}
	if st, _, body := e.get("/api/v1/tickets/"+got[0].Ticket.Token+"/survey", "Accept-Language", "en"); st != http.StatusOK {
		t.Errorf("survey of a batch ticket: %d %.200s", st, body)
	}
}

func TestBatchImportRefusesTheWholeCall(t *testing.T) {
	e := newEnv(t)
	tooMany := "[" + strings.Repeat(batchItem("X", "land")+",", 500) + batchItem("X", "land") + "]"
	statsKey, _, err := mongodb.NewAPIKeyStore(e.db).CreateAPIKey(context.Background(), "stats", []string{account.ScopeStatsRead}, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body string
		headers    []string
		status     int
		says       string
	}{
		{"an object", `{"tickets": []}`, nil, http.StatusBadRequest, "JSON array"},
		{"not JSON", `[{"dossier_code":`, nil, http.StatusBadRequest, "JSON array"},
		{"501 dossiers", tooMany, nil, http.StatusUnprocessableEntity, "500"},
		{"no key", `[]`, []string{"Authorization", ""}, http.StatusUnauthorized, ""},
		{"a key without tickets:write", `[]`, []string{"Authorization", "Bearer " + statsKey}, http.StatusForbidden, ""},
	} {
		status, _, resp := e.batch(tc.body, append(tc.headers, "Accept-Language", "en")...)
		if status != tc.status || !strings.Contains(resp, tc.says) {
			t.Errorf("%s: status %d %.200s, want %d saying %q", tc.name, status, resp, tc.status, tc.says)
		}
	}
}

// A day's batch of 500 dossiers is far over the 64 KB every other route accepts.
func TestBatchImportTakes500DossiersWhereOtherRoutesStopAt64KB(t *testing.T) {
	e := newEnv(t)
	name := strings.Repeat("Cấp giấy chứng nhận quyền sử dụng đất ", 5)
	items := make([]string, 500)
	for i := range items {
		items[i] = fmt.Sprintf(`{"dossier_code":"000.00.53.H48-261130-%04d","field":"land","procedure_name":%q,"agency":"000.00.53.H48","counter":"c1","completed_at":"2026-03-30T09:00:00+07:00","on_time":true}`, i, name)
	}
	body := "[" + strings.Join(items, ",") + "]"
	if len(body) < 64*1024*2 {
		t.Fatalf("body of %d bytes: the test needs more than twice 64 KB", len(body))
	}
	status, got, resp := e.batch(body)
	if status != http.StatusOK || len(got) != 500 {
		t.Fatalf("status %d, %d results: %.300s", status, len(got), resp)
	}
	for i, r := range got {
		if r.Status != http.StatusCreated {
			t.Fatalf("item %d: %+v, want 201", i, r)
		}
	}
	// The same body to the single call, and a batch over 1 MB, are refused with a 413.
	if status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key); status != http.StatusRequestEntityTooLarge {
		t.Errorf("the same body to the single call: %d, want 413: %.300s", status, resp)
	}
	over := "[" + strings.Repeat(items[0]+",", (1<<20)/len(items[0])) + items[0] + "]"
	if status, _, resp := e.post("/api/v1/tickets/batch", "application/json", over, "Authorization", "Bearer "+e.key); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a batch of %d bytes: %d, want 413: %.300s", len(over), status, resp)
	}
}

// BenchmarkTicketBatch sends 500 new dossiers at a time over HTTP to a server on the embedded
// store and reports the dossiers issued per second: as one batch call, with and without a
// counter (a counter's dossier is also added to its day list and pushed to its kiosk), and as
// 500 single calls from 32 clients for comparison.
func BenchmarkTicketBatch(b *testing.B) {
	ctx := context.Background()
	cfg, err := config.Load(testkit.Env("HAILONG_BASE_URL=https://hailong.test"))
	if err != nil {
		b.Fatal(err)
	}
	cfg.DataDir = b.TempDir()
	db := testkit.Store(b)
	a, err := app.New(ctx, app.Options{Config: cfg, Log: testkit.Logger(b), DB: db, Redis: testkit.RedisClient(b, testkit.RedisURL(b)), Now: time.Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	key, _, err := mongodb.NewAPIKeyStore(db).CreateAPIKey(ctx, "bench", []string{account.ScopeTicketsWrite}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	send := func(path, body string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := a.HTTP.Test(req, -1)
		if err != nil || resp.StatusCode >= 300 {
			b.Fatalf("%s: %v %v", path, resp, err)
		}
		_ = resp.Body.Close()
	}
	items := func(prefix string, n int, item func(dossier string) string) []string {
		out := make([]string, 500)
		for i := range out {
			out[i] = item(fmt.Sprintf("%s-%d-%d", prefix, n, i))
		}
		return out
	}
	counter := func(dossier string) string { return batchItem(dossier, "land") }
	plain := func(dossier string) string { return `{"dossier_code":"` + dossier + `","field":"land"}` }
	for _, bc := range []struct {
		name string
		run  func(n int)
	}{
		{"batch/counter", func(n int) { send("/api/v1/tickets/batch", "["+strings.Join(items("BC", n, counter), ",")+"]") }},
		{"batch/no-counter", func(n int) { send("/api/v1/tickets/batch", "["+strings.Join(items("BP", n, plain), ",")+"]") }},
		{"single/no-counter", func(n int) {
			work := make(chan string)
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					for body := range work {
						send("/api/v1/tickets", body)
					}
				})
			}
			for _, body := range items("SP", n, plain) {
				work <- body
			}
			close(work)
			wg.Wait()
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for n := range b.N {
				bc.run(n)
			}
			b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "dossiers/s")
		})
	}
}
