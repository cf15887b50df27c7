package webkit

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/survey"
)

var (
	// ErrNotFound answers a request for no route.
	ErrNotFound = survey.Errorf(survey.CodeNotFound, "error.not_found")
	// ErrBadToken answers a JSON body whose ticket token is not a string (400).
	ErrBadToken = survey.Errorf(survey.CodeInvalid, "error.bad_token")
	badJSON     = survey.Errorf(survey.CodeInvalid, "error.bad_json")
	badUTF8     = survey.Errorf(survey.CodeInvalid, "error.bad_utf8")
	badArray    = survey.Errorf(survey.CodeInvalid, "error.bad_json_array")
	tooLarge    = survey.Errorf(survey.CodeInvalid, "error.too_large")
)

// HTTPStatus maps a domain error code to its HTTP status, in this one place.
func HTTPStatus(code survey.Code) int {
	switch code {
	case survey.CodeInvalid:
		return http.StatusUnprocessableEntity
	case survey.CodeUnauthorized:
		return http.StatusUnauthorized
	case survey.CodeForbidden:
		return http.StatusForbidden
	case survey.CodeNotFound:
		return http.StatusNotFound
	case survey.CodeConflict:
		return http.StatusConflict
	case survey.CodeGone:
		return http.StatusGone
	case survey.CodeRateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusServiceUnavailable
	}
}

// APIError is the JSON body of every API error.
type APIError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    survey.Code     `json:"code"`
	Message string          `json:"message"`
	Fields  []apiFieldError `json:"fields,omitempty"`
}

type apiFieldError struct {
	Question string `json:"question"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
}

// HandleError answers every error: JSON under /api, a page elsewhere, in the request's language.
// The cause goes to the log, never to the user.
func (s Base) HandleError(c *fiber.Ctx, err error) error {
	status, body := s.Classify(c, err)
	if status >= 500 {
		s.Log.Error("request failed", "request_id", c.GetRespHeader(fiber.HeaderXRequestID), "route", c.Route().Path, "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Path(), "/healthz") || strings.HasPrefix(c.Path(), "/readyz") {
		return c.Status(status).JSON(body)
	}
	return s.renderMessage(c.Status(status), "error", i18n.T(Lang(c), titleKey(status)), body.Error.Message, staffLinksFor(c))
}

// Classify is the HTTP status and JSON body that answer err, in the request's language.
func (s Base) Classify(c *fiber.Ctx, err error) (int, APIError) {
	l := Lang(c)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return s.fiberError(l, fe)
	}
	var fields survey.FieldErrors
	if errors.As(err, &fields) {
		return http.StatusUnprocessableEntity, fieldErrorBody(l, fields)
	}
	var de *survey.Error
	if !errors.As(err, &de) {
		de = survey.Wrap(err)
	}
	status := HTTPStatus(de.Code)
	if de == badJSON || de == badUTF8 || de == badArray || de == ErrBadToken {
		status = http.StatusBadRequest
	}
	return status, APIError{apiErrorBody{Code: de.Code, Message: de.Message.In(l)}}
}

func (s Base) fiberError(l string, fe *fiber.Error) (int, APIError) {
	switch fe.Code {
	case fiber.StatusRequestEntityTooLarge:
		return fe.Code, APIError{apiErrorBody{Code: survey.CodeInvalid, Message: tooLarge.Message.In(l)}}
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return fe.Code, APIError{apiErrorBody{Code: survey.CodeNotFound, Message: ErrNotFound.Message.In(l)}}
	}
	if fe.Code < 500 {
		return fe.Code, APIError{apiErrorBody{Code: survey.CodeInvalid, Message: badJSON.Message.In(l)}}
	}
	return fe.Code, APIError{apiErrorBody{Code: survey.CodeUnavailable, Message: survey.Wrap(nil).Message.In(l)}}
}

func fieldErrorBody(l string, fields survey.FieldErrors) APIError {
	msg := survey.Msg("error.invalid_answers")
	out := APIError{apiErrorBody{Code: survey.CodeInvalid, Message: msg.In(l)}}
	for _, f := range fields {
		out.Error.Fields = append(out.Error.Fields, apiFieldError{Question: f.Question, Reason: f.Reason, Message: f.Message.In(l)})
	}
	return out
}

func titleKey(status int) string {
	switch status {
	case http.StatusNotFound:
		return "notfound.title"
	case http.StatusGone:
		return "expired.title"
	case http.StatusConflict:
		return "rated.title"
	case http.StatusTooManyRequests:
		return "limited.title"
	default:
		return "error.title"
	}
}

// StatusOf is the HTTP status of err, as the error handler would answer it.
func StatusOf(err error) int { return HTTPStatus(survey.ErrorCode(err)) }

// MessageOf is what err says to the user in lang, for a page that shows it beside a form.
func MessageOf(err error, lang string) string {
	var fe survey.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe[0].Message.In(lang)
	}
	var de *survey.Error
	if !errors.As(err, &de) {
		de = survey.Wrap(err)
	}
	return de.Message.In(lang)
}
