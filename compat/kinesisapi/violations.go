package kinesisapi

import (
	"fmt"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/internal/coral"
)

// violations collects the constraint failures only the wire can see,
// because the core's Go inputs cannot tell an absent member from a zero
// one: a required member that was not sent at all (the core sees an empty
// string, a nil slice or a zero structure), and an optional number sent as
// 0 (the core reads 0 as "absent, use the default"). Kinesis rejects both
// with a ValidationException; the wire words it as the core words
// everything else.
//
// When the wire finds a violation the request stops there, so the message
// lists only the wire's violations, not also those the core would have
// found in other members.
type violations []string

// add records that value (rendered as Kinesis renders it: null or quoted)
// at path breaks constraint.
func (v *violations) add(value, path, constraint string) {
	*v = append(*v, coral.Violation(value, path, constraint))
}

// missing records that the required member at path was not sent.
func (v *violations) missing(path string) {
	v.add("null", path, coral.MustNotBeNull)
}

// required records a violation if the required member at path was not
// sent.
func (v *violations) required(sent bool, path string) {
	if !sent {
		v.missing(path)
	}
}

// atLeast records a violation if the number at path was sent and is below
// least.
func (v *violations) atLeast(n *integer, path string, least int) {
	if n != nil && int(*n) < least {
		v.add(fmt.Sprintf("'%d'", *n), path, coral.ValueAtLeast(least))
	}
}

// err returns the ValidationException listing the violations (Kinesis
// shows at most ten), or nil if there are none.
func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return &kds.Error{Code: kds.ErrValidation.Code, Message: coral.Message(v)}
}

// intOrZero returns the number an optional member carries, or 0 (the
// core's "absent") when it was not sent.
func intOrZero(n *integer) int {
	if n == nil {
		return 0
	}
	return int(*n)
}
