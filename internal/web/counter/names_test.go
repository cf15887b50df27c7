package counter

import "testing"

func TestCounterNameWithoutTheAgency(t *testing.T) {
	agency := "Trung tâm Phục vụ hành chính công"
	for counter, want := range map[string]string{
		agency + " – Quầy 1":     "Quầy 1",
		agency + " - Quầy 2":     "Quầy 2",
		"Quầy tiếp nhận đất đai": "Quầy tiếp nhận đất đai",
		agency:                   agency, // nothing left: keep the name
	} {
		if got := withoutAgency(counter, agency); got != want {
			t.Errorf("withoutAgency(%q) = %q, want %q", counter, got, want)
		}
	}
}
