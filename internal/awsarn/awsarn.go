// Package awsarn takes Kinesis stream ARNs apart and checks stream names and
// account IDs, for the kds package and the helpers built on it, so that
// they all accept the same ones.
package awsarn

import "strings"

// MaxStreamNameLength is the longest stream name Kinesis accepts.
const MaxStreamNameLength = 128

// IsName reports whether s matches [a-zA-Z0-9_.-]+, the pattern of
// stream, consumer and shard names.
func IsName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return len(s) > 0
}

// IsStreamName reports whether s is a stream name Kinesis accepts: 1 to
// MaxStreamNameLength characters of [a-zA-Z0-9_.-].
func IsStreamName(s string) bool {
	return IsName(s) && len(s) <= MaxStreamNameLength
}

// IsAccountID reports whether s is an AWS account ID: twelve digits.
func IsAccountID(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) == 12
}

// ParseStream splits a stream ARN,
// arn:<partition>:kinesis:<region>:<account>:stream/<name>, whose
// partition starts with "aws", whose account is an account ID and whose
// name is a stream name. The region may be empty, as the API's pattern
// for a stream ARN allows. ok is false for any other string.
func ParseStream(s string) (partition, region, account, name string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return "", "", "", "", false
	}
	name, found := strings.CutPrefix(parts[5], "stream/")
	if !found || !IsAccountID(parts[4]) || !IsStreamName(name) {
		return "", "", "", "", false
	}
	return parts[1], parts[3], parts[4], name, true
}
