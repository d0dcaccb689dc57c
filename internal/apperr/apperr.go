// Package apperr is Sertika's one error type: a code that the web layer maps to an HTTP
// status in one place, and a message written for users, in Indonesian. Internal causes are
// wrapped (and logged) but never shown to users.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers and for the HTTP mapping.
type Code string

// The error codes. Their string values appear in the JSON error body.
const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeTooLarge     Code = "too_large"
	CodeRateLimited  Code = "rate_limited"
	CodeInternal     Code = "internal"
)

// Error is an error with a code and a message fit for users.
type Error struct {
	Code    Code
	Message string            // Indonesian, safe to show
	Fields  map[string]string // optional per-field messages for forms
	Err     error             // internal cause, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the code and message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Invalid reports bad input.
func Invalid(msg string) *Error { return New(CodeInvalid, msg) }

// Invalidf reports bad input with a formatted message.
func Invalidf(format string, a ...any) *Error { return New(CodeInvalid, fmt.Sprintf(format, a...)) }

// NotFound reports a missing object.
func NotFound(msg string) *Error { return New(CodeNotFound, msg) }

// Conflict reports a clash with the current state (a duplicate, a stale version).
func Conflict(msg string) *Error { return New(CodeConflict, msg) }

// Unauthorized reports a missing or failed authentication.
func Unauthorized(msg string) *Error { return New(CodeUnauthorized, msg) }

// Forbidden reports an authenticated actor without the right to act.
func Forbidden(msg string) *Error { return New(CodeForbidden, msg) }

// Internal wraps an unexpected failure; users see only a generic message.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "Terjadi kesalahan pada server. Silakan coba lagi.", Err: err}
}

// WithFields attaches per-field messages and returns e.
func (e *Error) WithFields(f map[string]string) *Error { e.Fields = f; return e }

// As returns err as an *Error, wrapping unknown errors as internal ones.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// CodeOf returns the code of err ("" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}
