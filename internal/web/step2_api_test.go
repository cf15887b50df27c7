package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// stepTwo posts the step 2 answers of token through the JSON API.
func (e *env) stepTwo(token, answers string) (int, string) {
	e.t.Helper()
	status, _, body := e.post("/api/v1/responses/"+token+"/step2?lang=en", "application/json", `{"answers":`+answers+`}`)
	return status, body
}

// apiMessage is the error message of an API answer.
func apiMessage(body string) string {
	var a struct {
		Error struct{ Message string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &a)
	return a.Error.Message
}

// A response submitted through the API gets its step 2 through the API: added once, whatever
// the number of attempts, only within 30 minutes, counted by the figures; each refusal says why.
func TestStepTwoThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("S2-API-0001", http.StatusCreated)

	// Before step 1 there is nothing to add to.
	if status, body := e.stepTwo(tk.Token, `{"staff_polite":5}`); status != http.StatusNotFound || !strings.Contains(apiMessage(body), "send step 1 first") {
		t.Fatalf("step 2 before step 1: %d %s", status, body)
	}
	if status, body := e.submitJSON(fmt.Sprintf(`{"token":%q,"answers":{"overall":4}}`, tk.Token)); status != http.StatusCreated {
		t.Fatalf("step 1: %d %s", status, body)
	}

	// Refusals that leave step 2 open: a first-screen question, a rating out of range, nothing.
	for _, c := range []struct{ answers, want string }{
		{`{"overall":5}`, "overall"},
		{`{"staff_polite":9}`, "staff_polite"},
		{`{}`, "send at least one"},
	} {
		status, body := e.stepTwo(tk.Token, c.answers)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("step 2 %s: %d %s, want 422 naming %q", c.answers, status, body, c.want)
		}
	}
	if status, _, body := e.post("/api/v1/responses/"+tk.Token+"/step2", "application/json", `{"answers":`); status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d %s", status, body)
	}

	// Twenty-nine minutes later, six attempts at once: one is added, the others told it is done.
	e.advance(29 * time.Minute)
	statuses := make([]int, 6)
	bodies := make([]string, 6)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i], bodies[i] = e.stepTwo(tk.Token, `{"access_signage":5,"staff_polite":2,"returns":"1"}`)
		})
	}
	wg.Wait()
	added := 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			added++
		case s != http.StatusConflict || !strings.Contains(apiMessage(bodies[i]), "already been recorded"):
			t.Errorf("attempt %d: %d %s, want 201 or 409", i, s, bodies[i])
		}
	}
	if added != 1 {
		t.Fatalf("%d attempts were added, want exactly 1: %v", added, statuses)
	}
	r, ok := e.storedResponse(tk.Token)
	if !ok || r.FollowUpNonce == "" || len(r.Criteria) != 2 || r.Returns != "1" || r.Overall != 4 {
		t.Fatalf("stored response %+v: want step 1 and the step 2 answers together", r)
	}
	if status, body := e.stepTwo(tk.Token, `{"result_accurate":5}`); status != http.StatusConflict {
		t.Errorf("step 2 again: %d %s, want 409", status, body)
	}

	// The figures count the step 2 answers once, as one response.
	e.settle()
	f := e.figures("group_by=criterion")
	if f.Overall.Responses != 1 {
		t.Errorf("responses %d, want 1: step 2 is not a second response", f.Overall.Responses)
	}
	want := map[string][2]int64{"access": {1, 1}, "staff": {0, 1}, "result": {0, 0}}
	for _, g := range f.Groups {
		if w, ok := want[g.Key]; ok && (g.Satisfied != w[0] || g.Responses != w[1]) {
			t.Errorf("criterion %s: %d/%d, want %d/%d", g.Key, g.Satisfied, g.Responses, w[0], w[1])
		}
	}

	// Thirty minutes after the rating it is too late; items sent with step 1 complete it.
	late := e.issue("S2-API-0002", http.StatusCreated)
	both := e.issue("S2-API-0003", http.StatusCreated)
	for _, body := range []string{
		fmt.Sprintf(`{"token":%q,"answers":{"overall":5}}`, late.Token),
		fmt.Sprintf(`{"token":%q,"answers":{"overall":5,"staff_polite":5}}`, both.Token),
	} {
		if status, resp := e.submitJSON(body); status != http.StatusCreated {
			t.Fatalf("step 1 %s: %d %s", body, status, resp)
		}
	}
	e.advance(30 * time.Minute)
	if status, body := e.stepTwo(late.Token, `{"staff_polite":5}`); status != http.StatusGone || !strings.Contains(apiMessage(body), "30 minutes") {
		t.Errorf("step 2 after 30 minutes: %d %s, want 410", status, body)
	}
	e.advance(-29 * time.Minute)
	if status, body := e.stepTwo(both.Token, `{"access_signage":4}`); status != http.StatusConflict {
		t.Errorf("step 2 of a response that answered it with step 1: %d %s, want 409", status, body)
	}
	if r, _ := e.storedResponse(both.Token); r.Answers["access_signage"] != nil {
		t.Errorf("a refused step 2 was stored: %+v", r.Answers)
	}
	if status, body := e.stepTwo(strings.Repeat("A", 32), `{"staff_polite":5}`); status != http.StatusNotFound {
		t.Errorf("unknown token: %d %s", status, body)
	}
}
