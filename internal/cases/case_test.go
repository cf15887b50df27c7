package cases_test

import (
	"testing"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/survey"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestWhichResponsesOpenWhichCase(t *testing.T) {
	tests := []struct {
		name string
		r    survey.Response
		want cases.Kind // "" for none
	}{
		{"rated 1", survey.Response{Overall: 1}, cases.KindDissatisfied},
		{"rated 2", survey.Response{Overall: 2}, cases.KindDissatisfied},
		{"rated 3", survey.Response{Overall: 3}, ""},
		{"payment asked, rated 5", survey.Response{Overall: 5, ExtraPayment: true}, cases.KindIntegrity},
		{"payment and rated 1: integrity first", survey.Response{Overall: 1, ExtraPayment: true}, cases.KindIntegrity},
		{"kiosk chip", survey.Response{Overall: 2, Answers: map[string]any{"reasons": []any{"waiting", survey.ReasonPayment}}}, cases.KindIntegrity},
		{"contact asked", survey.Response{Overall: 4, Answers: map[string]any{cases.QuestionContact: true}}, cases.KindComplaint},
		{"contact declined", survey.Response{Overall: 4, Answers: map[string]any{cases.QuestionContact: false}}, ""},
		{"misuse", survey.Response{Overall: 1, ExtraPayment: true, Misuse: true}, ""},
	}
	for _, tc := range tests {
		kind, ok := cases.KindOf(&tc.r)
		if kind != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.name, kind, ok, tc.want)
		}
	}
}

func TestRefsAreShortStableAndUnambiguous(t *testing.T) {
	a, b := cases.Ref("token-a"), cases.Ref("token-b")
	if a != cases.Ref("token-a") || a == b || len(a) != len("PA-XXXX-XXXX") {
		t.Fatalf("refs %q %q", a, b)
	}
	for _, r := range a[3:] {
		if r == '0' || r == 'O' || r == '1' || r == 'I' || r == 'L' {
			t.Fatalf("ref %q has an ambiguous symbol", a)
		}
	}
}

func TestAKioskChipReadBackFromTheStoreStillOpensAnIntegrityCase(t *testing.T) {
	r := survey.Response{Overall: 3, Answers: map[string]any{"reasons": bson.A{"waiting", survey.ReasonPayment}}}
	if kind, ok := cases.KindOf(&r); !ok || kind != cases.KindIntegrity {
		t.Fatalf("kind %q %v, want integrity", kind, ok)
	}
}
