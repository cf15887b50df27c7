package survey

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/i18n"
)

// Answers is a citizen's validated answers to one definition.
type Answers struct {
	Overall int `json:"overall"` // the overall rating, 1..5
	// Values holds the other answers by question id: int for rating, string for choice and
	// text, bool for yesno, sorted []string for chips. Unanswered questions are absent.
	Values  map[string]any `json:"values"`
	Comment string         `json:"comment,omitempty"` // the answer to the comment question, trimmed
}

// ExtraPayment reports whether the citizen said someone asked for unofficial payment or
// harassed them: the survey's yes, or the kiosk's reason chip for it.
func (a Answers) ExtraPayment() bool {
	yes, _ := a.Values[QuestionExtraPayment].(bool)
	chips, _ := a.Values[QuestionReasons].([]string)
	return yes || slices.Contains(chips, ReasonPayment)
}

// Negative reports whether the overall rating is dissatisfied or very dissatisfied.
func (a Answers) Negative() bool {
	return a.Overall == 1 || a.Overall == 2
}

// CriterionRating is the rating given to one item of a SIPAS criterion.
type CriterionRating struct {
	Criterion string `json:"criterion" bson:"criterion"`
	Rating    int    `json:"rating" bson:"rating"`
}

// CriterionRatings lists the answered rating items that belong to a criterion, in
// definition order; the overall rating is not among them.
func (d *Definition) CriterionRatings(a Answers) []CriterionRating {
	var out []CriterionRating
	for _, q := range d.Questions {
		r, ok := a.Values[q.ID].(int)
		if ok && q.Type == TypeRating && q.Criterion != "" {
			out = append(out, CriterionRating{Criterion: q.Criterion, Rating: r})
		}
	}
	return out
}

// Why an answer was refused (FieldError.Reason).
const (
	ReasonRequired = "required" // a required question has no answer
	ReasonType     = "type"     // the answer has the wrong shape (e.g. a list for a rating)
	ReasonRange    = "range"    // the answer is not one the question offers
	ReasonUnknown  = "unknown"  // the survey has no such question
	ReasonTooLong  = "too_long" // the text is longer than max_length characters
	ReasonEncoding = "encoding" // a key or string is not valid UTF-8
	ReasonOperator = "operator" // a key or object looks like a query operator ($…, dots, NUL)
)

// FieldError says why one answer (or one unexpected field) was refused.
type FieldError struct {
	Question string `json:"question"`
	Reason   string `json:"reason"`
	Message  Text   `json:"message"`
}

// FieldErrors is every problem found in a set of answers; it is an error.
type FieldErrors []FieldError

// Error lists the questions and reasons, for logs.
func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Question + ": " + fe.Reason
	}
	return "survey: invalid answers: " + strings.Join(parts, ", ")
}

// ParseJSON validates answers decoded by encoding/json (numbers as json.Number or float64)
// and the API's separate top-level comment (nil or "" for none). It returns the answers, or
// every problem found; the errors are nil exactly when the answers are valid.
func (d *Definition) ParseJSON(answers map[string]any, comment any) (Answers, FieldErrors) {
	raw, twice := withComment(answers, comment)
	a, errs := d.parse(raw)
	if q, ok := d.Question(QuestionComment); ok && twice {
		return Answers{}, append(errs, q.answerError(ReasonType))
	}
	return a, errs
}

// withComment adds the top-level comment to a copy of answers; twice reports that the
// answers already held a different one (which then stays, to be validated as well).
func withComment(answers map[string]any, comment any) (map[string]any, bool) {
	if answerBlank(comment) {
		return answers, false
	}
	raw := maps.Clone(answers)
	if raw == nil {
		raw = map[string]any{}
	}
	if prev := raw[QuestionComment]; !answerBlank(prev) {
		same, isString := comment.(string)
		return raw, !isString || prev != any(same) // a string never panics in comparison
	}
	raw[QuestionComment] = comment
	return raw, false
}

// ParseForm validates an HTML form post: fields named by question id, repeated fields for
// chips, "yes"/"no" for yes/no, empty fields for unanswered questions. The fields token,
// lang, csrf and _csrf are ignored.
func (d *Definition) ParseForm(values url.Values) (Answers, FieldErrors) {
	raw := make(map[string]any, len(values))
	for key, vs := range values {
		if !formMetaKeys[key] {
			raw[key] = d.formValue(key, vs)
		}
	}
	return d.parse(raw)
}

// formValue turns a form field's values into what ParseJSON would get: one string, or a list
// for chips and for fields given more than once; empty values are dropped.
func (d *Definition) formValue(key string, vs []string) any {
	filled := make([]any, 0, len(vs))
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			filled = append(filled, v)
		}
	}
	if q, ok := d.Question(key); len(filled) == 1 && (!ok || q.Type != TypeChips) {
		return filled[0]
	}
	return filled
}

// parse validates raw answers keyed by question id; both ParseJSON and ParseForm end here.
func (d *Definition) parse(raw map[string]any) (Answers, FieldErrors) {
	a := Answers{Values: map[string]any{}}
	var errs FieldErrors
	for i := range d.Questions {
		q := &d.Questions[i]
		value, reason := q.parse(raw[q.ID])
		switch {
		case reason != "":
			errs = append(errs, q.answerError(reason))
		case value != nil:
			a.set(q.ID, value)
		case q.Required:
			errs = append(errs, q.answerError(ReasonRequired))
		}
	}
	errs = append(errs, d.strayKeys(raw)...)
	if len(errs) > 0 {
		return Answers{}, errs
	}
	return a, nil
}

// set stores one normalized answer where Answers keeps it.
func (a *Answers) set(id string, value any) {
	switch id {
	case QuestionOverall:
		a.Overall, _ = value.(int)
	case QuestionComment:
		a.Comment, _ = value.(string)
	default:
		a.Values[id] = value
	}
}

// strayKeys reports, sorted, every key of raw that is not a question of d.
func (d *Definition) strayKeys(raw map[string]any) FieldErrors {
	var keys []string
	for key := range raw {
		if _, ok := d.Question(key); !ok {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	var errs FieldErrors
	for _, key := range keys {
		errs = append(errs, keyError(key))
	}
	return errs
}

// keyError explains why key is refused: bad encoding, operator-like, or simply unknown.
func keyError(key string) FieldError {
	shown := displayKey(key)
	switch {
	case !utf8.ValidString(key):
		return NewFieldError(shown, ReasonEncoding, "answer.key_encoding")
	case strings.HasPrefix(key, "$") || strings.ContainsAny(key, ".\x00"):
		return NewFieldError(shown, ReasonOperator, "answer.key_operator", "key", shown)
	}
	return NewFieldError(shown, ReasonUnknown, "answer.key_unknown", "key", shown)
}

// displayKey makes a client-supplied key safe and short enough to echo back.
func displayKey(key string) string {
	key = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(key, string(utf8.RuneError)))
	if r := []rune(key); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return key
}

// answerMessages are the messages of each reason; {question} is the question's label and
// {max} its length limit.
var answerMessages = map[string]Text{
	ReasonRequired: Msg("answer.required"),
	ReasonType:     Msg("answer.type"),
	ReasonRange:    Msg("answer.range"),
	ReasonTooLong:  Msg("answer.too_long"),
	ReasonEncoding: Msg("answer.encoding"),
	ReasonOperator: Msg("answer.operator"),
}

var (
	overallRequired = Msg("answer.overall_required")
	ratingRange     = Msg("answer.rating_range")
)

// answerError builds the error of q for reason, with a message naming its label in each
// language.
func (q *Question) answerError(reason string) FieldError {
	m := answerMessages[reason]
	switch {
	case reason == ReasonRequired && q.ID == QuestionOverall:
		m = overallRequired
	case reason == ReasonRange && q.Type == TypeRating:
		m = ratingRange
	}
	limit := strconv.Itoa(q.MaxLength)
	return FieldError{Question: q.ID, Reason: reason, Message: Text{
		VI: i18n.Fill(m.VI, "question", q.Label.VI, "max", limit),
		EN: i18n.Fill(m.EN, "question", q.Label.EN, "max", limit),
	}}
}

// valueParsers normalize an answer of each question type, or give the reason it is refused.
var valueParsers = map[string]func(q *Question, v any) (any, string){
	TypeRating: parseRating,
	TypeChoice: parseChoice,
	TypeYesNo:  parseYesNo,
	TypeChips:  parseChips,
	TypeText:   parseText,
}

// parse normalizes one answer to q: nil and no reason when unanswered.
func (q *Question) parse(v any) (any, string) {
	if answerBlank(v) {
		return nil, ""
	}
	parse, ok := valueParsers[q.Type]
	if !ok {
		return nil, ReasonType
	}
	return parse(q, v)
}

// answerBlank reports whether v means "not answered": nothing, blank text or an empty list.
func answerBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}

// shapeReason explains a value of the wrong shape: an object with $-keys is an operator.
func shapeReason(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ReasonType
	}
	for key := range m {
		if strings.HasPrefix(key, "$") {
			return ReasonOperator
		}
	}
	for key := range m {
		if !utf8.ValidString(key) {
			return ReasonEncoding
		}
	}
	return ReasonType
}

// parseRating accepts a whole number 1..5 as a JSON number or a string.
func parseRating(_ *Question, v any) (any, string) {
	switch x := v.(type) {
	case json.Number:
		return ratingFromString(x.String())
	case string:
		if !utf8.ValidString(x) {
			return nil, ReasonEncoding
		}
		return ratingFromString(strings.TrimSpace(x))
	case float64:
		return ratingFromFloat(x)
	case int:
		return ratingFromFloat(float64(x))
	}
	return nil, shapeReason(v)
}

// ratingFromString parses a rating written as a number ("4", "4.0").
func ratingFromString(s string) (any, string) {
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return nil, ReasonRange
	case err != nil:
		return nil, ReasonType
	}
	return ratingFromFloat(f)
}

// ratingFromFloat accepts whole numbers 1..5.
func ratingFromFloat(f float64) (any, string) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return nil, ReasonType
	case f != math.Trunc(f) || f < 1 || f > float64(len(ratingLabels)):
		return nil, ReasonRange
	}
	return int(f), ""
}

// scalarString gives the text of a string or number, the forms an option value may take.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	}
	return "", false
}

// optionValue checks that s (trimmed) is one of q's option values.
func (q *Question) optionValue(s string) (string, string) {
	if !utf8.ValidString(s) {
		return "", ReasonEncoding
	}
	s = strings.TrimSpace(s)
	if !q.hasOption(s) {
		return "", ReasonRange
	}
	return s, ""
}

// parseChoice accepts one of the option values.
func parseChoice(q *Question, v any) (any, string) {
	s, ok := scalarString(v)
	if !ok {
		return nil, shapeReason(v)
	}
	value, reason := q.optionValue(s)
	if reason != "" {
		return nil, reason
	}
	return value, ""
}

// parseYesNo accepts a bool or the strings yes/no/true/false.
func parseYesNo(_ *Question, v any) (any, string) {
	switch x := v.(type) {
	case bool:
		return x, ""
	case string:
		if !utf8.ValidString(x) {
			return nil, ReasonEncoding
		}
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "yes", "true":
			return true, ""
		case "no", "false":
			return false, ""
		}
		return nil, ReasonRange
	}
	return nil, shapeReason(v)
}

// parseChips accepts a list of option values (or a single one), sorted and deduplicated.
func parseChips(q *Question, v any) (any, string) {
	items, ok := chipItems(v)
	if !ok {
		return nil, shapeReason(v)
	}
	var picked []string
	for _, item := range items {
		if s, isString := item.(string); isString && strings.TrimSpace(s) == "" {
			continue
		}
		s, ok := scalarString(item)
		if !ok {
			return nil, shapeReason(item)
		}
		value, reason := q.optionValue(s)
		if reason != "" {
			return nil, reason
		}
		picked = append(picked, value)
	}
	if len(picked) == 0 {
		return nil, ""
	}
	slices.Sort(picked)
	return slices.Compact(picked), ""
}

// chipItems returns the elements of a chips answer: a list, or one string alone.
func chipItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		items := make([]any, len(x))
		for i, s := range x {
			items[i] = s
		}
		return items, true
	case string:
		return []any{x}, true
	}
	return nil, false
}

// parseText accepts valid UTF-8 text of at most MaxLength characters once trimmed.
func parseText(q *Question, v any) (any, string) {
	s, ok := v.(string)
	switch {
	case !ok:
		return nil, shapeReason(v)
	case !utf8.ValidString(s):
		return nil, ReasonEncoding
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > q.MaxLength {
		return nil, ReasonTooLong
	}
	return s, ""
}
