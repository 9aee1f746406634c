package kinesisapi

import (
	"fmt"
	"strings"

	"github.com/kdsgo/kds"
)

// violations collects the constraint failures only the wire can see. The
// core reads 0 in an optional number (Limit, MaxResults,
// MaxRecordSizeInKiB, ...) as "absent, use the default" and a zero
// required number as missing, so a member sent explicitly as 0 reaches it
// as if it had not been sent; likewise an empty enum inside a structure
// that was sent. Kinesis rejects such requests with a ValidationException;
// the wire checks them here, and the core checks everything else
// (negative values included) with the same words.
//
// When the wire finds a violation the request stops there, so the message
// lists only the wire's violations, not also those the core would have
// added.
type violations []string

// explicitZero adds a violation if the member at path was sent as 0 while
// its smallest allowed value is least.
func (v *violations) explicitZero(n *int, path string, least int) {
	if n != nil && *n == 0 {
		*v = append(*v, fmt.Sprintf("Value '0' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", path, least))
	}
}

// missing adds a violation for a required member at path that was not
// sent although its enclosing structure was: the core cannot tell such a
// structure from an absent one. It also serves for a required structure
// the core only sees the inside of.
func (v *violations) missing(path string) {
	*v = append(*v, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
}

// err returns the ValidationException listing the violations in Kinesis's
// words (at most ten of them), or nil if there are none.
func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return &kds.Error{Code: "ValidationException",
		Message: fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v[:min(len(v), 10)], "; "))}
}

// intOrZero returns the number a pointer member carries: 0 (the core's
// "absent") when it was not sent.
func intOrZero(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
