package survey_test

import (
	"testing"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

func TestMaskPersonalData(t *testing.T) {
	tests := map[string]string{
		"Gọi tôi: +84 912 345 678":           "Gọi tôi: [***]",
		"số 0243.826.1234 nhé":               "số [***] nhé",
		"CCCD 001203012345, email x@y.com":   "CCCD [***], email [***]",
		"Hồ sơ 000.00.53.H48-220921-0099 ổn": "Hồ sơ 000.00.53.H48-220921-0099 ổn",
		"Chờ 2 giờ, 3 lần":                   "Chờ 2 giờ, 3 lần",
	}
	for in, want := range tests {
		if got := survey.MaskPersonalData(in); got != want {
			t.Errorf("MaskPersonalData(%q) = %q, want %q", in, got, want)
		}
		if got := survey.MaskPersonalData(want); got != want {
			t.Errorf("masking %q again gives %q", want, got)
		}
	}
}

func TestNewResponseStoresCommentAndTextAnswersMasked(t *testing.T) {
	d := &survey.Definition{ID: "s", Version: 1, Questions: []survey.Question{
		{ID: "note", Type: survey.TypeText, MaxLength: 200},
		{ID: "kind", Type: survey.TypeChoice},
	}}
	a := survey.Answers{Overall: 2, Comment: "gọi 0912345678 hoặc a.b@gmail.com, CCCD 001203012345",
		Values: map[string]any{"note": "mail me: x@y.vn", "kind": "a"}}
	r := survey.NewResponse(&survey.Ticket{Token: "tk", DossierCode: "D-1"}, d, a, survey.ChannelQR, "vi", time.Now())
	if want := "gọi [***] hoặc [***], CCCD [***]"; r.Comment != want {
		t.Errorf("stored comment = %q, want %q", r.Comment, want)
	}
	if r.Answers["note"] != "mail me: [***]" || r.Answers["kind"] != "a" {
		t.Errorf("stored answers = %v, want the text answer masked and the choice kept", r.Answers)
	}
}
