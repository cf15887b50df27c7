package survey

import (
	"errors"
	"fmt"
)

// Code classifies a domain error so the web layer can map it to one HTTP status in one place.
type Code string

// The domain error codes.
const (
	CodeInvalid      Code = "invalid"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeGone         Code = "gone"
	CodeRateLimited  Code = "rate_limited"
	CodeUnavailable  Code = "unavailable"
)

// Error carries a message that is safe to show a user (in Vietnamese and English) and the
// cause for the log.
type Error struct {
	Code    Code
	Message Text
	Cause   error
}

// Error returns the code, the English message and the cause, for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message.EN, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message.EN)
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds a domain error whose user message is key in the translation catalogue, its
// {name} placeholders filled from args (name, value pairs).
func Errorf(code Code, key string, args ...string) *Error {
	return &Error{Code: code, Message: Msg(key, args...)}
}

// Wrap builds an unavailable error around a store or network cause.
func Wrap(cause error) *Error {
	return &Error{
		Code:    CodeUnavailable,
		Message: Msg("error.unavailable"),
		Cause:   cause,
	}
}

// ErrorCode reports the code of err, or CodeUnavailable when err is not a domain error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return CodeInvalid
	}
	return CodeUnavailable
}

// Sentinel domain errors shared by stores and handlers.
var (
	ErrTicketNotFound = Errorf(CodeNotFound, "error.ticket_not_found")
	ErrTicketExpired  = Errorf(CodeGone, "error.ticket_expired")
	ErrAlreadyRated   = Errorf(CodeConflict, "error.already_rated")
	ErrRateLimited    = Errorf(CodeRateLimited, "error.rate_limited")
	ErrUnauthorized   = Errorf(CodeUnauthorized, "error.unauthorized")
	ErrForbidden      = Errorf(CodeForbidden, "error.forbidden")
	// ErrFollowUpDone: step 2 was already added to the response.
	ErrFollowUpDone = Errorf(CodeConflict, "error.followup_done")
	// ErrFollowUpClosed: step 2 comes more than FollowUpWindow after the response.
	ErrFollowUpClosed = Errorf(CodeGone, "error.followup_closed")
	// ErrNotRated: the ticket exists or not, but no response is stored under it.
	ErrNotRated = Errorf(CodeNotFound, "error.not_rated")
	// ErrFollowUpEmpty: a step 2 sent through the API answers nothing.
	ErrFollowUpEmpty = Errorf(CodeInvalid, "error.followup_empty")
)
