package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// apiClient calls the server's API as the one-stop e-system and citizens would.
type apiClient struct {
	bases []string // the servers, taken in turn
	key   string
	http  *http.Client
	next  atomic.Uint64
}

// ticketBody is the POST /api/v1/tickets request.
type ticketBody struct {
	DossierCode string `json:"dossier_code"`
	Field       string `json:"field"`
	Agency      string `json:"agency"`
	Counter     string `json:"counter"`
	Officer     string `json:"officer"`
	OnTime      bool   `json:"on_time"`
}

// issue asks for a ticket for dossier; the token is empty unless the status is 201.
func (a *apiClient) issue(ctx context.Context, dossier string) (string, int) {
	u := randomUnit()
	body, _ := json.Marshal(ticketBody{DossierCode: dossier, Field: u.field, Agency: u.agency, Counter: u.counter, Officer: u.officer, OnTime: true})
	status, resp := a.do(ctx, http.MethodPost, "/api/v1/tickets", body)
	if status != http.StatusCreated {
		return "", status
	}
	var t struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(resp, &t) != nil {
		return "", -1
	}
	return t.Token, status
}

// issueBatch imports dossiers as one batch and returns the status and how many of them got a
// new ticket (201 in their result).
func (a *apiClient) issueBatch(ctx context.Context, dossiers []string) (int, int) {
	bodies := make([]ticketBody, len(dossiers))
	for i, d := range dossiers {
		u := randomUnit()
		bodies[i] = ticketBody{DossierCode: d, Field: u.field, Agency: u.agency, Counter: u.counter, Officer: u.officer, OnTime: true}
	}
	body, _ := json.Marshal(bodies)
	status, resp := a.do(ctx, http.MethodPost, "/api/v1/tickets/batch", body)
	if status != http.StatusOK {
		return status, 0
	}
	var r struct {
		Results []struct {
			Status int `json:"status"`
		} `json:"results"`
	}
	if json.Unmarshal(resp, &r) != nil {
		return -1, 0
	}
	created := 0
	for _, x := range r.Results {
		if x.Status == http.StatusCreated {
			created++
		}
	}
	return status, created
}

// submit answers the ticket with an overall rating and returns the status.
func (a *apiClient) submit(ctx context.Context, token string, overall int) int {
	body := `{"token":"` + token + `","answers":{"overall":` + strconv.Itoa(overall) + `}}`
	status, _ := a.do(ctx, http.MethodPost, "/api/v1/responses", []byte(body))
	return status
}

// stats queries 2025 grouped by groupBy and returns the responses answered in it.
func (a *apiClient) stats(ctx context.Context, groupBy string) (int64, error) {
	status, resp := a.do(ctx, http.MethodGet, "/api/v1/stats?from=2025-01-01&to=2025-12-31&group_by="+groupBy, nil)
	if status != http.StatusOK {
		return 0, fmt.Errorf("bench: stats answered %d: %.200s", status, resp)
	}
	var r struct {
		Overall struct {
			Answered int64 `json:"answered"`
		} `json:"overall"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return 0, fmt.Errorf("bench: decode stats: %w", err)
	}
	return r.Overall.Answered, nil
}

// ready reports whether /readyz answers 200.
func (a *apiClient) ready(ctx context.Context) bool {
	status, _ := a.do(ctx, http.MethodGet, "/readyz", nil)
	return status == http.StatusOK
}

// daysLoaded reads whether the server holds every day bucket in memory; known is false when
// the server does not say.
func (a *apiClient) daysLoaded(ctx context.Context) (loaded, known bool) {
	status, resp := a.do(ctx, http.MethodGet, "/metrics", nil)
	if status != http.StatusOK || !bytes.Contains(resp, []byte("hailong_rollup_days_loaded ")) {
		return false, false
	}
	return metric(resp, "hailong_rollup_days_loaded") == 1, true
}

// journalPending reads how many journal entries the server has not yet rolled up.
func (a *apiClient) journalPending(ctx context.Context) (float64, bool) {
	status, resp := a.do(ctx, http.MethodGet, "/metrics", nil)
	if status != http.StatusOK || !bytes.Contains(resp, []byte("hailong_rollup_journal_pending ")) {
		return 0, false
	}
	return metric(resp, "hailong_rollup_journal_pending"), true
}

// meanBatch reads the server's mean group-commit batch size from /metrics.
func (a *apiClient) meanBatch(ctx context.Context) (float64, bool) {
	status, resp := a.do(ctx, http.MethodGet, "/metrics", nil)
	if status != http.StatusOK {
		return 0, false
	}
	sum, count := metric(resp, "hailong_response_batch_size_sum"), metric(resp, "hailong_response_batch_size_count")
	if count == 0 {
		return 0, false
	}
	return sum / count, true
}

func metric(text []byte, name string) float64 {
	for line := range strings.Lines(string(text)) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// do sends one request and reads the whole answer, so the connection is reused. The status is
// 0 when the request failed before an answer.
func (a *apiClient) do(ctx context.Context, method, path string, body []byte) (int, []byte) {
	base := a.bases[0] // /metrics and the like: the first server
	if method == http.MethodPost {
		base = a.bases[a.next.Add(1)%uint64(len(a.bases))]
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
