package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/testkit"
)

// A batch item of an online dossier with the citizen's e-mail gets the survey invitation in
// that mailbox, in the language asked; the address is used for that and kept nowhere once sent;
// a bad address or one on a counter dossier fails its item alone; sending the batch again
// invites nobody twice.
func TestBatchInvitationsByEmail(t *testing.T) {
	mp := testkit.StartMailpit(t)
	e := newEnv(t, func(c *config.Config) { c.SMTPURL, c.MailFrom = mp.SMTPURL, "Hài Lòng <khaosat@donvi.gov.vn>" })
	bearer := []string{"Authorization", "Bearer " + e.key}
	items := "[" + strings.Join([]string{
		`{"dossier_code":"INV-1","field":"land","agency":"000.00.53.H48","channel":"online","email":"nguyen.van.a@example.vn"}`,
		`{"dossier_code":"INV-2","field":"land","agency":"000.00.53.H48","channel":"postal","email":"b@example.vn","lang":"en"}`,
		`{"dossier_code":"INV-3","field":"land","agency":"000.00.53.H48","channel":"online","email":"không phải địa chỉ"}`,
		`{"dossier_code":"INV-4","field":"land","agency":"000.00.53.H48","channel":"direct","email":"c@example.vn"}`,
		`{"dossier_code":"INV-5","field":"land","agency":"000.00.53.H48","channel":"online"}`,
	}, ",") + "]"
	var answer struct {
		Results []struct {
			Status     int    `json:"status"`
			Invitation string `json:"invitation"`
			Ticket     struct {
				SurveyURL string `json:"survey_url"`
			} `json:"ticket"`
			Error struct {
				Fields []struct{ Question string } `json:"fields"`
			} `json:"error"`
		} `json:"results"`
	}
	for round := range 2 {
		status, _, body := e.post("/api/v1/tickets/batch", "application/json", items, bearer...)
		if status != http.StatusOK {
			t.Fatalf("batch: %d %s", status, body)
		}
		if err := json.Unmarshal([]byte(body), &answer); err != nil {
			t.Fatal(err)
		}
		r := answer.Results
		if r[0].Invitation != "queued" || r[1].Invitation != "queued" || r[4].Invitation != "" {
			t.Fatalf("round %d: invitations %+v", round, r)
		}
		for _, i := range []int{2, 3} {
			if r[i].Status != http.StatusUnprocessableEntity || len(r[i].Error.Fields) == 0 || r[i].Error.Fields[0].Question != "email" {
				t.Fatalf("round %d: item %d %+v; want 422 naming email", round, i, r[i])
			}
		}
		if _, err := e.outbox.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	msgs := mp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d invitations arrived; want 2, once each", len(msgs))
	}
	for _, m := range msgs {
		switch m.To[0].Address {
		case "nguyen.van.a@example.vn":
			if !strings.Contains(m.Subject, "đánh giá") || !strings.Contains(m.Text, answer.Results[0].Ticket.SurveyURL) || !strings.Contains(m.Text, "INV-1") {
				t.Errorf("Vietnamese invitation: %q\n%s", m.Subject, m.Text)
			}
		case "b@example.vn":
			if !strings.Contains(m.Subject, "Please rate") || !strings.Contains(m.Text, answer.Results[1].Ticket.SurveyURL) {
				t.Errorf("English invitation: %q\n%s", m.Subject, m.Text)
			}
		default:
			t.Errorf("an invitation went to %s", m.To[0].Address)
		}
	}
	// Nothing in the store holds the addresses any more.
	names, err := e.db.DB.ListCollectionNames(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cur, err := e.db.DB.Collection(name).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(context.Background(), &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			raw, _ := bson.MarshalExtJSON(d, false, false)
			if strings.Contains(string(raw), "example.vn") || strings.Contains(string(raw), `"address"`) || strings.Contains(string(raw), `"to"`) {
				t.Errorf("collection %s still holds an address: %.300s", name, raw)
			}
		}
	}
}
