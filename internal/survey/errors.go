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

// Errorf builds a domain error with a bilingual user message.
func Errorf(code Code, vi, en string) *Error {
	return &Error{Code: code, Message: Text{VI: vi, EN: en}}
}

// Wrap builds an unavailable error around a store or network cause.
func Wrap(cause error) *Error {
	return &Error{
		Code:    CodeUnavailable,
		Message: Text{VI: "Hệ thống đang bận, vui lòng thử lại sau giây lát.", EN: "The service is busy, please try again in a moment."},
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
	ErrTicketNotFound = Errorf(CodeNotFound, "Không tìm thấy phiếu đánh giá. Vui lòng kiểm tra lại mã.", "Survey ticket not found. Please check the code.")
	ErrTicketExpired  = Errorf(CodeGone, "Phiếu đánh giá đã hết hạn.", "This survey ticket has expired.")
	ErrAlreadyRated   = Errorf(CodeConflict, "Hồ sơ này đã được đánh giá. Cảm ơn Ông/Bà!", "This dossier has already been rated. Thank you!")
	ErrRateLimited    = Errorf(CodeRateLimited, "Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.", "Too many requests. Please try again in a few minutes.")
	ErrUnauthorized   = Errorf(CodeUnauthorized, "Thiếu hoặc sai khóa truy cập.", "Missing or invalid credentials.")
	ErrForbidden      = Errorf(CodeForbidden, "Bạn không có quyền truy cập mục này.", "You are not allowed to access this.")
)
