package kinesisapi

import (
	"fmt"
	"strings"

	"github.com/kdsgo/kds"
)

// wireViolations collects the constraint failures that only the wire can
// see, because the core's Go inputs cannot tell an absent member from a
// zero one: a required member that was not sent at all (the core sees an
// empty string or a nil slice), and an optional number sent as 0 or less
// (the core reads 0 as "use the default"). Kinesis rejects both with a
// ValidationException in the words the core uses for everything else.
//
// The request stops at the wire's violations, so a message lists only
// them, not also those the core would have found in other members.
type wireViolations []string

// add records that value (rendered as Kinesis renders it: null or quoted)
// at path breaks constraint.
func (v *wireViolations) add(value, path, constraint string) {
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, path, constraint))
}

// required adds a violation if the member at path was not sent.
func (v *wireViolations) required(sent bool, path string) {
	if !sent {
		v.add("null", path, "Member must not be null")
	}
}

// positive adds a violation if the number at path was sent and is below 1.
func (v *wireViolations) positive(n *int, path string) {
	if n != nil && *n < 1 {
		v.add(fmt.Sprintf("'%d'", *n), path, "Member must have value greater than or equal to 1")
	}
}

// err returns the ValidationException listing the violations (Kinesis
// shows at most ten), or nil if there are none.
func (v wireViolations) err() error {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return &kds.Error{Code: kds.ErrValidation.Code,
		Message: fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v[:min(len(v), 10)], "; "))}
}

// intValue returns the number an optional member carries, or 0 (the
// core's "absent") when it was not sent.
func intValue(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
