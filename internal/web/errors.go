package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
)

var (
	notFound  = survey.Errorf(survey.CodeNotFound, "error.not_found")
	badJSON   = survey.Errorf(survey.CodeInvalid, "error.bad_json")
	badUTF8   = survey.Errorf(survey.CodeInvalid, "error.bad_utf8")
	tooLarge  = survey.Errorf(survey.CodeInvalid, "error.too_large")
	badTicket = survey.Errorf(survey.CodeInvalid, "error.bad_token")
)

// httpStatus maps a domain error code to its HTTP status, in this one place.
func httpStatus(code survey.Code) int {
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

// apiError is the JSON body of every API error.
type apiError struct {
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

// handleError answers every error: JSON under /api, a page elsewhere, in the request's language.
// The cause goes to the log, never to the user.
func (s base) handleError(c *fiber.Ctx, err error) error {
	status, body := s.classify(c, err)
	if status >= 500 {
		s.log.Error("request failed", "request_id", c.GetRespHeader(fiber.HeaderXRequestID), "route", c.Route().Path, "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Path(), "/healthz") || strings.HasPrefix(c.Path(), "/readyz") {
		return c.Status(status).JSON(body)
	}
	return s.renderMessage(c.Status(status), "error", s.pages.t(lang(c), titleKey(status)), body.Error.Message)
}

func (s base) classify(c *fiber.Ctx, err error) (int, apiError) {
	l := lang(c)
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
	status := httpStatus(de.Code)
	if de == badJSON || de == badUTF8 || de == badTicket {
		status = http.StatusBadRequest
	}
	return status, apiError{apiErrorBody{Code: de.Code, Message: de.Message.In(l)}}
}

func (s base) fiberError(l string, fe *fiber.Error) (int, apiError) {
	switch fe.Code {
	case fiber.StatusRequestEntityTooLarge:
		return fe.Code, apiError{apiErrorBody{Code: survey.CodeInvalid, Message: tooLarge.Message.In(l)}}
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return fe.Code, apiError{apiErrorBody{Code: survey.CodeNotFound, Message: notFound.Message.In(l)}}
	}
	if fe.Code < 500 {
		return fe.Code, apiError{apiErrorBody{Code: survey.CodeInvalid, Message: badJSON.Message.In(l)}}
	}
	return fe.Code, apiError{apiErrorBody{Code: survey.CodeUnavailable, Message: survey.Wrap(nil).Message.In(l)}}
}

func fieldErrorBody(l string, fields survey.FieldErrors) apiError {
	msg := survey.Msg("error.invalid_answers")
	out := apiError{apiErrorBody{Code: survey.CodeInvalid, Message: msg.In(l)}}
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
