package survey_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/surveys"
)

// loadCatalog loads the definitions embedded in the binary.
func loadCatalog(t testing.TB) *survey.Catalog {
	t.Helper()
	cat, err := survey.LoadCatalog(surveys.FS)
	if err != nil {
		t.Fatalf("LoadCatalog(surveys.FS): %v", err)
	}
	return cat
}

// definition returns the embedded definition id.
func definition(t testing.TB, id string) *survey.Definition {
	t.Helper()
	def, ok := loadCatalog(t).Get(id)
	if !ok {
		t.Fatalf("catalog has no %q", id)
	}
	return def
}

// question returns question id of def.
func question(t testing.TB, def *survey.Definition, id string) *survey.Question {
	t.Helper()
	q, ok := def.Question(id)
	if !ok {
		t.Fatalf("%s has no question %q", def.ID, id)
	}
	return q
}

func TestEmbeddedCatalogHoldsTheSurveys(t *testing.T) {
	cat := loadCatalog(t)
	if got := strings.Join(cat.IDs(), ","); got != "kiosk-quick,sipas-full,sipas-online" {
		t.Fatalf("IDs() = %s, want kiosk-quick,sipas-full,sipas-online", got)
	}
	for id, kind := range map[string]string{"sipas-full": survey.KindFull, "kiosk-quick": survey.KindQuick, "sipas-online": survey.KindFull} {
		def, _ := cat.Get(id)
		if def.Kind != kind || def.Version != 2 {
			t.Errorf("%s: kind %q version %d, want %q version 2", id, def.Kind, def.Version, kind)
		}
	}
	// The online survey asks about the online service under the same five criteria, not the counter.
	online, _ := cat.Get("sipas-online")
	criteria := map[string]bool{}
	for _, q := range online.Questions {
		criteria[q.Criterion] = criteria[q.Criterion] || q.Criterion != ""
		if strings.Contains(q.Label.In("vi"), "chỗ ngồi") || strings.Contains(q.Label.In("vi"), "biển chỉ dẫn") {
			t.Errorf("online survey asks about the counter: %s", q.ID)
		}
	}
	for _, c := range survey.Criteria {
		if !criteria[c] {
			t.Errorf("online survey has no item of criterion %s", c)
		}
	}
	if _, ok := cat.Get("nope"); ok {
		t.Error(`Get("nope") found a definition`)
	}
}

// The five levels are the product's exact labels, in order, with values 1..5.
func TestOverallOptionsAreTheProductLabels(t *testing.T) {
	want := []survey.Text{
		{VI: "Rất không hài lòng", EN: "Very dissatisfied"},
		{VI: "Không hài lòng", EN: "Dissatisfied"},
		{VI: "Bình thường", EN: "Neutral"},
		{VI: "Hài lòng", EN: "Satisfied"},
		{VI: "Rất hài lòng", EN: "Very satisfied"},
	}
	for _, id := range []string{"sipas-full", "kiosk-quick"} {
		overall := question(t, definition(t, id), "overall")
		if overall.Type != survey.TypeRating || !overall.Required || len(overall.Options) != 5 {
			t.Fatalf("%s overall: type %q required %v %d options", id, overall.Type, overall.Required, len(overall.Options))
		}
		for i, o := range overall.Options {
			if o.Label != want[i] || o.Rating != i+1 || survey.RatingLabel(i+1) != want[i] {
				t.Errorf("%s overall option %d = %+v, want rating %d %+v", id, i, o, i+1, want[i])
			}
		}
	}
}

// Every Vietnamese text carries diacritics (a file saved without them would read badly) and
// differs from its English.
func TestVietnameseTextHasDiacritics(t *testing.T) {
	for _, id := range []string{"sipas-full", "kiosk-quick"} {
		def := definition(t, id)
		texts := map[string]survey.Text{"title": def.Title, "intro": def.Intro}
		for _, q := range def.Questions {
			texts[q.ID] = q.Label
			for _, o := range q.Options {
				texts[q.ID+"/"+o.Value] = o.Label
			}
		}
		for name, text := range texts {
			if !hasDiacritic(text.VI) || text.VI == text.EN || text.EN == "" {
				t.Errorf("%s %s: vi %q en %q", id, name, text.VI, text.EN)
			}
		}
	}
}

// hasDiacritic reports whether s has a letter outside ASCII.
func hasDiacritic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) }) >= 0
}

// The first screen asks the overall rating, the comment, the payment question and the contact
// tick; step 2 asks one optional item per criterion and the extra trips, never "on time".
func TestFullSurveyAsksTheHeadlineFirstAndOneItemPerCriterionAfter(t *testing.T) {
	def := definition(t, "sipas-full")
	var first, second []string
	for _, q := range def.FirstQuestions() {
		first = append(first, q.ID)
	}
	for _, q := range def.FollowUpQuestions() {
		second = append(second, q.ID)
	}
	if got := strings.Join(first, ","); got != "overall,comment,extra_payment,contact_request" {
		t.Errorf("first screen = %s", got)
	}
	if got := strings.Join(second, ","); got != "access_signage,procedure_requirements,staff_polite,result_accurate,feedback_easy,returns" {
		t.Errorf("step 2 = %s", got)
	}
	count := map[string]int{}
	for _, q := range def.Questions {
		if q.Criterion == "" {
			continue
		}
		count[q.Criterion]++
		if q.Required || q.Type != survey.TypeRating || q.Step != 2 {
			t.Errorf("%s: required %v type %q step %d, want an optional rating in step 2", q.ID, q.Required, q.Type, q.Step)
		}
	}
	for _, c := range survey.Criteria {
		if count[c] != 1 {
			t.Errorf("criterion %s has %d items, want 1", c, count[c])
		}
	}
}

func TestFullSurveyClosingQuestions(t *testing.T) {
	def := definition(t, "sipas-full")
	returns := question(t, def, "returns")
	if returns.Type != survey.TypeChoice || optionValues(returns) != "0,1,2+" {
		t.Errorf("returns: type %q values %s", returns.Type, optionValues(returns))
	}
	if q := question(t, def, "extra_payment"); q.Type != survey.TypeYesNo || optionValues(q) != "yes,no" {
		t.Errorf("extra_payment: type %q values %s", q.Type, optionValues(q))
	}
	comment := question(t, def, "comment")
	if comment.Type != survey.TypeText || comment.MaxLength != 2000 || comment.AskIfOverallAtMost != 2 || comment.Required {
		t.Errorf("comment = %+v", comment)
	}
}

func TestKioskQuickSurvey(t *testing.T) {
	def := definition(t, "kiosk-quick")
	if got := len(def.Questions); got != 3 {
		t.Errorf("kiosk-quick has %d questions, want 3", got)
	}
	reasons := question(t, def, "reasons")
	want := "waiting,attitude,guidance,documents,fees,late,payment,other"
	if reasons.Type != survey.TypeChips || optionValues(reasons) != want || reasons.AskIfOverallAtMost != 3 {
		t.Errorf("reasons: type %q values %s ask %d", reasons.Type, optionValues(reasons), reasons.AskIfOverallAtMost)
	}
	if reasons.Options[0].Label.VI != "Chờ lâu" {
		t.Errorf("reasons waiting label = %q", reasons.Options[0].Label.VI)
	}
	if q := question(t, def, "comment"); q.MaxLength != 500 || q.Required {
		t.Errorf("comment = %+v", q)
	}
}

// optionValues joins the option values of q.
func optionValues(q *survey.Question) string {
	values := make([]string, len(q.Options))
	for i, o := range q.Options {
		values[i] = o.Value
	}
	return strings.Join(values, ",")
}

// The page and the API get the definition as JSON: rating values are numbers, others strings.
func TestDefinitionJSONShape(t *testing.T) {
	raw, err := json.Marshal(definition(t, "sipas-full"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID, Kind     string
		Version      int
		Title, Intro map[string]string
		Questions    []json.RawMessage
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID != "sipas-full" || doc.Version != 2 || doc.Kind != "full" || doc.Title["vi"] == "" || doc.Intro["en"] == "" {
		t.Fatalf("definition JSON header = %s", raw[:200])
	}
	byID := map[string]string{}
	for _, q := range doc.Questions {
		var head struct{ ID string }
		_ = json.Unmarshal(q, &head)
		byID[head.ID] = string(q)
	}
	assertContains(t, byID["overall"], `{"id":"overall","type":"rating","required":true,"label":{"vi":`,
		`"options":[{"value":1,"label":{"vi":"Rất không hài lòng","en":"Very dissatisfied"}},{"value":2,`)
	assertContains(t, byID["access_signage"], `"required":false,"criterion":"access","step":2,"label":`)
	assertContains(t, byID["returns"], `"options":[{"value":"0","label":{"vi":"Không phải đi lại","en":"None"}},`)
	assertContains(t, byID["comment"], `"type":"text","required":false,"max_length":2000,"ask_if_overall_at_most":2,"label":{"vi":`)
}

// assertContains checks that s contains every fragment.
func assertContains(t *testing.T, s string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(s, f) {
			t.Errorf("%s\nlacks %s", s, f)
		}
	}
}

func TestTextIn(t *testing.T) {
	text := survey.Text{VI: "Hài lòng", EN: "Satisfied"}
	for lang, want := range map[string]string{"vi": "Hài lòng", "": "Hài lòng", "en": "Satisfied", "en-GB": "Satisfied", "fr": "Hài lòng"} {
		if got := text.In(lang); got != want {
			t.Errorf("In(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := (survey.Text{VI: "Khác"}).In("en"); got != "Khác" {
		t.Errorf("In(en) without English = %q, want the Vietnamese", got)
	}
}

func TestCriterionLabel(t *testing.T) {
	want := []string{"Tiếp cận dịch vụ", "Thủ tục hành chính", "Công chức", "Kết quả", "Tiếp nhận, xử lý góp ý"}
	for i, c := range survey.Criteria {
		if got := survey.CriterionLabel(c); got.VI != want[i] || got.EN == "" {
			t.Errorf("CriterionLabel(%s) = %+v, want vi %q", c, got, want[i])
		}
	}
}

// header is a valid definition up to its questions; overall is the first question.
const header = `id: bad
version: 1
kind: full
title: {vi: Tiêu đề, en: Title}
intro: {vi: Giới thiệu, en: Intro}
questions:
`

const overallYAML = `  - id: overall
    type: rating
    required: true
    label: {vi: Hài lòng chung, en: Overall}
`

// withQ3 is a definition with overall and a question q3 made of the given lines.
func withQ3(lines string) string {
	return header + overallYAML + "  - id: q3\n    label: {vi: Câu ba, en: Three}\n" + lines
}

func TestLoadCatalogRejectsBadDefinitions(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown type", withQ3("    type: stars\n"), []string{`surveys: bad.yaml: question "q3": unknown type "stars"`}},
		{"unknown key", withQ3("    type: rating\n    colour: red\n"), []string{`surveys: bad.yaml: question "q3": line 14: unknown key "colour"`}},
		{"unknown key in an option", withQ3("    type: choice\n    options:\n      - {value: a, label: {vi: Một, en: A, fr: Un}}\n      - {value: b, label: {vi: Hai, en: B}}\n"),
			[]string{`surveys: bad.yaml: question "q3": line 15: unknown key "fr"`}},
		{"wrong value type", withQ3("    type: text\n    max_length: lots\n"), []string{`surveys: bad.yaml: question "q3": line 14: cannot unmarshal`}},
		{"bad question id", header + overallYAML + "  - id: Q3\n    type: rating\n    label: {vi: Ba, en: Three}\n", []string{`surveys: bad.yaml: question "Q3": id must match`}},
		{"reserved question id", header + overallYAML + "  - id: lang\n    type: rating\n    label: {vi: Ba, en: Three}\n", []string{`surveys: bad.yaml: question "lang": id is reserved`}},
		{"duplicate question id", withQ3("    type: rating\n") + "  - id: q3\n    type: rating\n    label: {vi: Ba, en: Three}\n", []string{`surveys: bad.yaml: question "q3": duplicate question id`}},
		{"criterion on a text question", withQ3("    type: text\n    max_length: 9\n    criterion: staff\n"), []string{`surveys: bad.yaml: question "q3": criterion only applies to rating questions`}},
		{"unknown criterion", withQ3("    type: rating\n    criterion: speed\n"), []string{`surveys: bad.yaml: question "q3": unknown criterion "speed"`}},
		{"one option", withQ3("    type: choice\n    options: [{value: a, label: {vi: Một, en: A}}]\n"), []string{`surveys: bad.yaml: question "q3": needs at least 2 options, has 1`}},
		{"duplicate option", withQ3("    type: chips\n    options: [{value: a, label: {vi: Một, en: A}}, {value: a, label: {vi: Hai, en: B}}]\n"),
			[]string{`surveys: bad.yaml: question "q3": option 2: duplicate value "a"`}},
		{"empty option value", withQ3("    type: chips\n    options: [{value: '', label: {vi: Một, en: A}}, {value: b, label: {vi: Hai, en: B}}]\n"),
			[]string{`surveys: bad.yaml: question "q3": option 1: value must be non-empty`}},
		{"option without English", withQ3("    type: choice\n    options: [{value: a, label: {vi: Một}}, {value: b, label: {vi: Hai, en: B}}]\n"),
			[]string{`surveys: bad.yaml: question "q3": option 1 label needs both vi and en`}},
		{"text without max_length", withQ3("    type: text\n"), []string{`surveys: bad.yaml: question "q3": text questions need max_length 1..5000, not 0`}},
		{"text too long", withQ3("    type: text\n    max_length: 6000\n"), []string{`surveys: bad.yaml: question "q3": text questions need max_length 1..5000, not 6000`}},
		{"max_length on rating", withQ3("    type: rating\n    max_length: 10\n"), []string{`surveys: bad.yaml: question "q3": max_length only applies to text questions`}},
		{"rating with options", withQ3("    type: rating\n    options: [{value: '1', label: {vi: Tệ, en: Bad}}, {value: '2', label: {vi: Tốt, en: Good}}]\n"),
			[]string{`surveys: bad.yaml: question "q3": rating questions take no options`}},
		{"label without English", header + overallYAML + "  - id: q3\n    type: rating\n    label: {vi: Ba}\n", []string{`surveys: bad.yaml: question "q3": label needs both vi and en`}},
		{"ask_if out of range", withQ3("    type: rating\n    ask_if_overall_at_most: 9\n"), []string{`surveys: bad.yaml: question "q3": ask_if_overall_at_most must be 0..5`}},
		{"overall missing", header + "  - id: q3\n    type: rating\n    label: {vi: Ba, en: Three}\n", []string{`surveys: bad.yaml: question "overall": missing`}},
		{"overall optional", header + "  - id: overall\n    type: rating\n    label: {vi: Chung, en: Overall}\n", []string{`surveys: bad.yaml: question "overall": must be a required rating question`}},
		{"comment not text", header + overallYAML + "  - id: comment\n    type: yesno\n    label: {vi: Góp ý, en: Comment}\n", []string{`surveys: bad.yaml: question "comment": must be a text question`}},
		{"every problem reported", withQ3("    type: stars\n") + "  - id: q4\n    type: text\n    label: {vi: Bốn, en: Four}\n",
			[]string{`question "q3": unknown type "stars"`, `question "q4": text questions need max_length`}},
		{"question without id", header + overallYAML + "  - type: rating\n    label: {vi: Ba, en: Three}\n", []string{`surveys: bad.yaml: question #2: id must match`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertLoadFails(t, tt.yaml, tt.want...) })
	}
}

func TestLoadCatalogRejectsBadHeaders(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"version 0", strings.Replace(header, "version: 1", "version: 0", 1) + overallYAML, "surveys: bad.yaml: version must be at least 1, not 0"},
		{"unknown kind", strings.Replace(header, "kind: full", "kind: long", 1) + overallYAML, `surveys: bad.yaml: kind must be "full" or "quick", not "long"`},
		{"empty id", strings.Replace(header, "id: bad", "id: ''", 1) + overallYAML, `surveys: bad.yaml: id "" must match`},
		{"title without English", strings.Replace(header, ", en: Title", "", 1) + overallYAML, "surveys: bad.yaml: title needs both vi and en"},
		{"unknown top-level key after the questions", header + overallYAML + "colour: red\n", `surveys: bad.yaml: line 11: unknown key "colour"`},
		{"empty file", "", "surveys: bad.yaml: empty file"},
		{"two documents", header + overallYAML + "---\nid: other\n", "surveys: bad.yaml: more than one YAML document"},
		{"syntax error", "id: [bad\n", "surveys: bad.yaml: yaml: line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertLoadFails(t, tt.yaml, tt.want) })
	}
}

// assertLoadFails loads yaml as bad.yaml and checks the error contains every wanted message.
func assertLoadFails(t *testing.T, yaml string, want ...string) {
	t.Helper()
	_, err := survey.LoadCatalog(fstest.MapFS{"bad.yaml": {Data: []byte(yaml)}})
	if err == nil {
		t.Fatalf("LoadCatalog accepted:\n%s", yaml)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\nlacks %q", err, w)
		}
	}
}

func TestLoadCatalogRejectsDuplicateIDs(t *testing.T) {
	def := []byte(header + overallYAML)
	_, err := survey.LoadCatalog(fstest.MapFS{"a.yaml": {Data: def}, "b.yaml": {Data: def}})
	if err == nil || err.Error() != `surveys: b.yaml: id "bad" is already defined in a.yaml` {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadCatalogNeedsDefinitions(t *testing.T) {
	_, err := survey.LoadCatalog(fstest.MapFS{"readme.md": {Data: []byte("# surveys")}})
	if err == nil {
		t.Fatal("LoadCatalog accepted a directory without *.yaml")
	}
}

func TestStoredAnswersReadInWords(t *testing.T) {
	cat := loadCatalog(t)
	got := cat.Describe(map[string]any{"overall": int32(2), "extra_payment": true, "reasons": []any{"waiting", "payment"}, "legacy": "x"}, "vi")
	want := []survey.Answer{
		{"Ông/Bà hài lòng thế nào về sự phục vụ hôm nay?", "2 – Không hài lòng"},
		{"Điều gì khiến Ông/Bà chưa hài lòng?", "Chờ lâu, Bị đòi tiền, gây khó khăn"},
		{"Có ai yêu cầu Ông/Bà nộp thêm tiền ngoài phí, lệ phí quy định, hoặc gây phiền hà, sách nhiễu không?", "Có"},
		{"legacy", "x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("described = %q\nwant %q", got, want)
	}
}
