package webkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/survey"
)

// DecodeJSON strictly decodes one JSON object: valid UTF-8, known fields, nothing after it.
func DecodeJSON(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return badUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badJSON
	}
	return nil
}

// DecodeJSONArray splits a JSON array body into its items, for each to be decoded on its own;
// any other body is refused.
func DecodeJSONArray(body []byte) ([]json.RawMessage, error) {
	if !utf8.Valid(body) {
		return nil, badUTF8
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil || items == nil {
		return nil, badArray
	}
	return items, nil
}

// jsonError explains a decoding failure: a field of the wrong type is named.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return survey.FieldErrors{survey.NewFieldError(te.Field, "type", "field.type", "field", te.Field, "type", te.Type.String())}
	}
	var pe *time.ParseError
	if errors.As(err, &pe) || strings.Contains(err.Error(), "Time.UnmarshalJSON") {
		return survey.FieldErrors{survey.NewFieldError("completed_at", "type", "field.completed_at.type")}
	}
	return badJSON
}

// FormValues parses an urlencoded form body; anything else is refused.
func FormValues(c *fiber.Ctx) (url.Values, error) {
	body := c.Body()
	if !validUTF8Form(body) {
		return nil, badUTF8
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, survey.Errorf(survey.CodeInvalid, "error.form_malformed")
	}
	return v, nil
}

func validUTF8Form(body []byte) bool {
	v, err := url.QueryUnescape(string(body))
	if err != nil {
		return true // malformed escapes are reported by ParseQuery
	}
	return utf8.ValidString(v)
}

// ActiveFields lists the fields a form offers.
func ActiveFields(c *fiber.Ctx, fields *org.FieldCatalog) []org.Field {
	var out []org.Field
	for _, f := range fields.All(c.UserContext()) {
		if f.Active {
			out = append(out, f)
		}
	}
	return out
}
