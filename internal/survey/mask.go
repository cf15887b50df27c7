package survey

import "regexp"

// Masked stands in for personal data removed from a comment. It is stored, so it reads the
// same in every language.
const Masked = "[***]"

// Contact details and ID numbers citizens sometimes type into a comment.
var personalData = []*regexp.Regexp{
	regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`), // e-mail
	regexp.MustCompile(`(?:\+84|\b0)(?:[ .-]?\d){8,10}\b`),                       // phone
	regexp.MustCompile(`\b\d{9}(?:\d{3})?\b`),                                    // ID card number
}

// MaskPersonalData replaces e-mail addresses, phone numbers and ID card numbers in text with
// Masked, so free text can be stored and shown without them. Masking twice changes nothing.
func MaskPersonalData(text string) string {
	for _, re := range personalData {
		text = re.ReplaceAllString(text, Masked)
	}
	return text
}

// maskTextAnswers masks every free-text answer of d in values, in place.
func maskTextAnswers(d *Definition, values map[string]any) {
	for id, v := range values {
		s, ok := v.(string)
		if q, known := d.Question(id); ok && known && q.Type == TypeText {
			values[id] = MaskPersonalData(s)
		}
	}
}
