package kds

import (
	"errors"
	"fmt"
	"time"
)

// Error is a Kinesis service error: Code is the exception name Kinesis
// returns (the wire's __type, e.g. "ResourceNotFoundException") and Message
// is worded as Kinesis words it. Every operation of a [Service] returns
// *Error for failures Kinesis itself would report.
//
// errors.Is(err, ErrResourceNotFound) matches any *Error with that Code,
// whatever its Message.
type Error struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Code == e.Code
}

// Retriable reports whether a client should retry the call after backing
// off: throttling, limits and internal failures are; the rest are not.
func (e *Error) Retriable() bool {
	switch e.Code {
	case codeProvisionedThroughputExceeded, codeLimitExceeded, codeInternalFailure, codeKMSThrottling:
		return true
	}
	return false
}

// IsRetriable reports whether err is, or wraps, an [*Error] that is
// [Error.Retriable].
func IsRetriable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retriable()
}

const (
	codeAccessDenied                  = "AccessDeniedException"
	codeExpiredIterator               = "ExpiredIteratorException"
	codeExpiredNextToken              = "ExpiredNextTokenException"
	codeInternalFailure               = "InternalFailureException"
	codeInvalidArgument               = "InvalidArgumentException"
	codeKMSAccessDenied               = "KMSAccessDeniedException"
	codeKMSDisabled                   = "KMSDisabledException"
	codeKMSInvalidState               = "KMSInvalidStateException"
	codeKMSNotFound                   = "KMSNotFoundException"
	codeKMSOptInRequired              = "KMSOptInRequired"
	codeKMSThrottling                 = "KMSThrottlingException"
	codeLimitExceeded                 = "LimitExceededException"
	codeProvisionedThroughputExceeded = "ProvisionedThroughputExceededException"
	codeResourceInUse                 = "ResourceInUseException"
	codeResourceNotFound              = "ResourceNotFoundException"
	codeValidation                    = "ValidationException"
)

// Sentinels for errors.Is, one per Kinesis exception.
var (
	// ErrAccessDenied: the caller may not perform the operation.
	ErrAccessDenied = &Error{Code: codeAccessDenied}
	// ErrExpiredIterator: a shard iterator older than [IteratorLifetime].
	ErrExpiredIterator = &Error{Code: codeExpiredIterator}
	// ErrExpiredNextToken: a pagination token older than [NextTokenLifetime].
	ErrExpiredNextToken = &Error{Code: codeExpiredNextToken}
	// ErrInternalFailure: an unexpected failure inside kds.
	ErrInternalFailure = &Error{Code: codeInternalFailure}
	// ErrInvalidArgument: an argument is well-formed but not acceptable.
	ErrInvalidArgument = &Error{Code: codeInvalidArgument}
	// ErrKMSAccessDenied: the caller may not use the stream's KMS key.
	ErrKMSAccessDenied = &Error{Code: codeKMSAccessDenied}
	// ErrKMSDisabled: the stream's KMS key is disabled.
	ErrKMSDisabled = &Error{Code: codeKMSDisabled}
	// ErrKMSInvalidState: the KMS key is in a state that does not allow its
	// use, such as pending deletion.
	ErrKMSInvalidState = &Error{Code: codeKMSInvalidState}
	// ErrKMSNotFound: the KMS key does not exist.
	ErrKMSNotFound = &Error{Code: codeKMSNotFound}
	// ErrKMSOptInRequired: the account has no subscription to the key
	// service.
	ErrKMSOptInRequired = &Error{Code: codeKMSOptInRequired}
	// ErrKMSThrottling: the key service throttled the request.
	ErrKMSThrottling = &Error{Code: codeKMSThrottling}
	// ErrLimitExceeded: an account or stream quota would be exceeded.
	ErrLimitExceeded = &Error{Code: codeLimitExceeded}
	// ErrProvisionedThroughputExceeded: a shard's throughput limit was hit.
	ErrProvisionedThroughputExceeded = &Error{Code: codeProvisionedThroughputExceeded}
	// ErrResourceInUse: the resource is not in a state that allows the call.
	ErrResourceInUse = &Error{Code: codeResourceInUse}
	// ErrResourceNotFound: the stream, shard or consumer does not exist.
	ErrResourceNotFound = &Error{Code: codeResourceNotFound}
	// ErrValidation: the request breaks a constraint of the API model.
	ErrValidation = &Error{Code: codeValidation}
)

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// javaDate formats t as Java's Date.toString does in UTC, which Kinesis
// uses in its messages: "Thu Jan 22 01:22:02 UTC 2015".
func javaDate(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 UTC 2006") }
