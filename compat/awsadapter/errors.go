package awsadapter

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
	"github.com/kdsgo/kds"
)

// callError is a failed call as the adapter returns it: the *kds.Error the
// helpers classify, wrapped together with the error that caused it, whose
// text it shows.
type callError struct {
	kds   *kds.Error
	cause error
}

func (e *callError) Error() string { return e.cause.Error() }

// Unwrap gives errors.Is and errors.As both the *kds.Error and the cause.
func (e *callError) Unwrap() []error { return []error{e.kds, e.cause} }

// callFailed maps the error of an SDK call made with ctx; see the package
// documentation, "Errors".
func callFailed(ctx context.Context, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &callError{kds: fromAPIError(ae.ErrorCode(), ae.ErrorMessage(), httpStatus(err)), cause: err}
	}
	if ctx.Err() != nil {
		return err
	}
	var invalid smithy.InvalidParamsError
	if errors.As(err, &invalid) {
		// The SDK refused the input before sending it: retrying cannot
		// help, as the Service's own ValidationException says.
		return &callError{kds: &kds.Error{Code: kds.ErrValidation.Code, Message: invalid.Error()}, cause: err}
	}
	return &callError{kds: &kds.Error{Code: kds.ErrInternalFailure.Code, Message: err.Error()}, cause: err}
}

// malformed is the error of a call op whose answer the kds types cannot
// hold, err saying why: a failure without a usable answer.
func malformed(op string, err error) error {
	err = fmt.Errorf("awsadapter: %s: unusable response: %w", op, err)
	return &callError{kds: &kds.Error{Code: kds.ErrInternalFailure.Code, Message: err.Error()}, cause: err}
}

// fromAPIError is the *kds.Error for an error response with the given
// exception name, message and HTTP status (0 if unknown).
func fromAPIError(code, message string, status int) *kds.Error {
	switch code {
	case "InternalFailure":
		return &kds.Error{Code: kds.ErrInternalFailure.Code, Message: message}
	case "ThrottlingException":
		return &kds.Error{Code: kds.ErrLimitExceeded.Code, Message: message}
	}
	e := &kds.Error{Code: code, Message: message}
	if status >= 500 && !e.Retriable() {
		// kds.Error's own text joins a code and a message this way.
		e = &kds.Error{Code: kds.ErrInternalFailure.Code, Message: e.Error()}
	}
	return e
}

// httpStatus is the status of the HTTP response err came with, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
