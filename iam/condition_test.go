package iam

import "testing"

// cond builds a condition for a test, failing it when the operator, key or
// values are refused.
func cond(t *testing.T, op, key string, values ...string) Condition {
	t.Helper()
	c, msg := newCondition(op, key, values)
	if msg != "" {
		t.Fatalf("newCondition(%q, %q, %q): %s", op, key, values, msg)
	}
	return c
}

// ctx builds a request context of one key.
func ctx(key string, values ...string) map[string][]string {
	return map[string][]string{key: values}
}

func TestConditionOperators(t *testing.T) {
	none := map[string][]string{}
	tests := []struct {
		name   string
		op     string
		key    string
		policy []string
		ctx    map[string][]string
		want   bool
	}{
		// String operators.
		{"StringEquals match", "StringEquals", "aws:ResourceTag/team", []string{"data"}, ctx("aws:ResourceTag/team", "data"), true},
		{"StringEquals case", "StringEquals", "aws:ResourceTag/team", []string{"data"}, ctx("aws:ResourceTag/team", "Data"), false},
		{"StringEquals values ORed", "StringEquals", "aws:ResourceTag/team", []string{"web", "data"}, ctx("aws:ResourceTag/team", "data"), true},
		{"StringEquals missing", "StringEquals", "aws:ResourceTag/team", []string{"data"}, none, false},
		{"StringEquals key case-insensitive", "StringEquals", "AWS:resourcetag/TEAM", []string{"data"}, ctx("aws:ResourceTag/team", "data"), true},
		{"StringNotEquals other", "StringNotEquals", "aws:ResourceTag/team", []string{"data"}, ctx("aws:ResourceTag/team", "web"), true},
		{"StringNotEquals same", "StringNotEquals", "aws:ResourceTag/team", []string{"data"}, ctx("aws:ResourceTag/team", "data"), false},
		{"StringNotEquals missing", "StringNotEquals", "aws:ResourceTag/team", []string{"data"}, none, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "aws:ResourceTag/team", []string{"DATA"}, ctx("aws:ResourceTag/team", "data"), true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "aws:ResourceTag/team", []string{"DATA"}, ctx("aws:ResourceTag/team", "data"), false},
		{"StringLike star", "StringLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/app-*"}, ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/app-writer"), true},
		{"StringLike question", "StringLike", "aws:ResourceTag/env", []string{"pr?d"}, ctx("aws:ResourceTag/env", "prod"), true},
		{"StringLike no", "StringLike", "aws:ResourceTag/env", []string{"prod*"}, ctx("aws:ResourceTag/env", "dev"), false},
		{"StringNotLike", "StringNotLike", "aws:ResourceTag/env", []string{"prod*"}, ctx("aws:ResourceTag/env", "dev"), true},
		{"StringNotLike missing", "StringNotLike", "aws:ResourceTag/env", []string{"prod*"}, none, true},

		// Numeric.
		{"NumericEquals", "NumericEquals", "kinesis:FisInjectPercentage", []string{"10"}, ctx("kinesis:FisInjectPercentage", "10.0"), true},
		{"NumericNotEquals", "NumericNotEquals", "kinesis:FisInjectPercentage", []string{"10"}, ctx("kinesis:FisInjectPercentage", "11"), true},
		{"NumericLessThan", "NumericLessThan", "kinesis:FisInjectPercentage", []string{"50"}, ctx("kinesis:FisInjectPercentage", "49"), true},
		{"NumericLessThan equal", "NumericLessThan", "kinesis:FisInjectPercentage", []string{"50"}, ctx("kinesis:FisInjectPercentage", "50"), false},
		{"NumericLessThanEquals", "NumericLessThanEquals", "kinesis:FisInjectPercentage", []string{"50"}, ctx("kinesis:FisInjectPercentage", "50"), true},
		{"NumericGreaterThan", "NumericGreaterThan", "kinesis:FisInjectPercentage", []string{"50"}, ctx("kinesis:FisInjectPercentage", "51"), true},
		{"NumericGreaterThanEquals", "NumericGreaterThanEquals", "kinesis:FisInjectPercentage", []string{"50"}, ctx("kinesis:FisInjectPercentage", "49"), false},
		{"Numeric bad request value", "NumericEquals", "kinesis:FisInjectPercentage", []string{"10"}, ctx("kinesis:FisInjectPercentage", "ten"), false},

		// Date.
		{"DateLessThan", "DateLessThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}, ctx("aws:CurrentTime", "2026-11-26T12:00:00Z"), true},
		{"DateGreaterThan", "DateGreaterThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}, ctx("aws:CurrentTime", "2026-11-26T12:00:00Z"), false},
		{"DateEquals epoch", "DateEquals", "aws:EpochTime", []string{"2026-11-26T00:00:00Z"}, ctx("aws:EpochTime", "1795651200"), true},
		{"DateNotEquals", "DateNotEquals", "aws:CurrentTime", []string{"2026-11-26"}, ctx("aws:CurrentTime", "2026-11-27T00:00:00Z"), true},

		// Bool and binary.
		{"Bool true", "Bool", "aws:SecureTransport", []string{"true"}, ctx("aws:SecureTransport", "true"), true},
		{"Bool false", "Bool", "aws:SecureTransport", []string{"false"}, ctx("aws:SecureTransport", "true"), false},
		{"Bool case", "Bool", "aws:SecureTransport", []string{"TRUE"}, ctx("aws:SecureTransport", "true"), true},
		{"Bool missing", "Bool", "aws:SecureTransport", []string{"false"}, none, false},
		{"BinaryEquals", "BinaryEquals", "aws:Blob", []string{"QmluYXJ5"}, ctx("aws:Blob", "QmluYXJ5"), true},

		// IP addresses.
		{"IpAddress v4 in", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress v4 out", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx("aws:SourceIp", "198.51.100.7"), false},
		{"IpAddress single", "IpAddress", "aws:SourceIp", []string{"203.0.113.7"}, ctx("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress unmasked CIDR", "IpAddress", "aws:SourceIp", []string{"203.0.113.9/24"}, ctx("aws:SourceIp", "203.0.113.200"), true},
		{"IpAddress v6 in", "IpAddress", "aws:SourceIp", []string{"2001:db8::/32"}, ctx("aws:SourceIp", "2001:db8:1::7"), true},
		{"IpAddress v6 out", "IpAddress", "aws:SourceIp", []string{"2001:db8::/32"}, ctx("aws:SourceIp", "2001:db9::7"), false},
		{"IpAddress v4-mapped", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx("aws:SourceIp", "::ffff:10.1.2.3"), true},
		{"IpAddress v4 not in v6", "IpAddress", "aws:SourceIp", []string{"2001:db8::/32"}, ctx("aws:SourceIp", "10.1.2.3"), false},
		{"IpAddress zoned source", "IpAddress", "aws:SourceIp", []string{"fe80::/10"}, ctx("aws:SourceIp", "fe80::1%eth0"), true},
		{"NotIpAddress zoned source in", "NotIpAddress", "aws:SourceIp", []string{"fe80::/10"}, ctx("aws:SourceIp", "fe80::1%eth0"), false},
		{"IpAddress zoned single address", "IpAddress", "aws:SourceIp", []string{"fe80::1%eth1"}, ctx("aws:SourceIp", "fe80::1%eth0"), true},
		{"IpAddress list ORed", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/8", "192.168.0.0/16"}, ctx("aws:SourceIp", "192.168.4.4"), true},
		{"IpAddress garbage", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx("aws:SourceIp", "not-an-ip"), false},
		{"IpAddress missing", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, none, false},
		{"NotIpAddress out", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx("aws:SourceIp", "192.0.2.1"), true},
		{"NotIpAddress in", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx("aws:SourceIp", "10.0.0.1"), false},
		{"NotIpAddress missing", "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, none, true},

		// ARNs.
		{"ArnEquals", "ArnEquals", "aws:PrincipalArn", []string{"arn:aws:iam::123456789012:user/alice"}, ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice"), true},
		{"ArnLike field wildcard", "ArnLike", "aws:SourceArn", []string{"arn:aws:firehose:*:123456789012:deliverystream/*"}, ctx("aws:SourceArn", "arn:aws:firehose:us-east-1:123456789012:deliverystream/d1"), true},
		{"ArnLike star does not cross ':'", "ArnLike", "aws:SourceArn", []string{"arn:aws:*:123456789012:deliverystream/d1"}, ctx("aws:SourceArn", "arn:aws:firehose:us-east-1:123456789012:deliverystream/d1"), false},
		{"ArnLike resource keeps ':'", "ArnLike", "aws:SourceArn", []string{"arn:aws:kinesis:*:*:stream/s/consumer/*"}, ctx("aws:SourceArn", "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000"), true},
		{"ArnLike star alone", "ArnLike", "aws:SourceArn", []string{"*"}, ctx("aws:SourceArn", "arn:aws:s3:::b"), true},
		{"ArnLike not an ARN", "ArnLike", "aws:SourceArn", []string{"arn:aws:s3:::*"}, ctx("aws:SourceArn", "bucket"), false},
		{"ArnNotEquals", "ArnNotEquals", "aws:SourceArn", []string{"arn:aws:s3:::a"}, ctx("aws:SourceArn", "arn:aws:s3:::b"), true},
		{"ArnNotLike", "ArnNotLike", "aws:SourceArn", []string{"arn:aws:s3:::*"}, ctx("aws:SourceArn", "arn:aws:s3:::b"), false},

		// Null.
		{"Null true absent", "Null", "aws:ResourceTag/team", []string{"true"}, none, true},
		{"Null true present", "Null", "aws:ResourceTag/team", []string{"true"}, ctx("aws:ResourceTag/team", "x"), false},
		{"Null false present", "Null", "aws:ResourceTag/team", []string{"false"}, ctx("aws:ResourceTag/team", "x"), true},
		{"Null false absent", "Null", "aws:ResourceTag/team", []string{"false"}, none, false},
		{"Null empty list is absent", "Null", "aws:TagKeys", []string{"true"}, ctx("aws:TagKeys"), true},

		// IfExists.
		{"IfExists missing", "StringEqualsIfExists", "aws:ResourceTag/team", []string{"data"}, none, true},
		{"IfExists present match", "StringEqualsIfExists", "aws:ResourceTag/team", []string{"data"}, ctx("aws:ResourceTag/team", "data"), true},
		{"IfExists present no match", "StringEqualsIfExists", "aws:ResourceTag/team", []string{"data"}, ctx("aws:ResourceTag/team", "web"), false},
		{"IpAddressIfExists missing", "IpAddressIfExists", "aws:SourceIp", []string{"10.0.0.0/8"}, none, true},
		{"BoolIfExists present", "BoolIfExists", "aws:SecureTransport", []string{"true"}, ctx("aws:SecureTransport", "false"), false},
		{"NotIpAddressIfExists in", "NotIpAddressIfExists", "aws:SourceIp", []string{"10.0.0.0/8"}, ctx("aws:SourceIp", "10.0.0.1"), false},

		// Multi-valued keys without a qualifier.
		{"multi any matches", "StringEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys", "env", "team"), true},
		{"multi negated none", "StringNotEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys", "env", "team"), false},

		// ForAnyValue.
		{"ForAnyValue one matches", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team", "env"}, ctx("aws:TagKeys", "cost", "env"), true},
		{"ForAnyValue none", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys", "cost", "env"), false},
		{"ForAnyValue missing", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, none, false},
		{"ForAnyValue empty", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys"), false},
		{"ForAnyValue StringLike", "ForAnyValue:StringLike", "aws:TagKeys", []string{"kds-*"}, ctx("aws:TagKeys", "env", "kds-owner"), true},
		{"ForAnyValue StringNotEquals", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys", "team", "env"), true},
		{"ForAnyValue StringNotEquals all listed", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys", "team"), false},
		{"ForAnyValue IfExists missing", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", []string{"team"}, none, true},

		// ForAllValues.
		{"ForAllValues subset", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team", "env"}, ctx("aws:TagKeys", "env"), true},
		{"ForAllValues all", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team", "env"}, ctx("aws:TagKeys", "env", "team"), true},
		{"ForAllValues extra", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team", "env"}, ctx("aws:TagKeys", "env", "cost"), false},
		{"ForAllValues missing", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team"}, none, true},
		{"ForAllValues empty", "ForAllValues:StringEquals", "aws:TagKeys", []string{"team"}, ctx("aws:TagKeys"), true},
		{"ForAllValues ignore case", "ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", []string{"TEAM"}, ctx("aws:TagKeys", "team", "Team"), true},
		{"ForAllValues StringNotLike", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"aws:*"}, ctx("aws:TagKeys", "team", "env"), true},
		{"ForAllValues StringNotLike one reserved", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"aws:*"}, ctx("aws:TagKeys", "team", "aws:x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cond(t, tt.op, tt.key, tt.policy...)
			// With one spelling of the key, a statement's effect makes no
			// difference.
			for _, deny := range []bool{false, true} {
				if got := c.holds(tt.ctx, deny); got != tt.want {
					t.Errorf("%s %s %q against %q (deny %v) = %v, want %v", tt.op, tt.key, tt.policy, tt.ctx, deny, got, tt.want)
				}
			}
		})
	}
}

// TestConditionBlockLogic checks that keys and operators are ANDed and
// the values of one key ORed, through a parsed statement.
func TestConditionBlockLogic(t *testing.T) {
	p := MustParse(IdentityPolicy, "p", `{
		"Version": "2012-10-17",
		"Statement": {
			"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "*",
			"Condition": {
				"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
				"Bool": {"aws:SecureTransport": true},
				"StringEquals": {"aws:ResourceTag/team": "data", "aws:ResourceTag/env": ["prod", "stage"]}
			}
		}
	}`)
	base := func() map[string][]string {
		return map[string][]string{
			"aws:SourceIp":         {"192.168.1.1"},
			"aws:SecureTransport":  {"true"},
			"aws:ResourceTag/team": {"data"},
			"aws:ResourceTag/env":  {"stage"},
		}
	}
	tests := []struct {
		name   string
		change func(map[string][]string)
		want   bool
	}{
		{"all hold", func(map[string][]string) {}, true},
		{"second IP value", func(m map[string][]string) { m["aws:SourceIp"] = []string{"10.9.9.9"} }, true},
		{"IP fails", func(m map[string][]string) { m["aws:SourceIp"] = []string{"8.8.8.8"} }, false},
		{"plaintext", func(m map[string][]string) { m["aws:SecureTransport"] = []string{"false"} }, false},
		{"second key of operator fails", func(m map[string][]string) { m["aws:ResourceTag/env"] = []string{"dev"} }, false},
		{"key missing", func(m map[string][]string) { delete(m, "aws:ResourceTag/team") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(c)
			req := Request{Principal: "arn:aws:iam::123456789012:user/a", Action: "kinesis:PutRecord",
				Resource: "arn:aws:kinesis:us-east-1:123456789012:stream/s", Context: c}
			if got := Evaluate(req, []*Policy{p}, nil).Allowed(); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}
