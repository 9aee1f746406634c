package kds

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kdsgo/kds/internal/awsarn"
	"github.com/kdsgo/kds/internal/coral"
)

// Constraint phrases of Kinesis's ValidationException messages.
const (
	namePattern    = `[a-zA-Z0-9_.-]+`
	hashKeyPattern = `0|([1-9]\d{0,38})`
	seqNumPattern  = `0|([1-9]\d{0,128})`
)

func itoa(n int) string { return strconv.Itoa(n) }
func lengthAtMost(n int) string {
	return fmt.Sprintf("Member must have length less than or equal to %d", n)
}
func lengthAtLeast(n int) string {
	return fmt.Sprintf("Member must have length greater than or equal to %d", n)
}
func valueAtMost(n int) string {
	return fmt.Sprintf("Member must have value less than or equal to %d", n)
}
func matchPattern(p string) string {
	return "Member must satisfy regular expression pattern: " + p
}
func enumValues(vals ...string) string {
	return "Member must satisfy enum value set: [" + strings.Join(vals, ", ") + "]"
}

// violations collects the constraint failures of one request, in the
// order the service checks its members, and renders them as Kinesis does:
// "2 validation errors detected: Value ... at '...' failed to satisfy
// constraint: ...; Value ...".
type violations []string

// add records that value (already rendered: null or quoted) at path breaks
// constraint.
func (v *violations) add(value, path, constraint string) {
	*v = append(*v, coral.Violation(value, path, constraint))
}

// err returns the ValidationException for the collected failures, or nil.
// Kinesis lists at most ten.
func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: codeValidation, Message: coral.Message(v)}
}

// quote renders a string value the way violation messages show it.
func quote(s string) string { return "'" + s + "'" }

// blobValue renders a blob the way the Java service prints a ByteBuffer.
func blobValue(n int) string {
	return fmt.Sprintf("'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]'", n, n)
}

// checkName adds the violations of a stream or consumer name that was
// given (required names that are missing are the caller's business).
func (v *violations) checkName(name, path string) {
	if n := textLength(name); n > MaxStreamNameLength {
		v.add(quote(name), path, lengthAtMost(MaxStreamNameLength))
	} else if n == 0 {
		v.add(quote(name), path, lengthAtLeast(1))
		return
	}
	if !awsarn.IsName(name) {
		v.add(quote(name), path, matchPattern(namePattern))
	}
}

// textLength counts a string the way Kinesis does: in UTF-16 code units.
// Invalid UTF-8 bytes count one unit each.
func textLength(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n = 0
			for _, r := range s {
				n += max(utf16.RuneLen(r), 1)
			}
			return n
		}
	}
	return n
}

// checkLimit adds the violation of an optional Limit-like input given as
// a non-zero value outside [1, most].
func (v *violations) checkLimit(n int, path string, most int) {
	switch {
	case n < 0:
		v.add(quote(fmt.Sprint(n)), path, coral.ValueAtLeast(1))
	case n > most:
		v.add(quote(fmt.Sprint(n)), path, valueAtMost(most))
	}
}

// checkRequiredShardID adds the violations of a shard ID the request
// must carry.
func (v *violations) checkRequiredShardID(id, path string) {
	if id == "" {
		v.add("null", path, coral.MustNotBeNull)
		return
	}
	v.checkName(id, path)
}

// checkShardID adds the violations of a shard ID that was given.
func (v *violations) checkShardID(id, path string) {
	if id != "" {
		v.checkName(id, path)
	}
}

// isCanonicalDecimal reports whether s is a decimal integer without sign or
// leading zeros of at most maxDigits digits: the patterns 0|([1-9]\d{0,38})
// of hash keys and 0|([1-9]\d{0,128}) of sequence numbers.
func isCanonicalDecimal(s string, maxDigits int) bool {
	if len(s) == 0 || len(s) > maxDigits || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkIteratorType adds the violation of a required ShardIteratorType
// (GetShardIterator's, or SubscribeToShard's starting position type).
func (v *violations) checkIteratorType(t ShardIteratorType, path string) {
	switch t {
	case "":
		v.add("null", path, coral.MustNotBeNull)
	case ShardIteratorTypeAtSequenceNumber, ShardIteratorTypeAfterSequenceNumber, ShardIteratorTypeTrimHorizon, ShardIteratorTypeLatest, ShardIteratorTypeAtTimestamp:
	default:
		v.add(quote(string(t)), path, enumValues("AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"))
	}
}
