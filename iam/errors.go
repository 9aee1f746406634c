package iam

import (
	"errors"
	"strconv"
)

// ErrMalformedPolicy is matched (errors.Is) by every [*ParseError] that
// [Parse] returns.
var ErrMalformedPolicy = errors.New("iam: malformed policy document")

// ParseError is a policy document that [Parse] refused. Msg names the
// problem in the words of IAM's MalformedPolicyDocument errors where they
// are known (for example "Policy statement must contain actions." or
// "Invalid principal in policy"), so a server can return it to a client as
// it stands.
type ParseError struct {
	// Statement is the 1-based position of the statement at fault, or 0
	// when the problem is in the document as a whole.
	Statement int
	// Msg is the problem, without the statement's position.
	Msg string
}

// Error returns "iam: malformed policy document: " followed by the
// statement's position, if any, and Msg.
func (e *ParseError) Error() string {
	if e.Statement > 0 {
		return "iam: malformed policy document: statement " + strconv.Itoa(e.Statement) + ": " + e.Msg
	}
	return "iam: malformed policy document: " + e.Msg
}

// Is reports whether target is [ErrMalformedPolicy].
func (e *ParseError) Is(target error) bool { return target == ErrMalformedPolicy }

// malformed returns a document-level *ParseError.
func malformed(msg string) *ParseError { return &ParseError{Msg: msg} }
