package webkit_test

import (
	"testing"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// FuzzTicketRequest feeds POST /api/v1/tickets bodies through decoding and validation: never a
// panic, and an accepted request always has a dossier code and a known field.
func FuzzTicketRequest(f *testing.F) {
	f.Add([]byte(`{"dossier_code":"000.00.53.H48-220921-0099","field":"land","agency":"000.00.53.H48","on_time":true}`))
	f.Add([]byte(`{"dossier_code":{"$gt":""},"field":"land"}`))
	f.Add([]byte(`{"dossier_code":"A","field":"land","completed_at":"2026-03-31T09:00:00+07:00"}`))
	f.Add([]byte("{\"dossier_code\":\"\xff\"}"))
	known := func(code string) bool { return code == "land" }
	f.Fuzz(func(t *testing.T, body []byte) {
		var req survey.TicketRequest
		if err := webkit.DecodeJSON(body, &req); err != nil {
			return
		}
		if errs := req.Validate(known); len(errs) == 0 && (req.DossierCode == "" || req.Field != "land" || !req.Delivery.Valid()) {
			t.Fatalf("accepted %q as %+v", body, req)
		}
	})
}
