package survey_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// decodeBody decodes an API body the way the web layer does, numbers as json.Number.
func decodeBody(t testing.TB, body string) (map[string]any, any) {
	t.Helper()
	var req struct {
		Answers map[string]any
		Comment any
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return req.Answers, req.Comment
}

// problems lists "question:reason" of each error.
func problems(errs survey.FieldErrors) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Question+":"+e.Reason)
	}
	return out
}

func TestParseJSONAccepts(t *testing.T) {
	def := definition(t, "sipas-full")
	answers, comment := decodeBody(t, `{"answers": {"overall": 4, "access_signage": "5", "staff_polite": 2.0,
		"returns": "2+", "extra_payment": "yes", "feedback_easy": null, "result_accurate": ""},
		"comment": "  Phải đi lại ba lần mới xong.  "}`)
	a, errs := def.ParseJSON(answers, comment)
	if errs != nil {
		t.Fatalf("ParseJSON: %v", errs)
	}
	want := survey.Answers{
		Overall: 4,
		Values:  map[string]any{"access_signage": 5, "staff_polite": 2, "returns": "2+", "extra_payment": true},
		Comment: "Phải đi lại ba lần mới xong.",
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("answers = %#v\nwant %#v", a, want)
	}
	if !a.ExtraPayment() || a.Negative() {
		t.Errorf("ExtraPayment %v Negative %v, want true false", a.ExtraPayment(), a.Negative())
	}
}

// Numbers decoded without UseNumber arrive as float64, and a comment may sit in the answers.
func TestParseJSONAcceptsFloatsAndCommentInAnswers(t *testing.T) {
	def := definition(t, "kiosk-quick")
	a, errs := def.ParseJSON(map[string]any{"overall": 2.0, "reasons": []any{"waiting", "fees", "waiting"}, "comment": "Chờ lâu"}, "")
	if errs != nil {
		t.Fatalf("ParseJSON: %v", errs)
	}
	if a.Overall != 2 || !reflect.DeepEqual(a.Values["reasons"], []string{"fees", "waiting"}) || a.Comment != "Chờ lâu" || !a.Negative() {
		t.Fatalf("answers = %#v", a)
	}
	a, errs = def.ParseJSON(map[string]any{"overall": json.Number("1"), "reasons": "late"}, nil)
	if errs != nil || !reflect.DeepEqual(a.Values["reasons"], []string{"late"}) {
		t.Fatalf("single chip: %#v %v", a, errs)
	}
}

func TestParseJSONRefuses(t *testing.T) {
	long := strings.Repeat("ữ", 2001) // 2001 characters, 6003 bytes
	tests := []struct {
		name    string
		survey  string
		answers map[string]any
		comment any
		want    []string
	}{
		{"nothing", "sipas-full", nil, nil, []string{"overall:required"}},
		{"blank overall", "sipas-full", map[string]any{"overall": " "}, nil, []string{"overall:required"}},
		{"null overall", "sipas-full", map[string]any{"overall": nil}, nil, []string{"overall:required"}},
		{"bool rating", "sipas-full", map[string]any{"overall": true}, nil, []string{"overall:type"}},
		{"list rating", "sipas-full", map[string]any{"overall": []any{json.Number("4")}}, nil, []string{"overall:type"}},
		{"word rating", "sipas-full", map[string]any{"overall": "bốn"}, nil, []string{"overall:type"}},
		{"NaN rating", "sipas-full", map[string]any{"overall": "NaN"}, nil, []string{"overall:type"}},
		{"object without operators", "sipas-full", map[string]any{"overall": map[string]any{"a": 1}}, nil, []string{"overall:type"}},
		{"number as yes/no", "sipas-full", map[string]any{"overall": 4, "extra_payment": json.Number("1")}, nil, []string{"extra_payment:type"}},
		{"number as comment", "sipas-full", map[string]any{"overall": 4}, json.Number("5"), []string{"comment:type"}},
		{"comment given twice", "sipas-full", map[string]any{"overall": 4, "comment": "a"}, "b", []string{"comment:type"}},
		{"half rating", "sipas-full", map[string]any{"overall": json.Number("4.5")}, nil, []string{"overall:range"}},
		{"zero rating", "sipas-full", map[string]any{"overall": json.Number("0")}, nil, []string{"overall:range"}},
		{"six as a string", "sipas-full", map[string]any{"overall": "6"}, nil, []string{"overall:range"}},
		{"huge rating", "sipas-full", map[string]any{"overall": json.Number("1e400")}, nil, []string{"overall:range"}},
		{"unknown choice", "sipas-full", map[string]any{"overall": 4, "returns": "3"}, nil, []string{"returns:range"}},
		{"maybe", "sipas-full", map[string]any{"overall": 4, "extra_payment": "maybe"}, nil, []string{"extra_payment:range"}},
		{"unknown chip", "kiosk-quick", map[string]any{"overall": 1, "reasons": []any{"waiting", "slow"}}, nil, []string{"reasons:range"}},
		{"unknown questions sorted", "sipas-full", map[string]any{"overall": 4, "zeta": 1, "alpha": ""}, nil, []string{"alpha:unknown", "zeta:unknown"}},
		{"too long comment", "sipas-full", map[string]any{"overall": 4}, long, []string{"comment:too_long"}},
		{"invalid UTF-8 comment", "sipas-full", map[string]any{"overall": 4}, "ch\xffo", []string{"comment:encoding"}},
		{"invalid UTF-8 rating", "sipas-full", map[string]any{"overall": "4\xff"}, nil, []string{"overall:encoding"}},
		{"invalid UTF-8 key", "sipas-full", map[string]any{"overall": 4, "b\xffd": 1}, nil, []string{"b\uFFFDd:encoding"}},
		{"operator value", "sipas-full", map[string]any{"overall": map[string]any{"$gt": ""}}, nil, []string{"overall:operator"}},
		{"operator comment", "sipas-full", map[string]any{"overall": 4}, map[string]any{"$ne": nil}, []string{"comment:operator"}},
		{"operator in chips", "kiosk-quick", map[string]any{"overall": 1, "reasons": []any{map[string]any{"$in": []any{}}}}, nil, []string{"reasons:operator"}},
		{"operator keys", "sipas-full", map[string]any{"overall": 4, "$where": "1", "a.b": 1, "nul\x00": 1}, nil,
			[]string{"$where:operator", "a.b:operator", "nul\uFFFD:operator"}},
		{"every problem at once", "sipas-full", map[string]any{"overall": 9, "returns": "x", "zzz": 1}, long,
			[]string{"overall:range", "comment:too_long", "returns:range", "zzz:unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, errs := definition(t, tt.survey).ParseJSON(tt.answers, tt.comment)
			if got := problems(errs); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("problems = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(a, survey.Answers{}) {
				t.Errorf("answers = %#v alongside errors, want none", a)
			}
		})
	}
}

// A comment is refused as unknown by a survey that has no comment question.
func TestParseJSONCommentWithoutCommentQuestion(t *testing.T) {
	cat, err := survey.LoadCatalog(fstest.MapFS{"x.yaml": {Data: []byte(header + overallYAML)}})
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("bad")
	if _, errs := def.ParseJSON(map[string]any{"overall": 3}, ""); errs != nil {
		t.Errorf("empty comment refused: %v", errs)
	}
	_, errs := def.ParseJSON(map[string]any{"overall": 3}, "hay")
	if got := problems(errs); !reflect.DeepEqual(got, []string{"comment:unknown"}) {
		t.Errorf("problems = %q", got)
	}
}

// Messages are bilingual and name the question, so the page can show them as they are.
func TestFieldErrorMessages(t *testing.T) {
	def := definition(t, "sipas-full")
	_, errs := def.ParseJSON(nil, nil)
	if errs[0].Message.VI != "Vui lòng chọn mức độ hài lòng chung." || errs[0].Message.EN == "" {
		t.Errorf("overall required message = %+v", errs[0].Message)
	}
	_, errs = def.ParseJSON(map[string]any{"overall": 4, "returns": "7", "zeta": 1}, strings.Repeat("a", 2001))
	returns := question(t, def, "returns")
	if m := errs[1].Message; !strings.Contains(m.VI, returns.Label.VI) || !strings.Contains(m.EN, returns.Label.EN) {
		t.Errorf("range message %+v does not name %+v", m, returns.Label)
	}
	if m := errs[0].Message; !strings.Contains(m.VI, "tối đa 2000 ký tự") || !strings.Contains(m.EN, "at most 2000 characters") {
		t.Errorf("too_long message = %+v", m)
	}
	if m := errs[2].Message; !strings.Contains(m.VI, "“zeta”") || !strings.Contains(m.EN, "“zeta”") {
		t.Errorf("unknown message = %+v", m)
	}
	if got := errs.Error(); got != "survey: invalid answers: comment: too_long, returns: range, zeta: unknown" {
		t.Errorf("Error() = %q", got)
	}
	var fe survey.FieldErrors
	if !errors.As(error(errs), &fe) {
		t.Error("FieldErrors is not found by errors.As")
	}
}

func TestParseForm(t *testing.T) {
	def := definition(t, "sipas-full")
	form := url.Values{
		"overall": {"5"}, "access_signage": {"4"}, "staff_polite": {""}, "returns": {"0"}, "extra_payment": {"no"},
		"comment": {" Cảm ơn "}, "token": {"abc"}, "lang": {"en"}, "csrf": {"x"}, "_csrf": {"y"},
	}
	a, errs := def.ParseForm(form)
	want := survey.Answers{Overall: 5, Values: map[string]any{"access_signage": 4, "returns": "0", "extra_payment": false}, Comment: "Cảm ơn"}
	if errs != nil || !reflect.DeepEqual(a, want) {
		t.Fatalf("ParseForm = %#v, %v\nwant %#v", a, errs, want)
	}
	a, errs = definition(t, "kiosk-quick").ParseForm(url.Values{"overall": {"1"}, "reasons": {"late", "attitude", "late", ""}})
	if errs != nil || !reflect.DeepEqual(a.Values["reasons"], []string{"attitude", "late"}) {
		t.Fatalf("chips: %#v, %v", a, errs)
	}
}

func TestParseFormRefuses(t *testing.T) {
	tests := []struct {
		name, survey, form string
		want               []string
	}{
		{"empty overall", "sipas-full", "overall=&returns=", []string{"overall:required"}},
		{"overall twice", "sipas-full", "overall=4&overall=5", []string{"overall:type"}},
		{"out of range", "sipas-full", "overall=7&extra_payment=maybe&returns=5", []string{"overall:range", "extra_payment:range", "returns:range"}},
		{"unknown chip", "kiosk-quick", "overall=2&reasons=waiting&reasons=slow", []string{"reasons:range"}},
		{"unknown field", "sipas-full", "overall=4&submit=G%E1%BB%ADi", []string{"submit:unknown"}},
		{"operator fields", "sipas-full", "overall=4&%24where=1&a.b=2", []string{"$where:operator", "a.b:operator"}},
		{"invalid UTF-8", "sipas-full", "overall=4&comment=ch%FFo", []string{"comment:encoding"}},
		{"too long", "kiosk-quick", "overall=4&comment=" + strings.Repeat("a", 501), []string{"comment:too_long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			_, errs := definition(t, tt.survey).ParseForm(form)
			if got := problems(errs); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("problems = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCriterionRatings(t *testing.T) {
	def := definition(t, "sipas-full")
	a, errs := def.ParseJSON(map[string]any{"overall": 3, "staff_polite": 2, "access_signage": 5, "returns": "1"}, nil)
	if errs != nil {
		t.Fatal(errs)
	}
	want := []survey.CriterionRating{{Criterion: "access", Rating: 5}, {Criterion: "staff", Rating: 2}}
	if got := def.CriterionRatings(a); !reflect.DeepEqual(got, want) {
		t.Errorf("CriterionRatings = %+v, want %+v", got, want)
	}
	if a.ExtraPayment() || a.Negative() {
		t.Errorf("ExtraPayment %v Negative %v for an unanswered question and overall 3", a.ExtraPayment(), a.Negative())
	}
}

func TestTheKioskPaymentChipCountsAsAReportOfPayment(t *testing.T) {
	def := definition(t, "kiosk-quick")
	a, errs := def.ParseJSON(map[string]any{"overall": json.Number("2"), "reasons": []any{"waiting", survey.ReasonPayment}}, nil)
	if len(errs) > 0 || !a.ExtraPayment() {
		t.Fatalf("answers %+v (%v): want the payment chip to count as a report of payment", a, errs)
	}
	a, _ = def.ParseJSON(map[string]any{"overall": json.Number("2"), "reasons": []any{"waiting"}}, nil)
	if a.ExtraPayment() {
		t.Fatal("a rating without the payment chip counts as a report of payment")
	}
}

// Step 2's form takes only step 2 answers; "Không áp dụng" (an empty value) leaves one out.
func TestParseFollowUpForm(t *testing.T) {
	def := definition(t, "sipas-full")
	a, errs := def.ParseFollowUpForm(url.Values{"access_signage": {"5"}, "staff_polite": {""}, "returns": {"1"}, "lang": {"vi"}})
	if errs != nil || !reflect.DeepEqual(a.Values, map[string]any{"access_signage": 5, "returns": "1"}) {
		t.Fatalf("ParseFollowUpForm = %#v, %v", a, errs)
	}
	f := survey.NewFollowUp(def, a, time.Now())
	if !reflect.DeepEqual(f.Criteria, []survey.CriterionRating{{Criterion: "access", Rating: 5}}) || f.Nonce == "" {
		t.Fatalf("follow-up = %+v", f)
	}
	_, errs = def.ParseFollowUpForm(url.Values{"overall": {"1"}, "access_signage": {"9"}})
	if got := problems(errs); !reflect.DeepEqual(got, []string{"access_signage:range", "overall:unknown"}) {
		t.Fatalf("problems = %q: step 2 must not change the overall rating", got)
	}
}

func TestFollowUpWindow(t *testing.T) {
	at := time.Date(2026, 3, 31, 3, 0, 0, 0, time.UTC)
	r := &survey.Response{SubmittedAt: at, Criteria: []survey.CriterionRating{{Criterion: "staff", Rating: 4}}, Answers: map[string]any{"extra_payment": false}}
	if !r.FollowUpOpen(at.Add(29*time.Minute)) || r.FollowUpOpen(at.Add(30*time.Minute)) {
		t.Error("step 2 must be open for 30 minutes after the response, and only then")
	}
	f := &survey.FollowUp{Nonce: "n", Answers: map[string]any{"returns": "0"}, Criteria: []survey.CriterionRating{{Criterion: "result", Rating: 2}}, At: at}
	got := r.WithFollowUp(f)
	if len(got.Criteria) != 2 || got.Answers["returns"] != "0" || got.Answers["extra_payment"] != false || got.FollowUpOpen(at) {
		t.Errorf("with step 2 = %+v", got)
	}
	if len(r.Criteria) != 1 || len(r.Answers) != 1 {
		t.Error("WithFollowUp changed the response it was given")
	}
}
