// Package coral words validation failures as Kinesis words them (in the
// style of Amazon's Coral service framework, which kinesalite mirrors):
// "2 validation errors detected: Value null at 'streamName' failed to
// satisfy constraint: Member must not be null; Value ...". The core and
// the wire server both build their ValidationException messages with it,
// so the two cannot drift apart.
package coral

import (
	"fmt"
	"strings"
)

// MustNotBeNull is the constraint a required member that was not sent
// breaks.
const MustNotBeNull = "Member must not be null"

// ValueAtLeast is the constraint of a number whose smallest allowed value
// is n.
func ValueAtLeast(n int) string {
	return fmt.Sprintf("Member must have value greater than or equal to %d", n)
}

// Violation words one failure: value (already rendered: null, or quoted)
// at path breaks constraint.
func Violation(value, path, constraint string) string {
	return fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, path, constraint)
}

// Message words the failures of one request, in the order the service
// checks its members; Kinesis lists at most ten but counts them all.
func Message(violations []string) string {
	noun := "errors"
	if len(violations) == 1 {
		noun = "error"
	}
	shown := violations[:min(len(violations), 10)]
	return fmt.Sprintf("%d validation %s detected: %s", len(violations), noun, strings.Join(shown, "; "))
}
