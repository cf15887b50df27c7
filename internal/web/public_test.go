package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Anyone sees the figures of groups with 10 responses or more, and only "not enough responses"
// for smaller ones; no comment shows. Only the sites an admin lists may frame the page or read
// its JSON from a script.
func TestPublicResults(t *testing.T) {
	e := newEnv(t)
	for i := range 12 { // 12 responses at H48, all satisfied: 100%
		e.respond(fmt.Sprintf("H48-260331-%04d", i), "000.00.53.H48")
	}
	for i := range 3 { // 3 at another agency: not enough to show
		e.respond(fmt.Sprintf("H49-260331-%04d", i), "000.00.54.H49")
	}
	tk := e.issue("H48-260331-0999", http.StatusCreated)
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":1},"comment":"Bí mật riêng tư"}`); status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	e.settle()
	status, hdr, page := e.get("/cong-khai")
	if status != 200 {
		t.Fatalf("/cong-khai: %d", status)
	}
	// H48: 12 of 13 satisfied = 92.3%, against the land target of 85%.
	for _, want := range []string{"Quý I năm 2026", "000.00.53.H48", "92,3%", "Đạt chỉ tiêu", "000.00.54.H49", "Chưa đủ số phiếu"} {
		if !strings.Contains(page, want) {
			t.Errorf("/cong-khai lacks %q", want)
		}
	}
	if strings.Contains(page, "Bí mật riêng tư") {
		t.Error("/cong-khai shows a comment")
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || hdr.Get("X-Frame-Options") != "DENY" {
		t.Errorf("with no site listed the page may be framed: %q / %q", csp, hdr.Get("X-Frame-Options"))
	}

	a := e.signInAdmin()
	fields := map[string]string{"name": "Trung tâm", "frame_origins": "https://cong.huongtra.gov.vn\nhttps://portal.example"}
	if status, page := a.postIdentity(fields, "", nil); status != http.StatusSeeOther {
		t.Fatalf("save origins: %d %.300s", status, page)
	}
	if status, _ := a.postIdentity(map[string]string{"frame_origins": "https://a.vn; script-src *"}, "", nil); status != http.StatusUnprocessableEntity {
		t.Errorf("an origin with a policy in it: %d, want 422", status)
	}
	_, hdr, _ = e.get("/cong-khai")
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://cong.huongtra.gov.vn https://portal.example;") || hdr.Get("X-Frame-Options") != "" {
		t.Errorf("listed sites cannot frame the page: %q / %q", csp, hdr.Get("X-Frame-Options"))
	}
	status, hdr, body := e.get("/cong-khai.json", "Origin", "https://portal.example")
	if status != 200 || hdr.Get("Access-Control-Allow-Origin") != "https://portal.example" {
		t.Fatalf("JSON for a listed site: %d, allow-origin %q", status, hdr.Get("Access-Control-Allow-Origin"))
	}
	var board struct {
		Periods []struct {
			Key      string
			ByAgency []struct {
				Key          string
				Enough       bool
				Responses    *int64
				Satisfaction *float64
			} `json:"by_agency"`
		}
	}
	if err := json.Unmarshal([]byte(body), &board); err != nil || len(board.Periods) != 3 {
		t.Fatalf("JSON: %v %.300s", err, body)
	}
	for _, g := range board.Periods[0].ByAgency {
		switch g.Key {
		case "000.00.53.H48":
			if !g.Enough || *g.Responses != 13 || *g.Satisfaction < 0.923 || *g.Satisfaction > 0.924 {
				t.Errorf("H48 = %+v, want 12 of 13", g)
			}
		case "000.00.54.H49":
			if g.Enough || g.Responses != nil || g.Satisfaction != nil {
				t.Errorf("H49 with 3 responses shows figures: %+v", g)
			}
		}
	}
	if strings.Contains(body, "Bí mật") {
		t.Error("the JSON carries a comment")
	}
	if _, hdr, _ := e.get("/cong-khai.json", "Origin", "https://evil.example"); hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Error("an unlisted site may read the JSON")
	}
}
