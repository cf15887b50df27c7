// Package survey holds the domain of Hài Lòng: survey definitions and answers, tickets,
// responses, error codes and the interfaces stores implement. It imports nothing else from
// the project but the translation catalogue (i18n).
package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hailong/hailong/internal/i18n"
)

// Text is a string shown to people, in Vietnamese (first) and English.
type Text struct {
	VI string `yaml:"vi" json:"vi"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang: English for "en" (or "en-…") when there is one, else Vietnamese.
func (t Text) In(lang string) string {
	if (lang == "en" || strings.HasPrefix(lang, "en-")) && t.EN != "" {
		return t.EN
	}
	return t.VI
}

// Msg is the text of key in the translation catalogue (public/i18n), in both languages, with
// each {name} placeholder filled; args are name, value pairs.
func Msg(key string, args ...string) Text {
	return Text{VI: i18n.Format("vi", key, args...), EN: i18n.Format("en", key, args...)}
}

// complete reports whether both languages are filled in.
func (t Text) complete() bool {
	return strings.TrimSpace(t.VI) != "" && strings.TrimSpace(t.EN) != ""
}

// Question types.
const (
	TypeRating = "rating" // the five-level satisfaction scale; the answer is an int 1..5
	TypeChoice = "choice" // one of the options; the answer is the option value
	TypeYesNo  = "yesno"  // yes or no; the answer is a bool
	TypeChips  = "chips"  // any of the options; the answer is a sorted []string of values
	TypeText   = "text"   // free text of at most max_length characters
)

// Survey kinds: the full SIPAS survey or the quick one for kiosks.
const (
	KindFull  = "full"
	KindQuick = "quick"
)

// Question ids the rest of the product relies on.
const (
	QuestionOverall      = "overall"         // the required overall rating behind every figure
	QuestionComment      = "comment"         // free comment, kept apart in Answers.Comment
	QuestionExtraPayment = "extra_payment"   // yes/no: asked for unofficial payment or harassed
	QuestionReasons      = "reasons"         // the kiosk's reason chips
	QuestionReturns      = "returns"         // extra trips: "0", "1" or "2+"
	QuestionContact      = "contact_request" // yes/no: report a problem or be contacted
)

// ReasonPayment is the kiosk reason chip "bị đòi tiền, gây khó khăn": asked for money or harassed.
const ReasonPayment = "payment"

// The SIPAS criteria a rating question can belong to.
const (
	CriterionAccess    = "access"
	CriterionProcedure = "procedure"
	CriterionStaff     = "staff"
	CriterionResult    = "result"
	CriterionFeedback  = "feedback"
)

// Criteria lists the SIPAS criteria in the order the index (and our reports) present them.
var Criteria = []string{CriterionAccess, CriterionProcedure, CriterionStaff, CriterionResult, CriterionFeedback}

var criterionLabels = map[string]Text{
	CriterionAccess:    Msg("criterion.access"),
	CriterionProcedure: Msg("criterion.procedure"),
	CriterionStaff:     Msg("criterion.staff"),
	CriterionResult:    Msg("criterion.result"),
	CriterionFeedback:  Msg("criterion.feedback"),
}

// CriterionLabel names a SIPAS criterion; an unknown code is returned as its own label.
func CriterionLabel(c string) Text {
	if t, ok := criterionLabels[c]; ok {
		return t
	}
	return Text{VI: c, EN: c}
}

var ratingLabels = [...]Text{
	Msg("rating.1"),
	Msg("rating.2"),
	Msg("rating.3"),
	Msg("rating.4"),
	Msg("rating.5"),
}

// RatingLabel names a level of the five-level scale (1 = very dissatisfied … 5 = very
// satisfied); it returns the zero Text outside 1..5.
func RatingLabel(level int) Text {
	if level < 1 || level > len(ratingLabels) {
		return Text{}
	}
	return ratingLabels[level-1]
}

// ratingOptions returns a fresh copy of the fixed options of every rating question.
func ratingOptions() []Option {
	opts := make([]Option, len(ratingLabels))
	for i, label := range ratingLabels {
		opts[i] = Option{Value: fmt.Sprint(i + 1), Rating: i + 1, Label: label}
	}
	return opts
}

// yesNoOptions returns a fresh copy of the fixed options of every yes/no question.
func yesNoOptions() []Option {
	return []Option{
		{Value: "yes", Label: Msg("option.yes")},
		{Value: "no", Label: Msg("option.no")},
	}
}

// Option is one answer a question offers. Rating and yes/no options are fixed and filled in
// by the loader; choice and chips options come from the YAML file.
type Option struct {
	Value  string `yaml:"value" json:"value"`
	Rating int    `yaml:"-" json:"-"` // the level 1..5 of a rating option, 0 otherwise
	Label  Text   `yaml:"label" json:"label"`
}

// MarshalJSON writes a rating option's value as a number and any other value as a string.
func (o Option) MarshalJSON() ([]byte, error) {
	var value any = o.Value
	if o.Rating > 0 {
		value = o.Rating
	}
	return json.Marshal(struct {
		Value any  `json:"value"`
		Label Text `json:"label"`
	}{value, o.Label})
}

// Question is one item of a survey.
type Question struct {
	ID        string `yaml:"id" json:"id"`
	Type      string `yaml:"type" json:"type"`
	Required  bool   `yaml:"required" json:"required"`
	Criterion string `yaml:"criterion" json:"criterion,omitempty"` // SIPAS criterion of a rating item
	MaxLength int    `yaml:"max_length" json:"max_length,omitempty"`
	// AskIfOverallAtMost makes the page ask for this answer when the overall rating is at most
	// this level (1–2 for a comment); 0 means always shown, never prompted.
	AskIfOverallAtMost int `yaml:"ask_if_overall_at_most" json:"ask_if_overall_at_most,omitempty"`
	// Step is 2 for the optional questions offered after the response is stored (see
	// FollowUpQuestions); 0 or 1 for the first screen.
	Step    int      `yaml:"step" json:"step,omitempty"`
	Label   Text     `yaml:"label" json:"label"`
	Options []Option `yaml:"options" json:"options,omitempty"` // rating and yesno: fixed, filled in at load
}

// hasOption reports whether value is one of the question's option values.
func (q *Question) hasOption(value string) bool {
	for _, o := range q.Options {
		if o.Value == value {
			return true
		}
	}
	return false
}

// Definition is one versioned survey: what citizens are asked and in which order.
type Definition struct {
	ID        string     `yaml:"id" json:"id"`
	Version   int        `yaml:"version" json:"version"`
	Kind      string     `yaml:"kind" json:"kind"`
	Title     Text       `yaml:"title" json:"title"`
	Intro     Text       `yaml:"intro" json:"intro"`
	Questions []Question `yaml:"questions" json:"questions"`
}

// Question returns the question with the given id.
func (d *Definition) Question(id string) (*Question, bool) {
	for i := range d.Questions {
		if d.Questions[i].ID == id {
			return &d.Questions[i], true
		}
	}
	return nil, false
}

// fillFixedOptions gives rating and yes/no questions their fixed options, so labels cannot drift.
func (d *Definition) fillFixedOptions() {
	for i := range d.Questions {
		switch q := &d.Questions[i]; q.Type {
		case TypeRating:
			q.Options = ratingOptions()
		case TypeYesNo:
			q.Options = yesNoOptions()
		}
	}
}

var (
	definitionIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	questionIDPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// formMetaKeys are form fields that travel with the answers but are not questions.
var formMetaKeys = map[string]bool{"token": true, "lang": true, "csrf": true, "_csrf": true}

// maxTextLength caps max_length of text questions.
const maxTextLength = 5000

// Catalog holds the survey definitions the service offers, by id.
type Catalog struct {
	byID map[string]*Definition
}

// LoadCatalog reads and validates every *.yaml definition at the root of fsys. It reports
// every problem it finds, each naming the file and, where it applies, the question.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("surveys: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("surveys: no *.yaml definitions found")
	}
	c := &Catalog{byID: map[string]*Definition{}}
	files := map[string]string{} // definition id → file that defines it
	var errs []error
	for _, name := range names {
		if err := c.add(fsys, name, files); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// add loads the definition in file name into c unless its id is taken.
func (c *Catalog) add(fsys fs.FS, name string, files map[string]string) error {
	def, err := loadDefinition(fsys, name)
	if err != nil {
		return err
	}
	if prev, taken := files[def.ID]; taken {
		return fmt.Errorf("surveys: %s: id %q is already defined in %s", name, def.ID, prev)
	}
	files[def.ID] = name
	c.byID[def.ID] = def
	return nil
}

// Get returns the definition with the given id.
func (c *Catalog) Get(id string) (*Definition, bool) {
	d, ok := c.byID[id]
	return d, ok
}

// loadDefinition reads, decodes and validates one file.
func loadDefinition(fsys fs.FS, name string) (*Definition, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("surveys: %s: %w", name, err)
	}
	def, err := decodeDefinition(data)
	if err != nil {
		return nil, explainYAML(name, data, err)
	}
	v := &validator{file: name}
	v.definition(def)
	if err := errors.Join(v.errs...); err != nil {
		return nil, err
	}
	def.fillFixedOptions()
	return def, nil
}

// decodeDefinition decodes exactly one YAML document, refusing keys it does not know.
func decodeDefinition(data []byte) (*Definition, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var def Definition
	if err := dec.Decode(&def); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, errors.New("more than one YAML document")
	case !errors.Is(err, io.EOF):
		return nil, err
	}
	return &def, nil
}

var (
	yamlLinePattern    = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlUnknownPattern = regexp.MustCompile(`^field (.*) not found in type \S+$`)
)

// explainYAML turns a decoding error into one error per problem, naming the file and, from
// the line number, the question it is in.
func explainYAML(file string, data []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("surveys: %s: %w", file, err)
	}
	spans := questionSpans(data)
	errs := make([]error, len(te.Errors))
	for i, msg := range te.Errors {
		errs[i] = fmt.Errorf("surveys: %s: %s", file, spans.explain(msg))
	}
	return errors.Join(errs...)
}

// questionSpan is the first line of a question in a YAML file and how to name it.
type questionSpan struct {
	line  int
	where string
}

// questionSpanList holds the questions of a file in order, and the line after the list.
type questionSpanList struct {
	spans []questionSpan
	end   int
}

// questionSpans finds where each question starts in a YAML file, best effort.
func questionSpans(data []byte) questionSpanList {
	var doc yaml.Node
	list := questionSpanList{end: -1}
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return list
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "questions" {
			continue
		}
		if i+2 < len(root.Content) {
			list.end = root.Content[i+2].Line
		}
		for n, item := range root.Content[i+1].Content {
			list.spans = append(list.spans, questionSpan{item.Line, questionRef(n, mappingValue(item, "id"))})
		}
	}
	return list
}

// mappingValue returns the scalar value of key in a YAML mapping node, or "".
func mappingValue(n *yaml.Node, key string) string {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// explain rewrites one yaml.v3 type error message, prefixed with the question it is in.
func (l questionSpanList) explain(msg string) string {
	m := yamlLinePattern.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if u := yamlUnknownPattern.FindStringSubmatch(text); u != nil {
		text = fmt.Sprintf("unknown key %q", u[1])
	}
	text = fmt.Sprintf("line %d: %s", line, text)
	if where := l.at(line); where != "" {
		return where + ": " + text
	}
	return text
}

// at names the question that contains line, or "" when it is outside every question.
func (l questionSpanList) at(line int) string {
	if l.end >= 0 && line >= l.end {
		return ""
	}
	where := ""
	for _, s := range l.spans {
		if s.line <= line {
			where = s.where
		}
	}
	return where
}

// questionRef names the question at index i for an error message.
func questionRef(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("question #%d", i+1)
	}
	return fmt.Sprintf("question %q", id)
}

// validator collects every problem of one definition file.
type validator struct {
	file string
	errs []error
}

// fail records a problem; where names the question, or is empty for the whole definition.
func (v *validator) fail(where, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	v.errs = append(v.errs, fmt.Errorf("surveys: %s: %s", v.file, msg))
}

// definition checks the definition's own fields, then each question.
func (v *validator) definition(d *Definition) {
	if !definitionIDPattern.MatchString(d.ID) {
		v.fail("", "id %q must match %s", d.ID, definitionIDPattern)
	}
	if d.Version < 1 {
		v.fail("", "version must be at least 1, not %d", d.Version)
	}
	if d.Kind != KindFull && d.Kind != KindQuick {
		v.fail("", "kind must be %q or %q, not %q", KindFull, KindQuick, d.Kind)
	}
	v.text("", "title", d.Title)
	v.text("", "intro", d.Intro)
	v.questions(d.Questions)
	v.wellKnown(d)
}

// text checks that t has both languages.
func (v *validator) text(where, name string, t Text) {
	if !t.complete() {
		v.fail(where, "%s needs both vi and en", name)
	}
}

// questions checks ids are unique, then each question.
func (v *validator) questions(qs []Question) {
	seen := map[string]bool{}
	for i := range qs {
		q := &qs[i]
		where := questionRef(i, q.ID)
		if seen[q.ID] {
			v.fail(where, "duplicate question id")
		}
		seen[q.ID] = true
		v.question(where, q)
	}
}

// question checks one question's id, label, type and type-specific fields.
func (v *validator) question(where string, q *Question) {
	if !questionIDPattern.MatchString(q.ID) {
		v.fail(where, "id must match %s", questionIDPattern)
	}
	if formMetaKeys[q.ID] {
		v.fail(where, "id is reserved for a form field")
	}
	v.text(where, "label", q.Label)
	v.criterion(where, q)
	v.options(where, q)
	v.maxLength(where, q)
	if q.Step < 0 || q.Step > 2 || (q.Step == 2 && (q.Required || q.ID == QuestionOverall || q.ID == QuestionComment || q.ID == QuestionExtraPayment)) {
		v.fail(where, "step must be 0..2, and step 2 only for optional questions other than overall, comment and extra_payment")
	}
	if q.AskIfOverallAtMost < 0 || q.AskIfOverallAtMost > len(ratingLabels) ||
		(q.ID == QuestionOverall && q.AskIfOverallAtMost != 0) {
		v.fail(where, "ask_if_overall_at_most must be 0..5 and not set on overall")
	}
}

// criterion checks that only rating questions have a criterion, from Criteria.
func (v *validator) criterion(where string, q *Question) {
	switch {
	case q.Criterion == "":
	case q.Type != TypeRating:
		v.fail(where, "criterion only applies to rating questions")
	case !slices.Contains(Criteria, q.Criterion):
		v.fail(where, "unknown criterion %q (want one of %s)", q.Criterion, strings.Join(Criteria, ", "))
	}
}

// options checks the options of each type: fixed ones absent, listed ones well formed.
func (v *validator) options(where string, q *Question) {
	switch q.Type {
	case TypeRating, TypeYesNo, TypeText:
		if len(q.Options) > 0 {
			v.fail(where, "%s questions take no options (rating and yesno options are fixed)", q.Type)
		}
	case TypeChoice, TypeChips:
		v.listedOptions(where, q.Options)
	default:
		v.fail(where, "unknown type %q", q.Type)
	}
}

// listedOptions checks a choice or chips list: two or more, unique non-empty values, labels.
func (v *validator) listedOptions(where string, opts []Option) {
	if len(opts) < 2 {
		v.fail(where, "needs at least 2 options, has %d", len(opts))
	}
	seen := map[string]bool{}
	for i, o := range opts {
		at := fmt.Sprintf("option %d", i+1)
		switch {
		case o.Value == "" || o.Value != strings.TrimSpace(o.Value):
			v.fail(where, "%s: value must be non-empty without surrounding spaces", at)
		case seen[o.Value]:
			v.fail(where, "%s: duplicate value %q", at, o.Value)
		}
		seen[o.Value] = true
		v.text(where, at+" label", o.Label)
	}
}

// maxLength checks that text questions, and only they, have a max_length in range.
func (v *validator) maxLength(where string, q *Question) {
	switch {
	case q.Type == TypeText && (q.MaxLength < 1 || q.MaxLength > maxTextLength):
		v.fail(where, "text questions need max_length 1..%d, not %d", maxTextLength, q.MaxLength)
	case q.Type != TypeText && q.MaxLength != 0:
		v.fail(where, "max_length only applies to text questions")
	}
}

// wellKnown checks the questions other packages rely on: a required overall rating, and the
// types of comment and extra_payment when present.
func (v *validator) wellKnown(d *Definition) {
	where := questionRef(0, QuestionOverall)
	if q, ok := d.Question(QuestionOverall); !ok {
		v.fail(where, "missing: every survey needs a required overall rating")
	} else if q.Type != TypeRating || !q.Required {
		v.fail(where, "must be a required rating question")
	}
	v.wellKnownType(d, QuestionComment, TypeText)
	v.wellKnownType(d, QuestionExtraPayment, TypeYesNo)
}

// wellKnownType checks that question id, when present, has type typ.
func (v *validator) wellKnownType(d *Definition, id, typ string) {
	if q, ok := d.Question(id); ok && q.Type != typ {
		v.fail(questionRef(0, id), "must be a %s question", typ)
	}
}
