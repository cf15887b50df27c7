package survey_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/surveys"
)

// FuzzParseJSON feeds arbitrary API bodies to every embedded survey: ParseJSON never panics,
// is deterministic, and either refuses the answers with well-formed errors or returns
// answers of the right types with an overall rating of 1..5.
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"answers":{"overall":4}}`))
	f.Add([]byte(`{"answers":{"overall":"2","reasons":["fees","waiting","fees"],"returns":"2+","extra_payment":"yes"},"comment":"Chờ lâu quá"}`))
	f.Add([]byte(`{"answers":{"overall":{"$gt":""},"$where":"1","a.b":2},"comment":{"$ne":null}}`))
	f.Add([]byte(`{"answers":{"overall":4.5,"access_signage":1e400,"extra_payment":"maybe"},"comment":"x"}`))
	catalog := loadCatalog(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var req struct {
			Answers map[string]any
			Comment any
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&req) != nil {
			return
		}
		for _, id := range catalog.IDs() {
			def, _ := catalog.Get(id)
			a, errs := def.ParseJSON(req.Answers, req.Comment)
			again, errsAgain := def.ParseJSON(req.Answers, req.Comment)
			if !reflect.DeepEqual(a, again) || !reflect.DeepEqual(errs, errsAgain) {
				t.Fatalf("%s: ParseJSON is not deterministic: %v / %v", id, errs, errsAgain)
			}
			checkParsed(t, def, a, errs)
		}
	})
}

// FuzzParseForm does the same for form posts given as raw query strings.
func FuzzParseForm(f *testing.F) {
	f.Add("overall=4&returns=2%2B&extra_payment=no&comment=C%E1%BA%A3m+%C6%A1n&token=abc")
	f.Add("overall=1&reasons=late&reasons=late&reasons=fees&_csrf=x")
	f.Add("overall=4&overall=5&%24where=1&a.b=2&comment=%FF")
	catalog := loadCatalog(f)
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		for _, id := range catalog.IDs() {
			def, _ := catalog.Get(id)
			a, errs := def.ParseForm(form)
			checkParsed(t, def, a, errs)
		}
	})
}

// checkParsed checks the promises of ParseJSON and ParseForm about one result.
func checkParsed(t *testing.T, def *survey.Definition, a survey.Answers, errs survey.FieldErrors) {
	t.Helper()
	if len(errs) > 0 {
		checkErrors(t, a, errs)
		return
	}
	if errs != nil || a.Overall < 1 || a.Overall > 5 {
		t.Fatalf("%s: accepted answers with overall %d (errs %#v)", def.ID, a.Overall, errs)
	}
	if q, ok := def.Question(survey.QuestionComment); ok && (utf8.RuneCountInString(a.Comment) > q.MaxLength || !utf8.ValidString(a.Comment)) {
		t.Fatalf("%s: accepted comment %q", def.ID, a.Comment)
	}
	for id, v := range a.Values {
		q, ok := def.Question(id)
		if !ok || !validValue(q, v) {
			t.Fatalf("%s: accepted %s = %#v", def.ID, id, v)
		}
	}
}

// checkErrors checks that refused answers come back empty, each error with a known reason
// and a message in both languages.
func checkErrors(t *testing.T, a survey.Answers, errs survey.FieldErrors) {
	t.Helper()
	if !reflect.DeepEqual(a, survey.Answers{}) {
		t.Fatalf("answers %#v returned with errors %v", a, errs)
	}
	reasons := []string{survey.ReasonRequired, survey.ReasonType, survey.ReasonRange, survey.ReasonUnknown,
		survey.ReasonTooLong, survey.ReasonEncoding, survey.ReasonOperator}
	for _, e := range errs {
		if !slices.Contains(reasons, e.Reason) || e.Message.VI == "" || e.Message.EN == "" || !utf8.ValidString(e.Question) {
			t.Fatalf("malformed error %#v", e)
		}
	}
}

// validValue reports whether v is a normalized answer to q.
func validValue(q *survey.Question, v any) bool {
	switch x := v.(type) {
	case int:
		return q.Type == survey.TypeRating && x >= 1 && x <= 5
	case bool:
		return q.Type == survey.TypeYesNo
	case string:
		return q.Type == survey.TypeChoice && hasOption(q, x) ||
			q.Type == survey.TypeText && utf8.RuneCountInString(x) <= q.MaxLength && x == strings.TrimSpace(x)
	case []string:
		sorted := slices.IsSorted(x) && len(slices.Compact(slices.Clone(x))) == len(x)
		return q.Type == survey.TypeChips && len(x) > 0 && sorted && !slices.ContainsFunc(x, func(s string) bool { return !hasOption(q, s) })
	}
	return false
}

// hasOption reports whether value is an option of q.
func hasOption(q *survey.Question, value string) bool {
	return slices.ContainsFunc(q.Options, func(o survey.Option) bool { return o.Value == value })
}

// FuzzLoadDefinition feeds arbitrary YAML to LoadCatalog: it never panics, every error names
// the file, and whatever it accepts has a required five-level overall rating.
func FuzzLoadDefinition(f *testing.F) {
	for _, name := range []string{"sipas-full.yaml", "kiosk-quick.yaml"} {
		data, err := surveys.FS.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(withQ3("    type: stars\n    colour: red\n")))
	f.Add([]byte(header + overallYAML + "  - &q {id: q3, type: text, max_length: 9, label: {vi: Ba, en: Three}}\n  - *q\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := survey.LoadCatalog(fstest.MapFS{"fuzz.yaml": {Data: data}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "surveys: fuzz.yaml: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		ids := cat.IDs()
		def, _ := cat.Get(ids[0])
		overall, ok := def.Question(survey.QuestionOverall)
		if len(ids) != 1 || !ok || !overall.Required || len(overall.Options) != 5 {
			t.Fatalf("accepted %v with overall %+v", ids, overall)
		}
		if _, err := json.Marshal(def); err != nil {
			t.Fatalf("marshal accepted definition: %v", err)
		}
	})
}
